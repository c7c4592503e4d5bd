"""Supplier dependency risk: how much of a category's escalations one supplier takes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryRisk:
    category: str
    engagements: int
    shares: tuple[tuple[str, int, float], ...]   # (supplier_id, engagements, share), largest first
    single_supplier: bool
    top_share: float


def dependency_risk(counts: Iterable[tuple[str, str, int]], threshold: float = 0.8
                    ) -> list[CategoryRisk]:
    """Per category, from (category, supplier_id, engagements) counts.

    ``single_supplier`` when one supplier took all the category's escalations, or the
    largest share reaches ``threshold``. Categories are ordered by risk: top share, then
    volume.
    """
    by_category: dict[str, dict[str, int]] = {}
    for category, supplier_id, n in counts:
        if n > 0:
            bucket = by_category.setdefault(category, {})
            bucket[supplier_id] = bucket.get(supplier_id, 0) + int(n)
    risks = []
    for category, per_supplier in by_category.items():
        total = sum(per_supplier.values())
        shares = tuple(sorted(((s, n, n / total) for s, n in per_supplier.items()),
                              key=lambda item: (-item[1], item[0])))
        top = shares[0][2]
        risks.append(CategoryRisk(category, total, shares,
                                  len(shares) == 1 or top >= threshold, top))
    return sorted(risks, key=lambda r: (-r.top_share, -r.engagements, r.category))
