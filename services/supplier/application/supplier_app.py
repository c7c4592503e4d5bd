"""SupplierApplication: suppliers, contracts, reviews, engagements, penalties (8.3.3).

Every accepted command is committed before it returns. Errors are ``madoguchi.errors``
kinds: InvalidField (naming the request field, e.g.
``terms.targets[0].acknowledge_minutes``), NotFound, TransitionNotAllowed,
VersionConflict (stale ``expected_version``), IdempotencyKeyReused (same key/code,
different content), Unauthenticated (portal calls without a supplier identity).

Portal calls take ``caller`` = the calling supplier's ``supplier_id`` (from the
authenticated identity); an engagement of another supplier is NOT_FOUND to them, with
the same message as a missing one. Creating calls are idempotent by code or key; other
commands retry on a concurrent write (the store's unique aggregate version) unless the
caller gave an ``expected_version``. Listings, penalties and dependency risk read the
SQL index (``index_feed``), caught up first so a caller reads its own writes.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from madoguchi.errors import (
    InvalidField,
    NotFound,
    Unauthenticated,
    VersionConflict,
)
from madoguchi.eventstream.save_listeners import SaveListeners
from madoguchi.servicelevels.supplier_risk import dependency_risk
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import DatabaseUrl
from services.supplier.adapters.engagement_index import EngagementIndex
from services.supplier.application.index_feed import IndexFeed, epoch_us
from services.supplier.application.views import (
    ContactView,
    ContractView,
    DependencyRisk,
    EngagementView,
    NoteView,
    Page,
    PenaltyLine,
    PenaltyMonth,
    ReviewActionView,
    ReviewView,
    SupplierShare,
    SupplierView,
)
from services.supplier.domain.contract import Contract, gap_reason, select_contract
from services.supplier.domain.engagement import Engagement
from services.supplier.domain.penalty import PenaltyLedger, breach_units
from services.supplier.domain.review import SupplierReview, review_fingerprint
from services.supplier.domain.supplier import Supplier
from services.supplier.domain.terms import ContractTerms, terms_json
from services.supplier.domain.values import (
    ActionStatus,
    Coverage,
    Limits,
    check_contract_code,
    check_supplier_code,
    check_text,
    contract_uuid,
    engagement_uuid,
    ledger_uuid,
    review_uuid,
    supplier_uuid,
)

log = logging.getLogger(__name__)
MAX_CONFLICT_RETRIES = 8
SYSTEM_ACTOR = "supplier-service"


@dataclass(frozen=True)
class Meta:
    """Who did it, when it happened (None: now), and the trace id."""

    actor: str = ""
    occurred_at: datetime | None = None
    correlation_id: str = ""


def index_database_for(env: dict[str, str] | None) -> SqlDatabase:
    """The SQL database of the index: the event store's own database.

    With the in-memory (POPO) store, a private temporary SQLite file.
    """
    env = {**os.environ, **(env or {})}
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module.endswith("sqlite"):
        from pathlib import Path

        return SqlDatabase(DatabaseUrl(kind="sqlite", path=Path(env["SQLITE_DBNAME"])))
    if module.endswith("postgres"):
        return SqlDatabase(DatabaseUrl(
            kind="postgres", dbname=env.get("POSTGRES_DBNAME", ""),
            host=env.get("POSTGRES_HOST", "localhost"),
            port=int(env.get("POSTGRES_PORT", "5432")), user=env.get("POSTGRES_USER", ""),
            password=env.get("POSTGRES_PASSWORD", ""), schema=env.get("POSTGRES_SCHEMA", "")))
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="madoguchi-supplier-index-")) / "index.db"
    return SqlDatabase(DatabaseUrl(kind="sqlite", path=path))


class SupplierApplication(SaveListeners, Application[UUID]):
    """The supplier service's write side, and its queries over the index."""

    name = "supplier"
    env: ClassVar[dict[str, str]] = {"IS_SNAPSHOTTING_ENABLED": "n"}
    # A contract's monthly ledger takes every accrual of that month: without snapshots each
    # accrual would replay all of them (bench/supplier.py saw p99 grow to seconds).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {PenaltyLedger: 50}

    def __init__(self, env: dict[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None,
                 db: SqlDatabase | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.db = db or index_database_for(env)
        self.index = EngagementIndex(self.db)
        self.index_feed = IndexFeed(self, self.index)
        self.add_listener(self.index_feed.wake)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.index_feed.stop()
        super().close()
        self.db.close()

    # ----- helpers -----

    def _meta(self, meta: Meta, violations: list[tuple[str, str]] | None = None
              ) -> dict[str, Any]:
        v: list[tuple[str, str]] = []
        check_text(v, "meta.actor", meta.actor, Limits.ACTOR)
        check_text(v, "meta.correlation_id", meta.correlation_id, Limits.CORRELATION_ID)
        occurred = meta.occurred_at
        now = self.clock()
        if occurred is not None:
            if occurred.tzinfo is None:
                v.append(("meta.occurred_at", "must carry a time zone"))
            elif occurred > now + timedelta(minutes=5):
                v.append(("meta.occurred_at", "must not be in the future"))
        v = (violations or []) + v
        if v:
            raise InvalidField(v)
        return {"actor": meta.actor, "occurred_at": occurred or now,
                "correlation_id": meta.correlation_id}

    def _find(self, aggregate_id: UUID, version: int | None = None) -> Any:
        try:
            return self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            return None

    def _create(self, aggregate: Any, replay: Callable[[Any], Any]) -> tuple[Any, bool]:
        """Save a new aggregate; if a concurrent call created it first, answer as its retry."""
        try:
            self.save(aggregate)
        except IntegrityError:
            existing = self._find(aggregate.id)
            replay(existing)
            return existing, True
        return aggregate, False

    def _change(self, aggregate_id: UUID, kind: type, missing: str,
                action: Callable[[Any], bool | None], expected_version: int = 0,
                is_retry: Callable[[Any], bool] | None = None) -> Any:
        """Load, check the version, apply ``action``, save; retry on a concurrent write.

        ``is_retry`` recognises a repeated call that already took effect before the
        version check, so an exact retry of a conditional call is answered as a replay.
        """
        if expected_version < 0:
            raise InvalidField([("expected_version", "must not be negative")])
        for _ in range(MAX_CONFLICT_RETRIES):
            aggregate = self._find(aggregate_id)
            if not isinstance(aggregate, kind):
                raise NotFound(missing)
            if is_retry is not None and is_retry(aggregate):
                return aggregate
            if expected_version and aggregate.version != expected_version:
                raise VersionConflict(f"{missing.split(' not found')[0]} is at version "
                                      f"{aggregate.version}, not {expected_version}")
            if action(aggregate) is False or not aggregate.pending_events:
                return aggregate
            try:
                self.save(aggregate)
            except IntegrityError:
                if expected_version:
                    raise VersionConflict("changed concurrently; reload and retry") from None
                continue
            return aggregate
        raise VersionConflict("too busy; retry")

    # ----- suppliers -----

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

    def _supplier(self, supplier_id: str) -> Supplier | None:
        found = self._find(supplier_uuid(supplier_id))
        return found if isinstance(found, Supplier) else None

    def get_supplier(self, supplier_id: str) -> SupplierView:
        supplier = self._supplier(supplier_id) if isinstance(supplier_id, str) else None
        if supplier is None:
            raise NotFound(f"supplier {supplier_id} not found")
        return supplier_view(supplier)

    def list_suppliers(self, include_retired: bool = False) -> list[SupplierView]:
        self.index_feed.catch_up()
        found = (self._supplier(s) for s in self.index.supplier_ids(include_retired))
        return [supplier_view(s) for s in found if s is not None]

    # ----- contracts -----

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

    def _contract(self, contract_id: str, version: int | None = None) -> Contract:
        found = self._find(contract_uuid(contract_id), version) \
            if isinstance(contract_id, str) else None
        if not isinstance(found, Contract):
            raise NotFound(f"contract {contract_id} not found"
                           + (f" at version {version}" if version else ""))
        return found

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

    # ----- reviews -----

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

    # ----- engagements: opened and withdrawn from the inquiry stream -----

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

    # ----- engagements: service desk view -----

    def list_engagements(self, *, supplier_id: str = "", status: str = "", coverage: str = "",
                         inquiry_id: str = "", page_size: int = 50, page_token: str = ""
                         ) -> Page:
        if not 0 <= page_size <= Limits.PAGE_SIZE:
            raise InvalidField([("page_size", f"must be between 0 and {Limits.PAGE_SIZE}")])
        page_size = page_size or 50
        after = _decode_token(page_token)
        self.index_feed.catch_up()
        rows = self.index.engagements(supplier_id=supplier_id, status=status,
                                      coverage=coverage, inquiry_id=inquiry_id, after=after,
                                      limit=page_size + 1)
        more = len(rows) > page_size
        rows = rows[:page_size]
        items = [self._engagement_view(self._find(UUID(r["engagement_id"]))) for r in rows]
        token = _encode_token(rows[-1]["opened_us"], rows[-1]["engagement_id"]) \
            if more and rows else ""
        return Page(items=items, next_page_token=token)

    def _engagement(self, engagement_id: str, caller: str | None) -> Engagement:
        if caller is not None and not caller:
            raise Unauthenticated("a supplier identity is required")
        missing = f"engagement {engagement_id} not found"
        try:
            uid = UUID(engagement_id)
        except (ValueError, AttributeError, TypeError):
            raise NotFound(missing) from None
        found = self._find(uid)
        if not isinstance(found, Engagement) or (caller is not None
                                                 and found.supplier_id != caller):
            raise NotFound(missing)
        return found

    def get_engagement(self, engagement_id: str, caller: str | None = None
                       ) -> EngagementView:
        engagement = self._engagement(engagement_id, caller)
        self.index_feed.catch_up()
        return self._engagement_view(engagement)

    def _engagement_view(self, engagement: Engagement) -> EngagementView:
        lines = self.index.penalty_lines(engagement_id=engagement.engagement_id)
        return engagement_view(engagement, tuple(penalty_line(r) for r in lines))

    # ----- engagements: the supplier's own calls (caller = its supplier_id) -----

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

    # ----- penalties and risk -----

    def accrue_penalty(self, *, signal_id: str, engagement_id: str, target: str, cycle: int,
                       stopped: bool, breached_at: datetime, elapsed_seconds: float = 0.0,
                       target_seconds: float = 0.0, correlation_id: str = "",
                       breached: bool = True) -> PenaltyLine | None:
        """Accrue what a supplier clock's breach (or its breached stop) adds; None: nothing.

        ``breached_at`` picks the ledger month (contract zone). The penalty rule is the
        one of the contract version the engagement pinned. Idempotent per clock. A stop
        within target (``breached`` false) reverses what the clock's breach had accrued,
        in the month it was booked.
        """
        try:
            engagement = self._engagement(engagement_id, None)
        except NotFound:
            log.warning("penalty signal %s: no engagement %s", signal_id, engagement_id)
            return None
        if not engagement.contract_id or not engagement.contract_version:
            return None
        contract = self._contract(engagement.contract_id, engagement.contract_version)
        terms = contract.terms
        if terms.penalty is None or not terms.penalty.amount:
            return None
        penalty = terms.penalty
        units = breach_units(penalty.rule, stopped=stopped, elapsed_seconds=elapsed_seconds,
                             target_seconds=target_seconds, breached=breached)
        month = terms.month_of(breached_at)
        if units == 0:
            self.index_feed.catch_up()
            booked = [row for row in self.index.penalty_lines(
                engagement_id=engagement.engagement_id, contract_id=contract.contract_id)
                if row["target"] == target and int(row["cycle"]) == int(cycle)]
            if not booked:
                return None
            month = str(booked[0]["month"])
        lid = ledger_uuid(contract.contract_id, month)
        at = self.clock()
        for _ in range(MAX_CONFLICT_RETRIES):
            ledger = self._find(lid)
            result = PenaltyLedger.accrue_on(
                ledger, contract_id=contract.contract_id, supplier_id=contract.supplier_id,
                month=month, engagement_id=engagement.engagement_id,
                inquiry_id=engagement.inquiry_id, target=target, cycle=int(cycle),
                rule=penalty.rule, units=units, unit_amount=penalty.amount,
                currency=penalty.currency, monthly_cap=penalty.monthly_cap,
                signal_id=signal_id, actor=SYSTEM_ACTOR, occurred_at=at,
                correlation_id=correlation_id)
            if result is None:
                return None
            ledger, found = result
            try:
                self.save(ledger)
            except IntegrityError:
                continue
            # The line as recorded, without a round trip through the index (hot path).
            return PenaltyLine(
                contract_id=contract.contract_id, supplier_id=contract.supplier_id,
                month=month, engagement_id=engagement.engagement_id,
                inquiry_id=engagement.inquiry_id, target=target, rule=penalty.rule,
                units=found.units, amount_due=found.amount_due,
                amount_accrued=found.amount_accrued, currency=penalty.currency,
                capped=found.capped, accrued_at=at)
        raise VersionConflict(f"penalty ledger {contract.contract_id}/{month} is too busy")

    def penalties(self, *, supplier_id: str = "", contract_id: str = "", month: str = ""
                  ) -> list[PenaltyMonth]:
        self.index_feed.catch_up()
        months: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in self.index.penalty_lines(supplier_id=supplier_id, contract_id=contract_id,
                                            month=month):
            months.setdefault((row["contract_id"], row["month"]), []).append(row)
        out = []
        for (cid, mon), rows in months.items():
            last = rows[-1]
            out.append(PenaltyMonth(
                contract_id=cid, supplier_id=last["supplier_id"], month=mon,
                currency=last["currency"], monthly_cap=int(last["monthly_cap"]),
                total=sum(int(r["amount_accrued"]) for r in rows),
                total_before_cap=sum(int(r["amount_due"]) for r in rows),
                lines=tuple(penalty_line(r) for r in rows)))
        return out

    def dependency_risk(self, *, since: datetime | None = None, until: datetime | None = None,
                        threshold: float = 0.8) -> list[DependencyRisk]:
        if not 0 < threshold <= 1:
            raise InvalidField([("threshold", "must be in (0, 1]")])
        self.index_feed.catch_up()
        counts = self.index.category_counts(epoch_us(since) if since else None,
                                            epoch_us(until) if until else None)
        return [DependencyRisk(
            category=r.category, engagements=r.engagements,
            suppliers=tuple(SupplierShare(s, n, share) for s, n, share in r.shares),
            single_supplier=r.single_supplier, top_share=r.top_share)
            for r in dependency_risk(counts, threshold)]


# ----- views -----


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise InvalidField([(field, "must be a UUID")]) from None


def _encode_token(opened_us: int, engagement_id: str) -> str:
    raw = json.dumps([int(opened_us), engagement_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> tuple[int, str] | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        opened_us, engagement_id = json.loads(raw)
        return int(opened_us), str(UUID(engagement_id))
    except (ValueError, TypeError):
        raise InvalidField([("page_token", "is not a token from a previous page")]) from None


def supplier_view(s: Supplier) -> SupplierView:
    return SupplierView(
        supplier_id=s.supplier_id, name=s.name, services=tuple(s.services),
        contacts=tuple(ContactView(c["name"], c.get("role", ""), c.get("email", ""),
                                   c.get("phone", "")) for c in s.contacts),
        retired=s.retired, version=s.version,
        registered_at=s.registered_at or s.created_on, updated_at=s.updated_at or s.modified_on)


def contract_view(c: Contract, latest_version: int, at: datetime) -> ContractView:
    terms = c.terms_data
    return ContractView(
        contract_id=c.contract_id, supplier_id=c.supplier_id, version=c.version,
        latest_version=latest_version, terms=json.loads(terms_json(terms)),
        valid_from=date.fromisoformat(terms["valid_from"]),
        valid_until=date.fromisoformat(terms["valid_until"]),
        terminated_on=date.fromisoformat(c.terminated_on) if c.terminated_on else None,
        status=str(c.status_at(at)), expiry_warned=c.expiry_warned,
        recorded_at=c.recorded_at or c.modified_on)


def review_view(r: SupplierReview) -> ReviewView:
    return ReviewView(
        review_id=r.review_id, supplier_id=r.supplier_id,
        held_on=date.fromisoformat(r.held_on), attendees=tuple(r.attendees),
        findings=r.findings,
        actions=tuple(ReviewActionView(
            action_id=a["action_id"], description=a["description"], owner=a["owner"],
            due_on=date.fromisoformat(a["due_on"]) if a["due_on"] else None,
            status=a["status"]) for a in r.actions),
        version=r.version)


def penalty_line(row: dict[str, Any]) -> PenaltyLine:
    return PenaltyLine(
        contract_id=row["contract_id"], supplier_id=row["supplier_id"], month=row["month"],
        engagement_id=row["engagement_id"], inquiry_id=row["inquiry_id"],
        target=row["target"], rule=row["rule"], units=int(row["units"]),
        amount_due=int(row["amount_due"]), amount_accrued=int(row["amount_accrued"]),
        currency=row["currency"], capped=bool(row["capped"]),
        accrued_at=datetime.fromtimestamp(int(row["accrued_us"]) / 1_000_000, UTC))


def engagement_view(e: Engagement, penalties: tuple[PenaltyLine, ...] = ()) -> EngagementView:
    return EngagementView(
        engagement_id=e.engagement_id, inquiry_id=e.inquiry_id, supplier_id=e.supplier_id,
        contract_id=e.contract_id, contract_version=e.contract_version, coverage=e.coverage,
        gap_reason=e.gap_reason, category=e.category, priority=e.priority, kind=e.kind,
        subject=e.subject, reason=e.reason, status=str(e.status),
        opened_at=e.opened_at or e.created_on, acknowledged_at=e.acknowledged_at,
        closed_at=e.closed_at, resolution=e.resolution, hand_back_reason=e.hand_back_reason,
        version=e.version,
        notes=tuple(NoteView(n["at"], n["actor"], n["kind"], n["text"]) for n in e.notes),
        penalties=penalties)

