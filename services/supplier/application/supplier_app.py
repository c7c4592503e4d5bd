"""SupplierApplication: suppliers, contracts, reviews, engagements and penalties (ISO/IEC 20000-1 8.3.3).

INTERFACE SKELETON — the gRPC adapter is written against these signatures; the bodies
are being implemented. Every accepted command is committed before it returns. Errors
are ``madoguchi.errors`` kinds: InvalidField (naming the request field, e.g.
``terms.targets[0].acknowledge_minutes``), NotFound, TransitionNotAllowed,
VersionConflict (stale ``expected_version``), IdempotencyKeyReused (same key/code,
different content), Unauthenticated (portal calls without a supplier identity).

Portal calls take ``caller`` = the calling supplier's ``supplier_id`` (from the
authenticated identity); an engagement of another supplier is NOT_FOUND to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.supplier.application.views import (
    ContactView,
    ContractView,
    DependencyRisk,
    EngagementView,
    Page,
    PenaltyMonth,
    ReviewActionView,
    ReviewView,
    SupplierView,
)


@dataclass(frozen=True)
class Meta:
    """Who did it, when it happened (None: now), and the trace id."""

    actor: str = ""
    occurred_at: datetime | None = None
    correlation_id: str = ""


class SupplierApplication:
    # ----- suppliers -----
    def register_supplier(self, supplier_id: str, name: str, services: list[str],
                          contacts: list[ContactView], meta: Meta, reason: str = ""
                          ) -> tuple[SupplierView, bool]:
        """Register; the same code with the same content again is a replay (True)."""
        raise NotImplementedError

    def update_supplier(self, supplier_id: str, name: str, services: list[str],
                        contacts: list[ContactView], meta: Meta, reason: str = "",
                        expected_version: int = 0) -> SupplierView: raise NotImplementedError

    def retire_supplier(self, supplier_id: str, meta: Meta, reason: str = ""
                        ) -> SupplierView: raise NotImplementedError

    def get_supplier(self, supplier_id: str) -> SupplierView: raise NotImplementedError

    def list_suppliers(self, include_retired: bool = False) -> list[SupplierView]:
        raise NotImplementedError

    # ----- contracts -----
    def register_contract(self, contract_id: str, supplier_id: str, terms: dict[str, Any],
                          meta: Meta, reason: str = "") -> tuple[ContractView, bool]:
        raise NotImplementedError

    def amend_contract(self, contract_id: str, terms: dict[str, Any], meta: Meta,
                       reason: str = "", expected_version: int = 0) -> ContractView:
        raise NotImplementedError

    def renew_contract(self, contract_id: str, valid_until: date, meta: Meta,
                       terms: dict[str, Any] | None = None, reason: str = "",
                       expected_version: int = 0) -> ContractView: raise NotImplementedError

    def terminate_contract(self, contract_id: str, terminated_on: date, meta: Meta,
                           reason: str = "") -> ContractView: raise NotImplementedError

    def get_contract(self, contract_id: str, version: int = 0) -> ContractView:
        raise NotImplementedError

    def contract_history(self, contract_id: str) -> list[ContractView]:
        raise NotImplementedError

    def list_contracts(self, supplier_id: str = "", expiring_within_days: int = 0,
                       at: datetime | None = None) -> list[ContractView]:
        raise NotImplementedError

    # ----- reviews -----
    def record_review(self, idempotency_key: str, supplier_id: str, held_on: date,
                      attendees: list[str], findings: str, actions: list[ReviewActionView],
                      meta: Meta) -> tuple[ReviewView, bool]: raise NotImplementedError

    def update_review_action(self, review_id: str, action_id: str, status: str, note: str,
                             meta: Meta) -> ReviewView: raise NotImplementedError

    def list_reviews(self, supplier_id: str) -> list[ReviewView]: raise NotImplementedError

    # ----- engagements: service desk view -----
    def list_engagements(self, *, supplier_id: str = "", status: str = "", coverage: str = "",
                         inquiry_id: str = "", page_size: int = 50, page_token: str = ""
                         ) -> Page: raise NotImplementedError

    def get_engagement(self, engagement_id: str, caller: str | None = None
                       ) -> EngagementView: raise NotImplementedError

    # ----- engagements: the supplier's own calls (caller = its supplier_id) -----
    def acknowledge(self, caller: str, engagement_id: str, note: str, meta: Meta
                    ) -> EngagementView: raise NotImplementedError

    def add_progress_note(self, caller: str, engagement_id: str, idempotency_key: str,
                          note: str, meta: Meta) -> EngagementView: raise NotImplementedError

    def resolve(self, caller: str, engagement_id: str, resolution: str, meta: Meta
                ) -> EngagementView: raise NotImplementedError

    def hand_back(self, caller: str, engagement_id: str, reason: str, meta: Meta
                  ) -> EngagementView: raise NotImplementedError

    # ----- penalties and risk -----
    def penalties(self, *, supplier_id: str = "", contract_id: str = "", month: str = ""
                  ) -> list[PenaltyMonth]: raise NotImplementedError

    def dependency_risk(self, *, since: datetime | None = None, until: datetime | None = None,
                        threshold: float = 0.8) -> list[DependencyRisk]:
        raise NotImplementedError
