"""The Contract aggregate: an underpinning contract and every version of its terms.

Each event that changes terms stores them whole, so the terms of any version can be
read back (``repository.get(id, version=n)``): an engagement pins the version in force
when it opened. Validity dates are inclusive, in the contract calendar's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from eventsourcing.domain import Aggregate

from madoguchi.errors import IdempotencyKeyReused, InvalidField, TransitionNotAllowed
from services.supplier.domain.terms import ContractTerms
from services.supplier.domain.values import ContractStatus, contract_uuid


class Contract(Aggregate):
    class Event(Aggregate.Event):
        contract_id: str
        supplier_id: str
        actor: str
        occurred_at: datetime
        correlation_id: str

    class Registered(Aggregate.Created, Event):
        terms: dict[str, Any]
        reason: str

        def apply(self, aggregate: Contract) -> None:
            aggregate.recorded_at = self.occurred_at

    class Amended(Event):
        terms: dict[str, Any]
        reason: str

        def apply(self, aggregate: Contract) -> None:
            aggregate._set_terms(self.terms, self.occurred_at)

    class Renewed(Event):
        terms: dict[str, Any]
        reason: str

        def apply(self, aggregate: Contract) -> None:
            aggregate._set_terms(self.terms, self.occurred_at)

    class Terminated(Event):
        terminated_on: str
        reason: str

        def apply(self, aggregate: Contract) -> None:
            aggregate.terminated_on = self.terminated_on
            aggregate.recorded_at = self.occurred_at

    class ExpiryWarned(Event):
        valid_until: str
        days_before: int

        def apply(self, aggregate: Contract) -> None:
            aggregate.warned_until = self.valid_until

    def __init__(self, contract_id: str, supplier_id: str, terms: dict[str, Any]) -> None:
        self.contract_id = contract_id
        self.supplier_id = supplier_id
        self.terms_data = terms
        self.registered_terms = terms
        self.terminated_on: str | None = None
        self.warned_until = ""        # valid_until the expiry warning was raised for
        self.recorded_at: datetime | None = None

    def _set_terms(self, terms: dict[str, Any], at: datetime) -> None:
        self.terms_data = terms
        self.recorded_at = at

    @classmethod
    def register(cls, contract_id: str, supplier_id: str, terms: ContractTerms, reason: str,
                 **meta: Any) -> Contract:
        return cls._create(cls.Registered, id=contract_uuid(contract_id),
                           contract_id=contract_id, supplier_id=supplier_id,
                           terms=terms.to_dict(), reason=reason, **meta)

    # ----- questions -----

    @property
    def terms(self) -> ContractTerms:
        return ContractTerms.from_dict(self.terms_data)

    @property
    def expiry_warned(self) -> bool:
        return bool(self.warned_until) and self.warned_until == self.terms_data["valid_until"]

    def last_day(self) -> date:
        """The last day in force: valid_until, or terminated_on when earlier."""
        until = date.fromisoformat(self.terms_data["valid_until"])
        if self.terminated_on is not None:
            until = min(until, date.fromisoformat(self.terminated_on))
        return until

    def status_on(self, day: date) -> ContractStatus:
        if self.terminated_on is not None and day > date.fromisoformat(self.terminated_on):
            return ContractStatus.TERMINATED
        if day < date.fromisoformat(self.terms_data["valid_from"]):
            return ContractStatus.PENDING
        if day > date.fromisoformat(self.terms_data["valid_until"]):
            return ContractStatus.EXPIRED
        return ContractStatus.ACTIVE

    def status_at(self, at: datetime) -> ContractStatus:
        return self.status_on(self.terms.local_date(at))

    def in_force_on(self, day: date) -> bool:
        return date.fromisoformat(self.terms_data["valid_from"]) <= day <= self.last_day()

    # ----- commands -----

    def check_replay(self, supplier_id: str, terms: ContractTerms) -> None:
        """A repeated registration: same supplier, and the terms registered (or current)."""
        if self.supplier_id != supplier_id or terms.to_dict() not in (
                self.registered_terms, self.terms_data):
            raise IdempotencyKeyReused(
                f"contract {self.contract_id} is registered with other terms: amend it")

    def _require_open(self) -> None:
        if self.terminated_on is not None:
            raise TransitionNotAllowed(
                f"contract {self.contract_id} was terminated on {self.terminated_on}")

    def amend(self, terms: ContractTerms, reason: str, **meta: Any) -> bool:
        """New terms from now on; the current terms again record nothing (a retry)."""
        if terms.to_dict() == self.terms_data:
            return False
        self._require_open()
        self.trigger_event(self.Amended, contract_id=self.contract_id,
                           supplier_id=self.supplier_id, terms=terms.to_dict(), reason=reason,
                           **meta)
        return True

    def renew(self, valid_until: date, terms: ContractTerms | None, reason: str,
              **meta: Any) -> bool:
        """Extend the validity (optionally with new terms); a repeated renewal is a retry."""
        base = (terms or self.terms).to_dict()
        base["valid_until"] = valid_until.isoformat()
        new = ContractTerms.from_dict(base)
        if new.to_dict() == self.terms_data:
            return False
        self._require_open()
        if valid_until <= date.fromisoformat(self.terms_data["valid_until"]):
            raise InvalidField([("valid_until", "must be after the current valid_until "
                                                f"{self.terms_data['valid_until']}")])
        self.trigger_event(self.Renewed, contract_id=self.contract_id,
                           supplier_id=self.supplier_id, terms=new.to_dict(), reason=reason,
                           **meta)
        return True

    def terminate(self, terminated_on: date, reason: str, **meta: Any) -> bool:
        day = terminated_on.isoformat()
        if self.terminated_on == day:
            return False
        self._require_open()
        if terminated_on > date.fromisoformat(self.terms_data["valid_until"]):
            raise InvalidField([("terminated_on", "must not be after valid_until "
                                                  f"{self.terms_data['valid_until']}")])
        self.trigger_event(self.Terminated, contract_id=self.contract_id,
                           supplier_id=self.supplier_id, terminated_on=day, reason=reason,
                           **meta)
        return True

    def expiry_warning_due(self, now: datetime) -> int | None:
        """Days before valid_until when the warning is due now and not yet raised, else None."""
        terms = self.terms
        if self.terminated_on is not None or self.expiry_warned or not terms.expiry_warning_days:
            return None
        today = terms.local_date(now)
        if today > terms.valid_until:
            return None       # expired already: a warning would be news to nobody
        if today < terms.valid_until - timedelta(days=terms.expiry_warning_days):
            return None
        return (terms.valid_until - today).days

    def raise_expiry_warning(self, now: datetime, **meta: Any) -> bool:
        days = self.expiry_warning_due(now)
        if days is None:
            return False
        self.trigger_event(self.ExpiryWarned, contract_id=self.contract_id,
                           supplier_id=self.supplier_id,
                           valid_until=self.terms_data["valid_until"], days_before=days,
                           **meta)
        return True


def select_contract(contracts: Iterable[Contract], category: str, at: datetime
                    ) -> Contract | None:
    """The contract applying to an escalation of ``category`` at ``at``, if any.

    In force on the local date of ``at`` (valid_from <= date <= min(valid_until,
    terminated_on)) and covering the category (no covers = every category); of several,
    the one with the latest valid_from, then the greatest contract_id.
    """
    found = [c for c in contracts
             if c.in_force_on(c.terms.local_date(at)) and c.terms.covers_category(category)]
    if not found:
        return None
    return max(found, key=lambda c: (c.terms_data["valid_from"], c.contract_id))


def gap_reason(contracts: Iterable[Contract], supplier_id: str, category: str,
               at: datetime) -> str:
    """Why no contract of the supplier applies (for the NO_CONTRACT engagement)."""
    contracts = list(contracts)
    if not contracts:
        return f"supplier {supplier_id} has no contract"
    in_force = [c for c in contracts if c.in_force_on(c.terms.local_date(at))]
    if not in_force:
        return (f"no contract of supplier {supplier_id} is in force on "
                f"{contracts[0].terms.local_date(at).isoformat()}")
    return f"no contract of supplier {supplier_id} in force covers category {category!r}"
