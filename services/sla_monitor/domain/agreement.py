"""Service level agreements (ISO/IEC 20000-1 8.3.2): what was agreed, and its history.

An agreement's terms are a value (``AgreementTerms``); the ``Agreement`` aggregate keeps
every revision as an event, so the terms that applied to any inquiry can be shown later.
An inquiry's clocks pin the agreement version in force when it was received; a revision
applies to new inquiries only, unless it says ``apply_to_open``.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from madoguchi.errors import TransitionNotAllowed
from madoguchi.servicelevels.terms import AgreementTerms

AGREEMENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/sla/agreement")


def agreement_uuid(agreement_id: str) -> UUID:
    return uuid5(AGREEMENT_NAMESPACE, agreement_id)


class Agreement(Aggregate):
    """One customer agreement and every revision of it."""

    class Event(Aggregate.Event):
        agreement_id: str    # carried by every event, so each can be published on its own
        actor: str
        reason: str

    class Registered(Aggregate.Created, Event):
        terms: dict[str, Any]

    class Revised(Event):
        terms: dict[str, Any]
        apply_to_open: bool

        def apply(self, aggregate: Agreement) -> None:
            aggregate.terms_data = self.terms

    class Retired(Event):
        def apply(self, aggregate: Agreement) -> None:
            aggregate.retired = True

    def __init__(self, agreement_id: str, terms: dict[str, Any], actor: str,
                 reason: str) -> None:
        self.agreement_id = agreement_id
        self.terms_data = terms
        self.retired = False

    @classmethod
    def register(cls, agreement_id: str, terms: AgreementTerms, *, actor: str = "",
                 reason: str = "") -> Agreement:
        return cls._create(cls.Registered, id=agreement_uuid(agreement_id),
                           agreement_id=agreement_id, terms=terms.to_dict(), actor=actor,
                           reason=reason)

    @property
    def terms(self) -> AgreementTerms:
        return AgreementTerms.from_dict(self.terms_data)

    def revise(self, terms: AgreementTerms, *, apply_to_open: bool = False, actor: str = "",
               reason: str = "") -> bool:
        """Record new terms; identical terms record nothing (a retried call)."""
        if self.retired:
            raise TransitionNotAllowed(f"agreement {self.agreement_id} is retired")
        if terms.to_dict() == self.terms_data:
            return False
        self.trigger_event(self.Revised, agreement_id=self.agreement_id,
                           terms=terms.to_dict(), apply_to_open=apply_to_open, actor=actor,
                           reason=reason)
        return True

    def retire(self, *, actor: str = "", reason: str = "") -> None:
        if not self.retired:
            self.trigger_event(self.Retired, agreement_id=self.agreement_id, actor=actor,
                               reason=reason)
