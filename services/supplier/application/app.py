"""SupplierApplication: suppliers, contracts, reviews, engagements, penalties (8.3.3).

One event-sourced application, its use cases kept by subject: ``registry`` (suppliers,
contracts, reviews), ``engagements``, ``penalties``; what they share is in ``base``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from madoguchi.observability.outbox_mapper import MAPPER_ENV
from services.supplier.application.engagements import Engagements
from services.supplier.application.penalties import Penalties
from services.supplier.application.registry import SupplierRegistry
from services.supplier.domain.penalty import PenaltyLedger


class SupplierApplication(SupplierRegistry, Engagements, Penalties):
    """The supplier service's write side, and its queries over the index."""

    name = "supplier"
    env: ClassVar[dict[str, str]] = {"IS_SNAPSHOTTING_ENABLED": "n", **MAPPER_ENV}
    # A contract's monthly ledger takes every accrual of that month: without snapshots each
    # accrual would replay all of them (bench/supplier.py saw p99 grow to seconds).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {PenaltyLedger: 50}
