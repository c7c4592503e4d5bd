"""Every SLA monitor event is published with its Avro schema, key and topic (no broker)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.domain import Aggregate

from madoguchi.eventstream.avro import default_catalog
from madoguchi.servicelevels.terms import AgreementTerms
from services.sla_monitor.adapters.publishing import SlaTopics, make_router
from services.sla_monitor.domain.agreement import Agreement
from services.sla_monitor.domain.alert import Alert, ClockSignal, signal_id
from services.sla_monitor.domain.directory import Directory
from tests.support.sla_support import fast_terms

AT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
INQUIRY = "3f2a6c1e-0000-4000-8000-000000000001"
CONTEXT = {"agreement_id": "fast", "agreement_version": "1", "priority": "P2",
           "kind": "COMPLAINT", "category": "ごみ・リサイクル", "department": "清掃事務所",
           "subject": "粗大ごみの回収日", "team": "desk"}
TOPICS = SlaTopics("signals", "agreements")


def every_event() -> list[Any]:
    warning = ClockSignal._create(
        ClockSignal.WarningReached, id=signal_id(INQUIRY, "FIRST_RESPONSE", 1, "50"),
        inquiry_id=INQUIRY, target="FIRST_RESPONSE", cycle=1, percent=50, due_at=AT,
        raised_at=AT + timedelta(milliseconds=40), target_seconds=60, context=CONTEXT)
    stop = ClockSignal._create(
        ClockSignal.Stopped, id=signal_id(INQUIRY, "RESOLUTION", 2, "stop"),
        inquiry_id=INQUIRY, target="RESOLUTION", cycle=2, outcome="MISSED", stopped_at=AT,
        elapsed_seconds=412.5, target_seconds=300, breached=True, context=CONTEXT)
    alert = Alert.raise_breach(
        inquiry_id=INQUIRY, target="FIRST_RESPONSE", cycle=1, due_at=AT, raised_at=AT,
        target_seconds=60, team="desk", reminder_minutes=5, context=CONTEXT)
    alert.remind(AT + timedelta(minutes=5))
    alert.escalate(1, AT + timedelta(minutes=15))
    alert.acknowledge(by="takahashi", note="対応します", at=AT + timedelta(minutes=16))
    alert.resolve(by="takahashi", reason="MANUAL", note="", at=AT + timedelta(minutes=30))
    terms = AgreementTerms.from_dict(fast_terms())
    agreement = Agreement.register("fast", terms, actor="manager", reason="新規")
    agreement.revise(AgreementTerms.from_dict(fast_terms(reminder_minutes=9)),
                     apply_to_open=True, actor="manager", reason="見直し")
    agreement.retire(actor="manager", reason="終了")
    aggregates: list[Aggregate] = [warning, stop, alert, agreement]
    return [e for a in aggregates for e in a.collect_events()]


def test_every_event_is_routed_encoded_and_decodes_to_its_values() -> None:
    route = make_router(TOPICS)
    catalog = default_catalog()
    published = [(type(e).__qualname__, route(e)) for e in every_event()]
    types = []
    for name, publication in published:
        assert publication is not None, name
        event_type, record = catalog.decode(publication.value)
        types.append(event_type)
        headers = dict(publication.headers)
        assert headers["event_type"].decode() == event_type
        assert record["occurred_at"].tzinfo is not None
        if event_type.startswith("Agreement"):
            assert publication.topic == "agreements" and publication.key == b"fast"
        else:
            assert publication.topic == "signals"
    assert types == ["SlaWarningReached", "SlaClockStopped", "SlaBreached", "SlaAlertReminded",
                     "SlaAlertEscalated", "SlaAlertAcknowledged", "SlaAlertResolved",
                     "AgreementRegistered", "AgreementRevised", "AgreementRetired"]


def test_signals_are_keyed_by_inquiry_and_alert_events_by_alert() -> None:
    route = make_router(TOPICS)
    events = every_event()
    keys = [route(e).key.decode() for e in events[:7]]   # type: ignore[union-attr]
    alert_id = str(events[2].originator_id)
    assert keys == [INQUIRY, INQUIRY, *[alert_id] * 5]


def test_japanese_text_and_terms_survive_the_round_trip() -> None:
    route = make_router(TOPICS)
    catalog = default_catalog()
    events = every_event()
    _, breach = catalog.decode(route(events[2]).value)   # type: ignore[union-attr]
    assert breach["context"]["category"] == "ごみ・リサイクル"
    _, revised = catalog.decode(route(events[8]).value)  # type: ignore[union-attr]
    assert json.loads(revised["terms_json"])["reminder_minutes"] == 9
    assert revised["apply_to_open"] is True and revised["reason"] == "見直し"


def test_the_on_call_directory_is_not_published() -> None:
    directory = Directory.open()
    directory.list_agreement("fast")
    route = make_router(TOPICS)
    assert [route(e) for e in directory.collect_events()] == [None, None]
