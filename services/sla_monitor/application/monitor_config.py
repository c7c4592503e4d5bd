"""Agreements and the on-call set-up as the clocks need them: cached, refreshed often.

Terms of a given agreement version never change, so they are cached for good. Which
version is current, and the on-call set-up, are re-read every few seconds (and at once
after a local change), so changes made through another instance reach this one quickly.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from madoguchi.errors import NotFound
from madoguchi.servicelevels.terms import AgreementTerms
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.domain.agreement import Agreement
from services.sla_monitor.domain.oncall.plain_data import (
    person_from_dict,
    route_rule_from_dict,
    team_from_dict,
)
from services.sla_monitor.domain.oncall.routing import AlertFacts, RouteRule, route
from services.sla_monitor.domain.oncall.teams import (
    HeartbeatReceiver,
    Person,
    Team,
    heartbeat_from_dict,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnCall:
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    routes: tuple[RouteRule, ...] = ()
    default_team: str = ""
    heartbeat: HeartbeatReceiver = field(default_factory=HeartbeatReceiver)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OnCall:
        people = [person_from_dict(p) for p in data.get("people") or []]
        teams = [team_from_dict(t) for t in data.get("teams") or []]
        return cls(people={p.id: p for p in people}, teams={t.id: t for t in teams},
                   routes=tuple(route_rule_from_dict(r) for r in data.get("routes") or []),
                   default_team=str(data.get("default_team") or ""),
                   heartbeat=heartbeat_from_dict(data.get("heartbeat")))

    def team_for(self, facts: AlertFacts) -> str:
        return route(facts, self.routes, self.default_team)


@dataclass(frozen=True)
class AgreementState:
    agreement_id: str
    version: int
    terms: AgreementTerms
    retired: bool
    # Newest version reached from each older one through revisions marked apply_to_open.
    carried_to: dict[int, int]
    # (recorded at, version) of every change, oldest first: which version was in force when.
    changes: tuple[tuple[datetime, int], ...] = ()
    retired_at: datetime | None = None

    def version_at(self, at: datetime) -> int:
        """The version in force at ``at`` (the first one for times before registration)."""
        version = self.changes[0][1] if self.changes else self.version
        for recorded_at, changed in self.changes:
            if recorded_at > at:
                break
            version = changed
        return version


class MonitorConfig:
    def __init__(self, app: SlaMonitorApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._terms: dict[tuple[str, int], AgreementTerms] = {}
        self._current: dict[str, AgreementState] = {}
        self.default_agreement = ""
        self.on_call = OnCall()

    def refresh(self) -> list[str]:
        """Re-read the directory and every agreement; return agreements with a new version."""
        directory = self.app.directory()
        changed = []
        current: dict[str, AgreementState] = {}
        for agreement_id in directory.agreement_ids:
            known = self._current.get(agreement_id)
            try:
                agreement = self.app.agreement(agreement_id)
            except NotFound:
                continue
            if known is not None and known.version == agreement.version:
                current[agreement_id] = known
                continue
            current[agreement_id] = self._state(agreement)
            if known is not None:
                changed.append(agreement_id)
        on_call = OnCall.from_dict(directory.on_call)
        with self._lock:
            self._current = current
            self.default_agreement = directory.default_agreement
            self.on_call = on_call
        return changed

    def _state(self, agreement: Agreement) -> AgreementState:
        history = list(self.app.agreement_history(agreement.agreement_id))
        carried: dict[int, int] = {}
        newest_carried = 0
        for event in reversed(history):
            version = int(event.originator_version)
            if isinstance(event, Agreement.Revised) and event.apply_to_open:
                newest_carried = newest_carried or version
            if newest_carried and version < newest_carried:
                carried[version] = newest_carried
        changes = tuple((e.timestamp, int(e.originator_version)) for e in history
                        if not isinstance(e, Agreement.Retired))
        retired_at = next((e.timestamp for e in history if isinstance(e, Agreement.Retired)),
                          None)
        terms = agreement.terms
        self._terms[(agreement.agreement_id, agreement.version)] = terms
        return AgreementState(agreement.agreement_id, agreement.version, terms,
                              agreement.retired, carried, changes, retired_at)

    def for_new_inquiry(self, agreement_id: str, received_at: datetime | None = None
                        ) -> tuple[str, int] | None:
        """(agreement, version) that applied when the inquiry was received.

        An unknown agreement, or one retired by then, falls back to the default agreement.
        Processing late (after downtime, or replaying) still gives the version of the day.
        """
        with self._lock:
            found = self._current.get(agreement_id)
            at = received_at
            if found is None or (found.retired_at is not None and
                                 (at is None or found.retired_at <= at)):
                found = self._current.get(self.default_agreement)
            if found is None:
                return None
            return found.agreement_id, found.version_at(at) if at else found.version

    def terms(self, agreement_id: str, version: int) -> AgreementTerms:
        key = (agreement_id, version)
        terms = self._terms.get(key)
        if terms is None:
            terms = self.app.agreement(agreement_id, version).terms
            self._terms[key] = terms
        return terms

    def carried_version(self, agreement_id: str, version: int) -> int:
        """The version an inquiry pinned to ``version`` follows now (apply_to_open revisions)."""
        with self._lock:
            state = self._current.get(agreement_id)
        if state is None:
            return version
        return state.carried_to.get(version, version)
