"""Suppliers, their contracts and the reviews held with them (ISO/IEC 20000-1 8.3.3)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from uuid import UUID

from madoguchi.errors import (
    InvalidField,
    NotFound,
)
from services.supplier.application.base import SYSTEM_ACTOR, Meta, SupplierBase
from services.supplier.application.views import (
    ContactView,
    ContractView,
    ReviewActionView,
    ReviewView,
    SupplierView,
    contract_view,
    review_view,
    supplier_view,
)
from services.supplier.domain.contract import Contract
from services.supplier.domain.review import SupplierReview, review_fingerprint
from services.supplier.domain.supplier import Supplier
from services.supplier.domain.terms import ContractTerms
from services.supplier.domain.values import (
    ActionStatus,
    Limits,
    check_contract_code,
    check_supplier_code,
    check_text,
    contract_uuid,
    review_uuid,
    supplier_uuid,
)

log = logging.getLogger(__name__)


class SupplierRegistry(SupplierBase):
    @staticmethod
    def _supplier_fields(name: str, services: list[str], contacts: list[ContactView]
                         ) -> tuple[list[str], list[dict[str, str]], list[tuple[str, str]]]:
        v: list[tuple[str, str]] = []
        check_text(v, "name", name, Limits.NAME, required=True)
        services = list(services or [])
        if len(services) > Limits.SERVICES:
            v.append(("services", f"must list at most {Limits.SERVICES} services"))
        for i, s in enumerate(services):
            check_text(v, f"services[{i}]", s, Limits.SERVICE, required=True)
        contacts = list(contacts or [])
        if len(contacts) > Limits.CONTACTS:
            v.append(("contacts", f"must list at most {Limits.CONTACTS} contacts"))
        plain = []
        for i, c in enumerate(contacts):
            check_text(v, f"contacts[{i}].name", c.name, Limits.NAME, required=True)
            for attr in ("role", "email", "phone"):
                check_text(v, f"contacts[{i}].{attr}", getattr(c, attr), Limits.CONTACT_FIELD)
            plain.append({"name": c.name, "role": c.role, "email": c.email, "phone": c.phone})
        return services, plain, v

    def register_supplier(self, supplier_id: str, name: str, services: list[str],
                          contacts: list[ContactView], meta: Meta, reason: str = ""
                          ) -> tuple[SupplierView, bool]:
        """Register; the same code with the same content again is a replay (True)."""
        check_supplier_code(supplier_id)
        services, plain, v = self._supplier_fields(name, services, contacts)
        check_text(v, "reason", reason, Limits.REASON)
        m = self._meta(meta, v)
        existing = self._find(supplier_uuid(supplier_id))
        if existing is not None:
            existing.check_replay(name, services, plain)
            return supplier_view(existing), True
        supplier = Supplier.register(supplier_id, name, services, plain, reason, **m)
        saved, replayed = self._create(
            supplier, lambda s: s.check_replay(name, services, plain))
        return supplier_view(saved), replayed

    def update_supplier(self, supplier_id: str, name: str, services: list[str],
                        contacts: list[ContactView], meta: Meta, reason: str = "",
                        expected_version: int = 0) -> SupplierView:
        check_supplier_code(supplier_id)
        services, plain, v = self._supplier_fields(name, services, contacts)
        check_text(v, "reason", reason, Limits.REASON)
        m = self._meta(meta, v)
        supplier = self._change(
            supplier_uuid(supplier_id), Supplier, f"supplier {supplier_id} not found",
            lambda s: s.update(name, services, plain, reason, **m), expected_version)
        return supplier_view(supplier)

    def retire_supplier(self, supplier_id: str, meta: Meta, reason: str = ""
                        ) -> SupplierView:
        check_supplier_code(supplier_id)
        v: list[tuple[str, str]] = []
        check_text(v, "reason", reason, Limits.REASON)
        m = self._meta(meta, v)
        supplier = self._change(supplier_uuid(supplier_id), Supplier,
                                f"supplier {supplier_id} not found",
                                lambda s: s.retire(reason, **m))
        return supplier_view(supplier)

    def get_supplier(self, supplier_id: str) -> SupplierView:
        supplier = self._supplier(supplier_id) if isinstance(supplier_id, str) else None
        if supplier is None:
            raise NotFound(f"supplier {supplier_id} not found")
        return supplier_view(supplier)

    def list_suppliers(self, include_retired: bool = False) -> list[SupplierView]:
        self.index_feed.catch_up()
        found = (self._supplier(s) for s in self.index.supplier_ids(include_retired))
        return [supplier_view(s) for s in found if s is not None]

    def register_contract(self, contract_id: str, supplier_id: str, terms: dict[str, Any],
                          meta: Meta, reason: str = "") -> tuple[ContractView, bool]:
        check_contract_code(contract_id)
        check_supplier_code(supplier_id)
        parsed = ContractTerms.from_dict(terms)
        v: list[tuple[str, str]] = []
        check_text(v, "reason", reason, Limits.REASON)
        m = self._meta(meta, v)
        existing = self._find(contract_uuid(contract_id))
        if isinstance(existing, Contract):
            existing.check_replay(supplier_id, parsed)
            return self._contract_view(existing), True
        if self._supplier(supplier_id) is None:
            raise NotFound(f"supplier {supplier_id} not found")
        contract = Contract.register(contract_id, supplier_id, parsed, reason, **m)
        saved, replayed = self._create(contract, lambda c: c.check_replay(supplier_id, parsed))
        return self._contract_view(saved), replayed

    def amend_contract(self, contract_id: str, terms: dict[str, Any], meta: Meta,
                       reason: str = "", expected_version: int = 0) -> ContractView:
        check_contract_code(contract_id)
        parsed = ContractTerms.from_dict(terms)
        v: list[tuple[str, str]] = []
        check_text(v, "reason", reason, Limits.REASON)
        m = self._meta(meta, v)
        contract = self._change(
            contract_uuid(contract_id), Contract, f"contract {contract_id} not found",
            lambda c: c.amend(parsed, reason, **m), expected_version,
            is_retry=lambda c: c.terms_data == parsed.to_dict())
        return self._contract_view(contract)

    def renew_contract(self, contract_id: str, valid_until: date, meta: Meta,
                       terms: dict[str, Any] | None = None, reason: str = "",
                       expected_version: int = 0) -> ContractView:
        check_contract_code(contract_id)
        if not isinstance(valid_until, date):
            raise InvalidField([("valid_until", "is required")])
        parsed = None
        if terms:
            parsed = ContractTerms.from_dict({**terms, "valid_until": valid_until.isoformat()})
        v: list[tuple[str, str]] = []
        check_text(v, "reason", reason, Limits.REASON)
        m = self._meta(meta, v)

        def same(c: Contract) -> bool:
            base = (parsed or c.terms).to_dict()
            base["valid_until"] = valid_until.isoformat()
            return c.terms_data == base

        contract = self._change(
            contract_uuid(contract_id), Contract, f"contract {contract_id} not found",
            lambda c: c.renew(valid_until, parsed, reason, **m), expected_version,
            is_retry=same)
        return self._contract_view(contract)

    def terminate_contract(self, contract_id: str, terminated_on: date, meta: Meta,
                           reason: str = "") -> ContractView:
        check_contract_code(contract_id)
        v: list[tuple[str, str]] = []
        if not isinstance(terminated_on, date):
            v.append(("terminated_on", "is required"))
        check_text(v, "reason", reason, Limits.REASON, required=True)
        m = self._meta(meta, v)
        contract = self._change(contract_uuid(contract_id), Contract,
                                f"contract {contract_id} not found",
                                lambda c: c.terminate(terminated_on, reason, **m))
        return self._contract_view(contract)

    def _contract_view(self, contract: Contract, latest: int = 0,
                       at: datetime | None = None) -> ContractView:
        return contract_view(contract, latest or contract.version, at or self.clock())

    def get_contract(self, contract_id: str, version: int = 0) -> ContractView:
        latest = self._contract(contract_id)
        if not version or version == latest.version:
            return self._contract_view(latest)
        if version < 0 or version > latest.version:
            raise NotFound(f"contract {contract_id} not found at version {version}")
        return self._contract_view(self._contract(contract_id, version), latest.version)

    def contract_history(self, contract_id: str) -> list[ContractView]:
        latest = self._contract(contract_id)
        views = []
        for event in self.events.get(latest.id):
            if isinstance(event, Contract.ExpiryWarned):
                continue
            views.append(self._contract_view(
                self._contract(contract_id, event.originator_version), latest.version))
        return views

    def list_contracts(self, supplier_id: str = "", expiring_within_days: int = 0,
                       at: datetime | None = None) -> list[ContractView]:
        if expiring_within_days < 0:
            raise InvalidField([("expiring_within_days", "must not be negative")])
        self.index_feed.catch_up()
        at = at or self.clock()
        views = []
        for contract_id in self.index.contract_ids(supplier_id):
            contract = self._contract(contract_id)
            if expiring_within_days:
                today = contract.terms.local_date(at)
                if contract.status_on(today) != "ACTIVE" or \
                        (contract.last_day() - today).days > expiring_within_days:
                    continue
            views.append(contract_view(contract, contract.version, at))
        return views

    def raise_expiry_warnings(self, now: datetime | None = None) -> int:
        """Record ContractExpiryWarned for each contract whose warning is due; return how many."""
        now = now or self.clock()
        self.index_feed.catch_up()
        raised = 0
        for contract_id in self.index.contract_ids():
            try:
                contract = self._contract(contract_id)
                if contract.expiry_warning_due(now) is None:
                    continue
                self._change(contract.id, Contract, f"contract {contract_id} not found",
                             lambda c: c.raise_expiry_warning(
                                 now, actor=SYSTEM_ACTOR, occurred_at=now, correlation_id=""))
                raised += 1
            except Exception as error:   # one bad contract must not stop the others
                log.warning("contract %s: expiry warning failed: %s", contract_id, error)
        return raised

    def record_review(self, idempotency_key: str, supplier_id: str, held_on: date,
                      attendees: list[str], findings: str, actions: list[ReviewActionView],
                      meta: Meta) -> tuple[ReviewView, bool]:
        v: list[tuple[str, str]] = []
        check_text(v, "idempotency_key", idempotency_key, Limits.IDEMPOTENCY_KEY,
                   required=True)
        check_supplier_code(supplier_id)
        if not isinstance(held_on, date):
            v.append(("held_on", "is required"))
        attendees = list(attendees or [])
        if len(attendees) > Limits.ATTENDEES:
            v.append(("attendees", f"must list at most {Limits.ATTENDEES} people"))
        for i, a in enumerate(attendees):
            check_text(v, f"attendees[{i}]", a, Limits.NAME, required=True)
        check_text(v, "findings", findings, Limits.FINDINGS)
        plain: list[dict[str, str]] = []
        actions = list(actions or [])
        if len(actions) > Limits.ACTIONS:
            v.append(("actions", f"must list at most {Limits.ACTIONS} actions"))
        for i, a in enumerate(actions):
            action_id = a.action_id or f"a{i + 1}"
            check_text(v, f"actions[{i}].action_id", action_id, 64)
            check_text(v, f"actions[{i}].description", a.description, Limits.DESCRIPTION,
                       required=True)
            check_text(v, f"actions[{i}].owner", a.owner, Limits.NAME)
            status = a.status or ActionStatus.OPEN
            if status not in tuple(ActionStatus):
                v.append((f"actions[{i}].status", "must be OPEN, IN_PROGRESS, DONE or DROPPED"))
            if action_id in {p["action_id"] for p in plain}:
                v.append((f"actions[{i}].action_id", f"{action_id!r} is given twice"))
            plain.append({"action_id": action_id, "description": a.description,
                          "owner": a.owner,
                          "due_on": a.due_on.isoformat() if a.due_on else "",
                          "status": str(status)})
        m = self._meta(meta, v)
        held = held_on.isoformat()
        fingerprint = review_fingerprint(supplier_id, held, attendees, findings, plain)
        existing = self._find(review_uuid(idempotency_key))
        if isinstance(existing, SupplierReview):
            existing.check_replay(fingerprint)
            return review_view(existing), True
        if self._supplier(supplier_id) is None:
            raise NotFound(f"supplier {supplier_id} not found")
        review = SupplierReview.record(idempotency_key, supplier_id, held, attendees,
                                       findings, plain, **m)
        saved, replayed = self._create(review, lambda r: r.check_replay(fingerprint))
        return review_view(saved), replayed

    def update_review_action(self, review_id: str, action_id: str, status: str, note: str,
                             meta: Meta) -> ReviewView:
        v: list[tuple[str, str]] = []
        if status not in tuple(ActionStatus):
            v.append(("status", "must be OPEN, IN_PROGRESS, DONE or DROPPED"))
        check_text(v, "note", note, Limits.NOTE)
        check_text(v, "action_id", action_id, 64, required=True)
        m = self._meta(meta, v)
        uid = _uuid(review_id, "review_id")
        review = self._change(uid, SupplierReview, f"review {review_id} not found",
                              lambda r: r.update_action(action_id, status, note, **m))
        return review_view(review)

    def list_reviews(self, supplier_id: str) -> list[ReviewView]:
        self.index_feed.catch_up()
        found = (self._find(UUID(r)) for r in self.index.review_ids(supplier_id))
        return [review_view(r) for r in found if isinstance(r, SupplierReview)]


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise InvalidField([(field, "must be a UUID")]) from None
