"""Engagements: opened and withdrawn from the inquiry stream, worked by the supplier
through its portal calls (``caller`` = its supplier_id: another supplier's engagement is
NOT_FOUND to it, with the same message as a missing one), listed for the service desk."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from madoguchi import page_tokens
from madoguchi.errors import (
    InvalidField,
)
from services.supplier.application.base import SYSTEM_ACTOR, Meta, SupplierBase
from services.supplier.application.views import (
    EngagementView,
    Page,
)
from services.supplier.domain.contract import Contract, gap_reason, select_contract
from services.supplier.domain.engagement import Engagement
from services.supplier.domain.values import (
    Coverage,
    Limits,
    check_text,
    engagement_uuid,
)


class Engagements(SupplierBase):
    def open_engagement(self, inquiry_id: str, escalation_version: int, supplier_id: str,
                        category: str, priority: str, kind: str, subject: str, reason: str,
                        escalated_at: datetime, correlation_id: str = "") -> EngagementView:
        """Record an escalation to a supplier, under the contract in force or with the gap.

        Idempotent: the id comes from (inquiry, escalation version), so a replayed
        escalation answers the engagement it opened before.
        """
        uid = engagement_uuid(inquiry_id, escalation_version)
        existing = self._find(uid)
        if isinstance(existing, Engagement):
            return self._engagement_view(existing)
        self.index_feed.catch_up()
        supplier = self._supplier(supplier_id) if supplier_id else None
        contract: Contract | None = None
        if supplier is None:
            coverage, gap = Coverage.UNKNOWN_SUPPLIER, f"no supplier {supplier_id!r}"
        elif supplier.retired_by(escalated_at):
            coverage, gap = Coverage.SUPPLIER_RETIRED, f"supplier {supplier_id} is retired"
        else:
            contracts = [self._contract(c) for c in self.index.contract_ids(supplier_id)]
            contract = select_contract(contracts, category, escalated_at)
            if contract is None:
                coverage = Coverage.NO_CONTRACT
                gap = gap_reason(contracts, supplier_id, category, escalated_at)
            else:
                coverage, gap = Coverage.COVERED, ""
        clock_terms = ""
        if contract is not None:
            clock_terms = json.dumps(contract.terms.clock_terms(priority), ensure_ascii=False,
                                     sort_keys=True)
        engagement = Engagement.open(
            inquiry_id=inquiry_id, escalation_version=int(escalation_version),
            supplier_id=supplier_id, contract_id=contract.contract_id if contract else "",
            contract_version=contract.version if contract else 0, coverage=str(coverage),
            gap_reason=gap, category=category, priority=priority, kind=kind,
            subject=subject, reason=reason, clock_terms_json=clock_terms,
            actor=SYSTEM_ACTOR, occurred_at=escalated_at, correlation_id=correlation_id)
        saved, _ = self._create(engagement, lambda e: None)
        return self._engagement_view(saved)

    def withdraw_open_engagements(self, inquiry_id: str, reason: str, at: datetime,
                                  before_version: int = 0, correlation_id: str = "") -> int:
        """Withdraw the inquiry's open engagements (escalated before ``before_version``)."""
        self.index_feed.catch_up()
        withdrawn = 0
        for row in self.index.open_engagements_of(inquiry_id):
            if before_version and row["escalation_version"] >= before_version:
                continue
            done: list[bool] = []

            def act(e: Engagement, done: list[bool] = done) -> bool:
                changed = e.withdraw(reason, actor=SYSTEM_ACTOR, occurred_at=at,
                                     correlation_id=correlation_id)
                done.append(changed)
                return changed

            self._change(UUID(row["engagement_id"]), Engagement, "engagement not found", act)
            withdrawn += int(bool(done and done[-1]))
        return withdrawn

    def list_engagements(self, *, supplier_id: str = "", status: str = "", coverage: str = "",
                         inquiry_id: str = "", page_size: int = 50, page_token: str = ""
                         ) -> Page:
        if not 0 <= page_size <= Limits.PAGE_SIZE:
            raise InvalidField([("page_size", f"must be between 0 and {Limits.PAGE_SIZE}")])
        page_size = page_size or 50
        after = page_tokens.decode(page_token, _engagement_position)
        self.index_feed.catch_up()
        rows = self.index.engagements(supplier_id=supplier_id, status=status,
                                      coverage=coverage, inquiry_id=inquiry_id, after=after,
                                      limit=page_size + 1)
        more = len(rows) > page_size
        rows = rows[:page_size]
        items = [self._engagement_view(self._find(UUID(r["engagement_id"]))) for r in rows]
        token = page_tokens.encode([rows[-1]["opened_us"], rows[-1]["engagement_id"]]) \
            if more and rows else ""
        return Page(items=items, next_page_token=token)

    def get_engagement(self, engagement_id: str, caller: str | None = None
                       ) -> EngagementView:
        engagement = self._engagement(engagement_id, caller)
        self.index_feed.catch_up()
        return self._engagement_view(engagement)

    def _portal(self, caller: str, engagement_id: str, meta: Meta,
                violations: list[tuple[str, str]],
                action: Callable[[Engagement, dict[str, Any]], bool]) -> EngagementView:
        engagement = self._engagement(engagement_id, caller or "")
        m = self._meta(Meta(meta.actor or caller, meta.occurred_at, meta.correlation_id),
                       violations)
        saved = self._change(engagement.id, Engagement,
                             f"engagement {engagement_id} not found",
                             lambda e: action(e, m))
        self.index_feed.catch_up()
        return self._engagement_view(saved)

    def acknowledge(self, caller: str, engagement_id: str, note: str, meta: Meta
                    ) -> EngagementView:
        v: list[tuple[str, str]] = []
        check_text(v, "note", note, Limits.NOTE)
        return self._portal(caller, engagement_id, meta, v,
                            lambda e, m: e.acknowledge(note, **m))

    def add_progress_note(self, caller: str, engagement_id: str, idempotency_key: str,
                          note: str, meta: Meta) -> EngagementView:
        v: list[tuple[str, str]] = []
        check_text(v, "idempotency_key", idempotency_key, Limits.IDEMPOTENCY_KEY,
                   required=True)
        check_text(v, "note", note, Limits.NOTE, required=True)
        return self._portal(caller, engagement_id, meta, v,
                            lambda e, m: e.note_progress(idempotency_key, note, **m))

    def resolve(self, caller: str, engagement_id: str, resolution: str, meta: Meta
                ) -> EngagementView:
        v: list[tuple[str, str]] = []
        check_text(v, "resolution", resolution, Limits.RESOLUTION, required=True)
        return self._portal(caller, engagement_id, meta, v,
                            lambda e, m: e.resolve(resolution, **m))

    def hand_back(self, caller: str, engagement_id: str, reason: str, meta: Meta
                  ) -> EngagementView:
        v: list[tuple[str, str]] = []
        check_text(v, "reason", reason, Limits.REASON, required=True)
        return self._portal(caller, engagement_id, meta, v,
                            lambda e, m: e.hand_back(reason, **m))


def _engagement_position(values: list[Any]) -> tuple[int, str]:
    """Where the next page of engagements starts: (opened_us, engagement_id) of the last."""
    opened_us, engagement_id = values
    return int(opened_us), str(UUID(engagement_id))
