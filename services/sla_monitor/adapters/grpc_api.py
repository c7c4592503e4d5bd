"""The SLA monitor's gRPC API: agreements, on-call set-up, clocks, alerts, live watch."""

from __future__ import annotations

import json
import math
import queue
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import grpc

from madoguchi import page_tokens
from madoguchi.api.sla.v1 import sla_monitor_pb2 as pb
from madoguchi.api.sla.v1 import sla_monitor_pb2_grpc
from madoguchi.errors import InvalidField, NotFound
from madoguchi.rpc.errors import translate_errors
from madoguchi.rpc.timestamps import read_time, write_time
from madoguchi.servicelevels.clock import Clock, ClockRules
from madoguchi.servicelevels.terms import AgreementTerms
from services.sla_monitor.adapters.alert_store import AlertStore
from services.sla_monitor.adapters.clock_store import ClockStore, EngagementClockStore
from services.sla_monitor.application.alerting import AlertFeed, FeedItem
from services.sla_monitor.application.app import (
    SlaMonitorApplication,
    check_agreement_id,
)
from services.sla_monitor.application.monitor_config import MonitorConfig
from services.sla_monitor.domain.agreement import Agreement
from services.sla_monitor.domain.alert import Alert
from services.sla_monitor.domain.engagement_clocks import EngagementClocks

ALERT_STATES = ("OPEN", "ACKNOWLEDGED", "RESOLVED")
MAX_PAGE_SIZE = 500
TEXT_LIMIT = 1_000


def _json(value: str, field: str) -> dict[str, Any]:
    if not value.strip():
        raise InvalidField([(field, "is required")])
    try:
        data = json.loads(value)
    except ValueError as error:
        raise InvalidField([(field, f"is not valid JSON: {error}")]) from None
    if not isinstance(data, dict):
        raise InvalidField([(field, "must be a JSON object")])
    return data


def _text(value: str, field: str, *, required: bool = False, limit: int = TEXT_LIMIT) -> str:
    if required and not value.strip():
        raise InvalidField([(field, "is required")])
    if len(value) > limit:
        raise InvalidField([(field, f"is longer than {limit} characters")])
    return value


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidField([(field, "must be a UUID")]) from None


def _terms(value: str) -> AgreementTerms:
    return AgreementTerms.from_dict(_json(value, "terms_json"))


def _epoch_time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _add_clock(reply: pb.InquiryClocks, clock: Clock, terms: ClockRules | None,
               now: datetime, engagement: EngagementClocks | None = None) -> None:
    supplier = {} if engagement is None else {
        "scope": "SUPPLIER", "engagement_id": engagement.engagement_id,
        "supplier_id": engagement.supplier_id, "contract_id": engagement.contract_id}
    item = reply.clocks.add(
        scope=supplier.pop("scope", "CUSTOMER"), **supplier,
        target=str(clock.target), cycle=clock.cycle,
        state="STOPPED" if not clock.is_open else (
            "RUNNING" if clock.is_running else "PAUSED"),
        outcome=clock.outcome, target_seconds=clock.target_seconds,
        elapsed_seconds=(clock.elapsed_at(terms.calendar, now) if terms and
                         clock.is_open else clock.elapsed),
        fired_percent=clock.fired_percent)
    write_time(item, "started_at", clock.started_at)
    if terms is not None:
        nxt = clock.next_due(terms.calendar, terms.warning_percents)
        if nxt is not None:
            item.next_percent = nxt[0]
            write_time(item, "next_due_at", nxt[1])


class SlaMonitorServicer(sla_monitor_pb2_grpc.SlaMonitorServiceServicer):
    def __init__(self, app: SlaMonitorApplication, config: MonitorConfig, clocks: ClockStore,
                 alerts: AlertStore, feed: AlertFeed,
                 on_change: Callable[[], None] | None = None,
                 engagements: EngagementClockStore | None = None) -> None:
        self.app = app
        self.config = config
        self.clocks = clocks
        self.engagements = engagements
        self.alerts = alerts
        self.feed = feed
        self.on_change = on_change or (lambda: None)

    # ----- agreements -----

    def _agreement(self, agreement: Agreement) -> pb.Agreement:
        return pb.Agreement(
            agreement_id=agreement.agreement_id, version=agreement.version,
            terms_json=json.dumps(agreement.terms_data, ensure_ascii=False),
            retired=agreement.retired,
            is_default=self.app.directory().default_agreement == agreement.agreement_id)

    @translate_errors
    def RegisterAgreement(self, request: Any, context: grpc.ServicerContext) -> pb.Agreement:
        check_agreement_id(request.agreement_id)
        agreement = self.app.register_agreement(
            request.agreement_id, _terms(request.terms_json),
            actor=_text(request.actor, "actor"), reason=_text(request.reason, "reason"),
            make_default=request.make_default)
        self.on_change()
        return self._agreement(agreement)

    @translate_errors
    def ReviseAgreement(self, request: Any, context: grpc.ServicerContext) -> pb.Agreement:
        check_agreement_id(request.agreement_id)
        if request.expected_version < 0:
            raise InvalidField([("expected_version", "must not be negative")])
        agreement = self.app.revise_agreement(
            request.agreement_id, _terms(request.terms_json),
            apply_to_open=request.apply_to_open, actor=_text(request.actor, "actor"),
            reason=_text(request.reason, "reason", required=True),
            expected_version=request.expected_version)
        self.on_change()
        return self._agreement(agreement)

    @translate_errors
    def RetireAgreement(self, request: Any, context: grpc.ServicerContext) -> pb.Agreement:
        agreement = self.app.retire_agreement(
            request.agreement_id, actor=_text(request.actor, "actor"),
            reason=_text(request.reason, "reason"))
        self.on_change()
        return self._agreement(agreement)

    @translate_errors
    def GetAgreement(self, request: Any, context: grpc.ServicerContext) -> pb.Agreement:
        if request.version < 0:
            raise InvalidField([("version", "must not be negative")])
        _text(request.agreement_id, "agreement_id", required=True, limit=64)
        return self._agreement(self.app.agreement(request.agreement_id,
                                                  request.version or None))

    @translate_errors
    def ListAgreements(self, request: Any, context: grpc.ServicerContext
                       ) -> pb.ListAgreementsResponse:
        directory = self.app.directory()
        return pb.ListAgreementsResponse(agreements=[
            self._agreement(self.app.agreement(a)) for a in directory.agreement_ids])

    @translate_errors
    def GetAgreementHistory(self, request: Any, context: grpc.ServicerContext
                            ) -> pb.AgreementHistory:
        _text(request.agreement_id, "agreement_id", required=True, limit=64)
        reply = pb.AgreementHistory(agreement_id=request.agreement_id)
        terms: dict[str, Any] = {}
        for event in self.app.agreement_history(request.agreement_id):
            terms = getattr(event, "terms", terms)
            change = reply.changes.add(
                version=event.originator_version,
                change={"Registered": "REGISTERED", "Revised": "REVISED",
                        "Retired": "RETIRED"}[type(event).__name__],
                actor=event.actor, reason=event.reason,
                terms_json=json.dumps(terms, ensure_ascii=False),
                apply_to_open=bool(getattr(event, "apply_to_open", False)))
            write_time(change, "recorded_at", event.timestamp)
        return reply

    # ----- on call -----

    @translate_errors
    def GetOnCall(self, request: Any, context: grpc.ServicerContext) -> pb.OnCallSetup:
        return pb.OnCallSetup(on_call_json=json.dumps(self.app.directory().on_call,
                                                      ensure_ascii=False))

    @translate_errors
    def ConfigureOnCall(self, request: Any, context: grpc.ServicerContext) -> pb.OnCallSetup:
        self.app.configure_on_call(_json(request.on_call_json, "on_call_json"),
                                   actor=_text(request.actor, "actor"))
        self.on_change()
        return self.GetOnCall(request, context)

    @translate_errors
    def WhoIsOnCall(self, request: Any, context: grpc.ServicerContext
                    ) -> pb.WhoIsOnCallResponse:
        _text(request.team, "team", required=True, limit=100)
        at = read_time(request, "at") or datetime.now(UTC)
        on_call = self.config.on_call
        team = on_call.teams.get(request.team)
        if team is None:
            raise NotFound(f"no team {request.team!r}")
        person = on_call.people.get(team.rotation.on_call(at))
        reply = pb.WhoIsOnCallResponse(team=team.id)
        if person is not None:
            reply.on_call.CopyFrom(_person(person))
        for level, step in enumerate(team.escalation):
            item = reply.escalation.add(level=level, after_minutes=step.after_minutes)
            for recipient in team.recipients(level, at, on_call.people):
                item.notify.append(_person(recipient))
        return reply

    # ----- clocks -----

    @translate_errors
    def GetInquiryClocks(self, request: Any, context: grpc.ServicerContext
                         ) -> pb.InquiryClocks:
        inquiry_id = str(_uuid(request.inquiry_id, "inquiry_id"))
        state = self.clocks.get(inquiry_id)
        if state is None:
            raise NotFound(f"the monitor has no clocks for inquiry {inquiry_id} (yet)")
        reply = pb.InquiryClocks(
            inquiry_id=inquiry_id, agreement_id=state.agreement_id,
            agreement_version=state.agreement_version, priority=state.priority,
            kind=state.kind, hold_reason=state.hold_reason)
        terms = (self.config.terms(state.agreement_id, state.agreement_version)
                 if state.agreement_id else None)
        now = datetime.now(UTC)
        for clock in state.clocks.values():
            _add_clock(reply, clock, terms, now)
        # Supplier clocks of the inquiry's engagements follow (scope SUPPLIER, targets
        # ACKNOWLEDGE and RESOLVE), each naming its engagement.
        if self.engagements is not None:
            for engagement in self.engagements.of_inquiry(inquiry_id):
                for clock in engagement.clocks.values():
                    _add_clock(reply, clock, engagement.terms, now, engagement)
        return reply

    # ----- alerts -----

    @translate_errors
    def ListAlerts(self, request: Any, context: grpc.ServicerContext) -> pb.ListAlertsResponse:
        bad = [s for s in request.states if s not in ALERT_STATES]
        if bad:
            raise InvalidField([("states", f"unknown state(s) {', '.join(bad)}; allowed: "
                                           f"{', '.join(ALERT_STATES)}")])
        if not 0 <= request.page_size <= MAX_PAGE_SIZE:
            raise InvalidField([("page_size", f"must be between 0 and {MAX_PAGE_SIZE}")])
        before = page_tokens.decode(request.page_token, _alert_position)
        raised_from = read_time(request, "raised_from")
        raised_to = read_time(request, "raised_to")
        if request.inquiry_id:
            _uuid(request.inquiry_id, "inquiry_id")
        size = request.page_size or 50
        rows = self.alerts.list_alerts(
            states=list(request.states), team=_text(request.team, "team", limit=100),
            inquiry_id=request.inquiry_id,
            raised_from=raised_from.timestamp() if raised_from else None,
            raised_to=raised_to.timestamp() if raised_to else None,
            limit=size + 1, before=before)
        reply = pb.ListAlertsResponse(alerts=[_alert_row(r) for r in rows[:size]])
        if len(rows) > size:
            last = rows[size - 1]
            reply.next_page_token = page_tokens.encode([last["raised_at"], last["alert_id"]])
        return reply

    def _detail(self, alert_id: UUID) -> pb.AlertDetail:
        alert = self.app.alert(alert_id)
        row = self.alerts.alert_row(str(alert_id))
        reply = pb.AlertDetail(alert=_alert(alert) if row is None else _alert_row(row))
        if row is None or row["version"] < alert.version:
            reply.alert.CopyFrom(_alert(alert))
        for event in self.app.events.get(alert_id):
            item = reply.history.add(
                version=event.originator_version,
                kind={"Raised": "RAISED", "Reminded": "REMINDED", "Escalated": "ESCALATED",
                      "Acknowledged": "ACKNOWLEDGED", "Resolved": "RESOLVED"}[
                          type(event).__name__],
                by=getattr(event, "by", ""), note=getattr(event, "note", ""),
                level=getattr(event, "level", 0), number=getattr(event, "number", 0),
                reason=getattr(event, "reason", ""))
            write_time(item, "at", event.at)
        for d in self.alerts.deliveries(alert_id=str(alert_id)):
            reply.deliveries.add(channel=d["channel"], address=d["address"], state=d["state"],
                                 attempts=d["attempts"], last_error=d["last_error"],
                                 notification_key=d["notification_key"])
        return reply

    @translate_errors
    def GetAlert(self, request: Any, context: grpc.ServicerContext) -> pb.AlertDetail:
        return self._detail(_uuid(request.alert_id, "alert_id"))

    @translate_errors
    def AcknowledgeAlert(self, request: Any, context: grpc.ServicerContext) -> pb.AlertDetail:
        alert_id = _uuid(request.alert_id, "alert_id")
        by = _text(request.by, "by", required=True, limit=100)
        note = _text(request.note, "note")
        now = datetime.now(UTC)
        self.app.change_alert(alert_id, lambda a: a.acknowledge(by=by, note=note, at=now))
        return self._detail(alert_id)

    @translate_errors
    def ResolveAlert(self, request: Any, context: grpc.ServicerContext) -> pb.AlertDetail:
        alert_id = _uuid(request.alert_id, "alert_id")
        by = _text(request.by, "by", required=True, limit=100)
        note = _text(request.note, "note")
        now = datetime.now(UTC)
        self.app.change_alert(alert_id, lambda a: a.resolve(by=by, reason="MANUAL", note=note,
                                                            at=now))
        return self._detail(alert_id)

    def WatchAlerts(self, request: Any, context: grpc.ServicerContext) -> Iterator[pb.FeedItem]:
        if request.after_position < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          "after_position: must not be negative")
        subscription = self.feed.hub.subscribe()
        if subscription is None:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                          "too many consoles are watching this instance; retry later or "
                          "connect to another replica")
        context.add_callback(lambda: subscription.put(None))
        # The position this stream starts at: a console that disconnects before its first
        # item resumes from here and misses nothing.
        context.send_initial_metadata((("madoguchi-feed-position", str(self.feed.position)),))
        try:
            last = request.after_position
            if last:
                for item in self.feed.replay(after=last):
                    if self._wanted(item, request):
                        yield _feed_message(item)
                    last = item.position
            while context.is_active():
                try:
                    item = subscription.get(timeout=1.0)
                except queue.Empty:
                    continue
                if item is None:
                    break
                if item.position <= last or not self._wanted(item, request):
                    continue
                last = item.position
                yield _feed_message(item)
        finally:
            self.feed.hub.unsubscribe(subscription)

    @staticmethod
    def _wanted(item: FeedItem, request: Any) -> bool:
        if request.team and item.team != request.team:
            return False
        return request.include_stops or item.kind != "STOPPED"


def _person(person: Any) -> pb.Person:
    return pb.Person(id=person.id, name=person.name, email=person.email,
                     webhook_url=person.webhook_url)


def _alert(alert: Alert) -> pb.Alert:
    message = pb.Alert(
        alert_id=str(alert.id), inquiry_id=alert.inquiry_id, target=alert.target,
        cycle=alert.cycle, team=alert.team, state=alert.state, level=alert.level,
        reminders=alert.reminders, acknowledged_by=alert.acknowledged_by,
        resolution=alert.resolution, priority=alert.context.get("priority", ""),
        agreement_id=alert.context.get("agreement_id", ""),
        subject=alert.context.get("subject", ""))
    write_time(message, "raised_at", alert.raised_at)
    write_time(message, "due_at", alert.due_at)
    return message


def _alert_row(row: dict[str, Any]) -> pb.Alert:
    facts = json.loads(row["facts_json"])
    message = pb.Alert(
        alert_id=row["alert_id"], inquiry_id=row["inquiry_id"], target=row["target"],
        cycle=row["cycle"], team=row["team"], state=row["state"], level=row["level"],
        reminders=row["reminders"], acknowledged_by=row["acknowledged_by"],
        resolution=row["resolution"], priority=row["priority"],
        agreement_id=row["agreement_id"], subject=facts.get("subject", ""))
    write_time(message, "raised_at", _epoch_time(row["raised_at"]))
    write_time(message, "due_at", _epoch_time(row["due_at"]))
    return message


def _feed_message(item: FeedItem) -> pb.FeedItem:
    message = pb.FeedItem(
        position=item.position, kind=item.kind, alert_id=item.alert_id,
        inquiry_id=item.inquiry_id, target=item.target, cycle=item.cycle, team=item.team,
        percent=item.percent, level=item.level, number=item.number, outcome=item.outcome,
        by=item.by, priority=item.context.get("priority", ""),
        agreement_id=item.context.get("agreement_id", ""),
        subject=item.context.get("subject", ""))
    write_time(message, "at", item.at)
    write_time(message, "due_at", item.due_at)
    return message


def _alert_position(values: list[Any]) -> tuple[float, str]:
    """Where the next page of alerts starts: (raised_at, alert_id) of the last one."""
    raised_at, alert_id = values
    if not math.isfinite(float(raised_at)) or not isinstance(alert_id, str):
        raise ValueError("not a position this service issued")
    return float(raised_at), alert_id
