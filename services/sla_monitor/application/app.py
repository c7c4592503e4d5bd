"""The monitor's write side: agreements, on-call set-up, clock signals and alerts.

Everything here is an ``eventsourcing`` aggregate in the monitor's own event store; the
outbox relay publishes the signals and alert events to Kafka from its notification log.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from madoguchi.aggregate_change import change_aggregate
from madoguchi.errors import InvalidField, NotFound, VersionConflict
from madoguchi.eventstream.save_listeners import SaveListeners
from madoguchi.observability.outbox_mapper import MAPPER_ENV
from madoguchi.servicelevels.terms import AgreementTerms
from services.sla_monitor.domain.agreement import Agreement, agreement_uuid
from services.sla_monitor.domain.alert import Alert
from services.sla_monitor.domain.directory import DIRECTORY_ID, Directory
from services.sla_monitor.domain.oncall.plain_data import (
    person_from_dict,
    person_to_dict,
    route_rule_from_dict,
    route_rule_to_dict,
    team_from_dict,
    team_to_dict,
)
from services.sla_monitor.domain.oncall.teams import heartbeat_from_dict, heartbeat_to_dict

log = logging.getLogger(__name__)
AGREEMENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_agreement_id(agreement_id: str, field: str = "agreement_id") -> None:
    if not AGREEMENT_ID_PATTERN.match(agreement_id or ""):
        raise InvalidField([(field, "must be 1-64 letters, digits, '.', '_' or '-'")])


class SlaMonitorApplication(SaveListeners, Application[UUID]):
    name = "sla_monitor"
    env: ClassVar[dict[str, str]] = {"IS_SNAPSHOTTING_ENABLED": "n", **MAPPER_ENV}

    def __init__(self, env: dict[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._config_lock = threading.Lock()

    # ----- directory -----

    def directory(self) -> Directory:
        try:
            return self.repository.get(DIRECTORY_ID)
        except AggregateNotFoundError:
            return Directory.open()

    # ----- agreements -----

    def agreement(self, agreement_id: str, version: int | None = None) -> Agreement:
        try:
            return self.repository.get(agreement_uuid(agreement_id), version=version)
        except AggregateNotFoundError:
            raise NotFound(f"no agreement {agreement_id!r}"
                           + (f" at version {version}" if version else "")) from None

    def agreement_history(self, agreement_id: str) -> list[Any]:
        events = list(self.events.get(agreement_uuid(agreement_id)))
        if not events:
            raise NotFound(f"no agreement {agreement_id!r}")
        return events

    def register_agreement(self, agreement_id: str, terms: AgreementTerms, *, actor: str = "",
                           reason: str = "", make_default: bool = False) -> Agreement:
        """Create an agreement; registering the same terms again is a retry and records nothing."""
        check_agreement_id(agreement_id)
        with self._config_lock:
            try:
                existing = self.agreement(agreement_id)
            except NotFound:
                existing = None
            if existing is not None:
                if existing.terms_data != terms.to_dict():
                    raise VersionConflict(
                        f"agreement {agreement_id!r} exists with other terms: revise it")
                return existing
            agreement = Agreement.register(agreement_id, terms, actor=actor, reason=reason)
            directory = self.directory()
            directory.list_agreement(agreement_id, actor)
            if make_default or not directory.default_agreement:
                directory.set_default_agreement(agreement_id, actor)
            self._save_config(agreement, directory)
            return agreement

    def revise_agreement(self, agreement_id: str, terms: AgreementTerms, *,
                         apply_to_open: bool = False, actor: str = "", reason: str = "",
                         expected_version: int = 0) -> Agreement:
        check_agreement_id(agreement_id)
        with self._config_lock:
            agreement = self.agreement(agreement_id)
            if expected_version and agreement.version != expected_version:
                raise VersionConflict(f"agreement is at version {agreement.version}, "
                                      f"not {expected_version}")
            if agreement.revise(terms, apply_to_open=apply_to_open, actor=actor,
                                reason=reason):
                self._save_config(agreement)
            return agreement

    def retire_agreement(self, agreement_id: str, *, actor: str = "",
                         reason: str = "") -> Agreement:
        with self._config_lock:
            agreement = self.agreement(agreement_id)
            agreement.retire(actor=actor, reason=reason)
            self._save_config(agreement)
            return agreement

    def set_default_agreement(self, agreement_id: str, actor: str = "") -> None:
        with self._config_lock:
            self.agreement(agreement_id)
            directory = self.directory()
            directory.set_default_agreement(agreement_id, actor)
            self._save_config(directory)

    # ----- on call -----

    def configure_on_call(self, on_call: dict[str, Any], actor: str = "") -> bool:
        """Replace people, teams, rotations, escalation policies and routes as one set."""
        normalised = normalise_on_call(on_call)
        with self._config_lock:
            directory = self.directory()
            if not directory.configure_on_call(normalised, actor):
                return False
            self._save_config(directory)
            return True

    def _save_config(self, *aggregates: Aggregate) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise VersionConflict("the configuration changed concurrently; retry") from None

    # ----- signals and alerts -----

    def record_once(self, aggregates: Iterable[Aggregate]) -> int:
        """Save new aggregates whose ids may already exist; return how many were new.

        Ids are derived from the fact (see ``signal_id``), so an existing one means the
        fact was already recorded, by this or another instance: that is not an error.
        """
        pending = list(aggregates)
        if not pending:
            return 0
        try:
            self.save(*pending)
            recorded = len(pending)
        except IntegrityError:
            recorded = 0
            for aggregate in pending:
                try:
                    self.save(aggregate)
                    recorded += 1
                except IntegrityError:
                    continue
        return recorded

    def alert(self, alert_id: UUID) -> Alert:
        try:
            return self.repository.get(alert_id)
        except AggregateNotFoundError:
            raise NotFound(f"no alert {alert_id}") from None

    def change_alert(self, alert_id: UUID, change: Callable[[Alert], Any]) -> tuple[Alert, Any]:
        """Apply ``change`` to the newest alert; retry on a concurrent write."""
        done = change_aggregate(self, alert_id, kind=Alert, label=f"alert {alert_id}",
                                action=change)
        return done.aggregate, done.result


def normalise_on_call(on_call: dict[str, Any]) -> dict[str, Any]:
    """Validate the on-call set-up by parsing it; store it in its canonical plain form."""
    try:
        people = [person_from_dict(p) for p in on_call.get("people") or []]
        teams = [team_from_dict(t) for t in on_call.get("teams") or []]
        routes = [route_rule_from_dict(r) for r in on_call.get("routes") or []]
        heartbeat = heartbeat_from_dict(on_call.get("heartbeat"))
    except InvalidField:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise InvalidField([("on_call", str(error))]) from error
    team_ids = {t.id for t in teams}
    person_ids = {p.id for p in people}
    default_team = str(on_call.get("default_team") or "")
    if default_team and default_team not in team_ids:
        raise InvalidField([("on_call.default_team", f"no team {default_team!r}")])
    for i, rule in enumerate(routes):
        if rule.team not in team_ids:
            raise InvalidField([(f"on_call.routes[{i}].team", f"no team {rule.team!r}")])
    for team in teams:
        for person in team.referenced_people():
            if person not in person_ids:
                raise InvalidField([(f"on_call.teams[{team.id}]", f"no person {person!r}")])
    return {
        "people": [person_to_dict(p) for p in people],
        "teams": [team_to_dict(t) for t in teams],
        "routes": [route_rule_to_dict(r) for r in routes],
        "default_team": default_team,
        "heartbeat": heartbeat_to_dict(heartbeat),
    }
