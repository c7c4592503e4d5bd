"""The SLA monitor end to end: real broker, real stores, real webhook and SMTP servers."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from madoguchi.api.sla.v1 import sla_monitor_pb2 as spb
from tests.support.databases import database_urls
from tests.support.loopback_servers import Collector, LoopbackController, Receiver
from tests.support.sla_support import SECRET, SlaSystem, fast_terms, on_call, signals
from tests.support.system import eventually, make_settings


@pytest.fixture
def sla(store: str, broker, tmp_path: Path, request: pytest.FixtureRequest
        ) -> Iterator[SlaSystem]:
    suffix = uuid.uuid4().hex[:10]
    settings = make_settings(tmp_path, broker.bootstrap, database_urls(store, tmp_path, request),
                             suffix)
    running = SlaSystem(settings, group_id=f"sla-{suffix}")
    yield running
    running.stop()


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    receiver = Receiver(SECRET.encode())
    receiver.start()
    yield receiver
    receiver.stop()


def kinds(found: list[tuple[str, dict]], inquiry_id: str) -> Counter:
    return Counter((t, r.get("target"), r.get("percent", r.get("outcome")))
                   for t, r in found if str(r.get("inquiry_id")) == inquiry_id)


def test_a_deadline_raises_a_warning_then_one_breach_on_the_topic_and_the_watch(
        sla: SlaSystem) -> None:
    sla.start_monitor()
    sla.register()
    watch = sla.sla_stub.WatchAlerts(spb.WatchAlertsRequest(), timeout=60)
    inquiry = sla.receive(ago=50)

    seen = []
    for item in watch:
        seen.append(item)
        if item.kind == "BREACH":
            break
    watch.cancel()
    assert [i.kind for i in seen if i.inquiry_id == inquiry] == ["WARNING", "BREACH"]
    breach = seen[-1]
    assert breach.target == "FIRST_RESPONSE" and breach.team == ""
    # Raised when due, not at a scan: within a second of the deadline.
    late = breach.at.ToDatetime(UTC) - breach.due_at.ToDatetime(UTC)
    assert timedelta(0) <= late < timedelta(seconds=5)

    found = signals(sla.settings.bootstrap(), sla.settings.topics.sla_signals, wait_for=2)
    assert kinds(found, inquiry) == Counter({
        ("SlaWarningReached", "FIRST_RESPONSE", 50): 1,
        ("SlaWarningReached", "RESOLUTION", 50): 0,
        ("SlaBreached", "FIRST_RESPONSE", None): 1,
    }) + Counter()
    breached = next(r for t, r in found if t == "SlaBreached")
    assert breached["context"]["agreement_id"] == "fast"
    assert breached["context"]["subject"].startswith("住民票")


def test_a_response_in_time_stops_the_clock_as_met_and_nothing_is_raised(
        sla: SlaSystem) -> None:
    sla.start_monitor()
    sla.register()
    inquiry = sla.receive(ago=5)
    sla.respond(inquiry)
    clocks = eventually(lambda: (c := sla.clocks(inquiry)) and any(
        k.target == "FIRST_RESPONSE" and k.state == "STOPPED" for k in c.clocks) and c)
    first = next(k for k in clocks.clocks if k.target == "FIRST_RESPONSE")
    assert first.outcome == "MET" and first.fired_percent == 0
    found = signals(sla.settings.bootstrap(), sla.settings.topics.sla_signals, wait_for=1)
    stopped = [r for t, r in found if t == "SlaClockStopped"]
    assert [(r["target"], r["outcome"], r["breached"]) for r in stopped] == [
        ("FIRST_RESPONSE", "MET", False)]
    assert not [t for t, _ in found if t == "SlaBreached"]


def test_a_breach_pages_the_person_on_call_by_signed_webhook_and_by_mail(
        sla: SlaSystem, webhook: Receiver, smtp: tuple[LoopbackController, Collector],
        ) -> None:
    controller, mailbox = smtp
    sla.settings = replace(sla.settings, alerts=replace(
        sla.settings.alerts, smtp_host="127.0.0.1", smtp_port=controller.port,
        group_window_seconds=3.0))
    sla.start_monitor()
    sla.register()
    sla.sla_stub.ConfigureOnCall(spb.ConfigureOnCallRequest(
        on_call_json=json.dumps(on_call(webhook_url=webhook.url, email="sato@city.example")),
        actor="test"))
    inquiries = [sla.receive(ago=58) for _ in range(3)]

    eventually(lambda: webhook.received, timeout=40)
    eventually(lambda: mailbox.envelopes, timeout=40)
    [call] = webhook.received        # three breaches, grouped into one notification
    assert call.signature_ok
    payload = json.loads(call.body)
    assert {a["inquiry_id"] for a in payload["alerts"]} == set(inquiries)
    assert call.headers["Idempotency-Key"] == payload["key"]
    [message] = mailbox.messages()
    assert message["Subject"] == "[Madoguchi] 3 SLA breaches for 区民相談チーム"
    alerts = sla.sla_stub.ListAlerts(spb.ListAlertsRequest(states=["OPEN"]))
    assert {a.inquiry_id for a in alerts.alerts} == set(inquiries)
    detail = eventually(lambda: (d := sla.sla_stub.GetAlert(spb.GetAlertRequest(
        alert_id=alerts.alerts[0].alert_id))) and d.deliveries
        and all(x.state == "SENT" for x in d.deliveries) and d)
    assert {d.channel for d in detail.deliveries} == {"WEBHOOK", "EMAIL"}


def test_acknowledge_and_resolve_are_recorded_and_idempotent(sla: SlaSystem) -> None:
    sla.start_monitor()
    sla.register(terms=fast_terms(reminder_minutes=1))
    inquiry = sla.receive(ago=59)
    alert = eventually(lambda: sla.sla_stub.ListAlerts(
        spb.ListAlertsRequest(inquiry_id=inquiry)).alerts)[0]

    acked = sla.sla_stub.AcknowledgeAlert(spb.AcknowledgeAlertRequest(
        alert_id=alert.alert_id, by="sato", note="対応中です"))
    again = sla.sla_stub.AcknowledgeAlert(spb.AcknowledgeAlertRequest(
        alert_id=alert.alert_id, by="sato"))
    assert acked.alert.state == again.alert.state == "ACKNOWLEDGED"
    assert [h.kind for h in again.history] == ["RAISED", "ACKNOWLEDGED"]
    resolved = sla.sla_stub.ResolveAlert(spb.ResolveAlertRequest(
        alert_id=alert.alert_id, by="sato", note="折り返し済み"))
    assert resolved.alert.state == "RESOLVED"
    assert [h.kind for h in resolved.history][-1] == "RESOLVED"
    with pytest.raises(grpc.RpcError) as caught:
        sla.sla_stub.AcknowledgeAlert(spb.AcknowledgeAlertRequest(
            alert_id=alert.alert_id, by="sato"))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_answering_a_breached_inquiry_resolves_its_alert(sla: SlaSystem) -> None:
    sla.start_monitor()
    sla.register()
    inquiry = sla.receive(ago=61)
    alert = eventually(lambda: sla.sla_stub.ListAlerts(
        spb.ListAlertsRequest(inquiry_id=inquiry)).alerts)[0]
    sla.respond(inquiry)
    detail = eventually(lambda: (d := sla.sla_stub.GetAlert(spb.GetAlertRequest(
        alert_id=alert.alert_id))) and d.alert.state == "RESOLVED" and d)
    assert detail.alert.resolution == "ANSWERED"
    found = signals(sla.settings.bootstrap(), sla.settings.topics.sla_signals, wait_for=3)
    stopped = [r for t, r in found if t == "SlaClockStopped" and r["target"] == "FIRST_RESPONSE"]
    assert [(r["outcome"], r["breached"]) for r in stopped] == [("MISSED", True)]


def test_a_deadline_that_passed_while_the_monitor_was_down_fires_once_on_restart(
        sla: SlaSystem) -> None:
    first = sla.start_monitor()
    sla.register()
    inquiry = sla.receive(ago=45)       # due in about 15 s
    sla.clocks(inquiry)                 # the monitor has the clock
    sla.stop_monitor(first)
    due = datetime.now(UTC) + timedelta(seconds=16)
    eventually(lambda: datetime.now(UTC) > due, timeout=30, interval=0.5)

    sla.start_monitor()

    def breaches() -> list[dict[str, Any]]:
        found = signals(sla.settings.bootstrap(), sla.settings.topics.sla_signals)
        return [r for t, r in found if t == "SlaBreached" and str(r["inquiry_id"]) == inquiry]

    eventually(breaches)
    time.sleep(1)   # a second breach would follow within moments
    assert len({str(r["event_id"]) for r in breaches()}) == 1


def test_agreements_keep_their_history_and_pin_the_version_an_inquiry_got(
        sla: SlaSystem) -> None:
    sla.start_monitor()
    sla.register(terms=fast_terms(targets=[{"priority": p, "first_response_minutes": 10,
                                            "resolution_minutes": 60}
                                           for p in ("P1", "P2", "P3", "P4", "P5")]))
    before = sla.receive(ago=1)
    assert sla.clocks(before).agreement_version == 1
    revised = sla.sla_stub.ReviseAgreement(spb.ReviseAgreementRequest(
        agreement_id="fast", terms_json=json.dumps(fast_terms()), reason="短縮 (shorter)",
        actor="manager"))
    assert revised.version == 2
    eventually(lambda: sla.monitors[0].config.for_new_inquiry("fast") == ("fast", 2))
    after = sla.receive(ago=0)
    late = sla.receive(ago=120)          # received before the revision, reported late
    assert sla.clocks(after).agreement_version == 2
    assert sla.clocks(before).agreement_version == 1
    assert sla.clocks(late).agreement_version == 1
    history = sla.sla_stub.GetAgreementHistory(
        spb.GetAgreementHistoryRequest(agreement_id="fast"))
    assert [c.change for c in history.changes] == ["REGISTERED", "REVISED"]
    assert history.changes[1].reason == "短縮 (shorter)"

    sla.sla_stub.ReviseAgreement(spb.ReviseAgreementRequest(
        agreement_id="fast", terms_json=json.dumps(fast_terms(warning_percents=[75])),
        apply_to_open=True, reason="all open inquiries too"))
    eventually(lambda: sla.clocks(before).agreement_version == 3, timeout=15)
    first = next(k for k in sla.clocks(before).clocks if k.target == "FIRST_RESPONSE")
    assert first.target_seconds == 60


@pytest.mark.parametrize(("request_", "field"), [
    (spb.RegisterAgreementRequest(agreement_id="", terms_json="{}"), "agreement_id"),
    (spb.RegisterAgreementRequest(agreement_id="x", terms_json="not json"), "terms_json"),
    (spb.RegisterAgreementRequest(agreement_id="x", terms_json=json.dumps(
        fast_terms(warning_percents=[90, 50]))), "terms.warning_percents"),
    (spb.RegisterAgreementRequest(agreement_id="x", terms_json=json.dumps(
        fast_terms(targets=[{"priority": "P9"}]))), "terms.targets[0].priority"),
    (spb.RegisterAgreementRequest(agreement_id="x", terms_json=json.dumps(
        fast_terms(calendar={"time_zone": "Mars/Olympus"}))), "calendar"),
])
def test_a_bad_agreement_is_invalid_argument_naming_the_field(
        sla: SlaSystem, request_: spb.RegisterAgreementRequest, field: str) -> None:
    sla.start_monitor(wait=False)
    with pytest.raises(grpc.RpcError) as caught:
        sla.sla_stub.RegisterAgreement(request_)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in caught.value.details()
    assert not sla.sla_stub.ListAgreements(spb.ListAgreementsRequest()).agreements


def test_bad_on_call_and_alert_requests_are_clear_errors(sla: SlaSystem) -> None:
    sla.start_monitor(wait=False)
    broken = on_call()
    broken["routes"] = [{"team": "nobody"}]
    cases = [
        (lambda: sla.sla_stub.ConfigureOnCall(spb.ConfigureOnCallRequest(
            on_call_json=json.dumps(broken))), grpc.StatusCode.INVALID_ARGUMENT, "routes"),
        (lambda: sla.sla_stub.AcknowledgeAlert(spb.AcknowledgeAlertRequest(
            alert_id="nope", by="x")), grpc.StatusCode.INVALID_ARGUMENT, "alert_id"),
        (lambda: sla.sla_stub.AcknowledgeAlert(spb.AcknowledgeAlertRequest(
            alert_id=str(uuid.uuid4()), by="")), grpc.StatusCode.INVALID_ARGUMENT, "by"),
        (lambda: sla.sla_stub.GetAlert(spb.GetAlertRequest(alert_id=str(uuid.uuid4()))),
         grpc.StatusCode.NOT_FOUND, "alert"),
        (lambda: sla.sla_stub.ListAlerts(spb.ListAlertsRequest(states=["LOST"])),
         grpc.StatusCode.INVALID_ARGUMENT, "states"),
        (lambda: sla.sla_stub.ListAlerts(spb.ListAlertsRequest(page_token="@@")),
         grpc.StatusCode.INVALID_ARGUMENT, "page_token"),
        (lambda: sla.sla_stub.WhoIsOnCall(spb.WhoIsOnCallRequest(team="nobody")),
         grpc.StatusCode.NOT_FOUND, "nobody"),
        # A streaming call is guarded like a unary one: bytes that are not a request
        # (field 1, team, with invalid UTF-8) are the caller's mistake, not INTERNAL.
        (lambda: list(sla.monitor_channel.unary_stream(
            "/madoguchi.sla.v1.SlaMonitorService/WatchAlerts")(b"\x0a\x01\xff", timeout=5)),
         grpc.StatusCode.INVALID_ARGUMENT, "not a valid WatchAlerts message"),
        (lambda: list(sla.sla_stub.WatchAlerts(spb.WatchAlertsRequest(after_position=-1),
                                               timeout=5)),
         grpc.StatusCode.INVALID_ARGUMENT, "after_position"),
    ]
    for call, code, text in cases:
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == code, text
        assert text in caught.value.details()


def test_who_is_on_call_follows_the_rotation(sla: SlaSystem) -> None:
    sla.start_monitor(wait=False)
    setup = on_call()
    setup["people"].append({"id": "suzuki", "name": "鈴木 一郎"})
    setup["teams"][0]["rotation"] = {"participants": ["sato", "suzuki"],
                                     "start": "2026-01-05T09:00:00", "shift_hours": 24}
    sla.sla_stub.ConfigureOnCall(spb.ConfigureOnCallRequest(on_call_json=json.dumps(setup)))
    sla.monitors[0].refresh_config()
    monday = spb.WhoIsOnCallRequest(team="desk")
    monday.at.FromDatetime(datetime(2026, 1, 5, 1, 0))          # 10:00 JST, first shift
    tuesday = spb.WhoIsOnCallRequest(team="desk")
    tuesday.at.FromDatetime(datetime(2026, 1, 6, 1, 0))
    assert sla.sla_stub.WhoIsOnCall(monday).on_call.id == "sato"
    assert sla.sla_stub.WhoIsOnCall(tuesday).on_call.name == "鈴木 一郎"
