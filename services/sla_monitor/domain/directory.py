"""The monitor's directory: which agreements exist, and who is on call for what.

One aggregate, so that registering an agreement and listing it happen in one atomic
save, and every change of the on-call set-up (people, teams, rotations, escalation
policies, routing) is kept as history.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

DIRECTORY_ID: UUID = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/sla/directory")


class Directory(Aggregate):
    class Event(Aggregate.Event):
        actor: str

    class Opened(Aggregate.Created, Event):
        pass

    class AgreementListed(Event):
        agreement_id: str

        def apply(self, aggregate: Directory) -> None:
            aggregate.agreement_ids.append(self.agreement_id)

    class DefaultAgreementSet(Event):
        agreement_id: str

        def apply(self, aggregate: Directory) -> None:
            aggregate.default_agreement = self.agreement_id

    class OnCallConfigured(Event):
        on_call: dict[str, Any]   # people, teams, routes, default_team (plain data)

        def apply(self, aggregate: Directory) -> None:
            aggregate.on_call = self.on_call

    def __init__(self, actor: str) -> None:
        self.agreement_ids: list[str] = []
        self.default_agreement = ""
        self.on_call: dict[str, Any] = {"people": [], "teams": [], "routes": [],
                                        "default_team": ""}

    @classmethod
    def open(cls, actor: str = "") -> Directory:
        return cls._create(cls.Opened, id=DIRECTORY_ID, actor=actor)

    def list_agreement(self, agreement_id: str, actor: str = "") -> None:
        if agreement_id not in self.agreement_ids:
            self.trigger_event(self.AgreementListed, agreement_id=agreement_id, actor=actor)

    def set_default_agreement(self, agreement_id: str, actor: str = "") -> None:
        if agreement_id != self.default_agreement:
            self.trigger_event(self.DefaultAgreementSet, agreement_id=agreement_id, actor=actor)

    def configure_on_call(self, on_call: dict[str, Any], actor: str = "") -> bool:
        if on_call == self.on_call:
            return False
        self.trigger_event(self.OnCallConfigured, on_call=on_call, actor=actor)
        return True
