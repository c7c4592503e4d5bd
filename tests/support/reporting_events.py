"""A known month of events for one agreement, as the other services would publish them.

Four inquiries, four calls, the monitor's signals and a supplier engagement in November
2026 under the agreement ``test-agr`` (open around the clock, P3: first response within
60 minutes, resolution within 240), so every KPI can be worked out by hand (see
``test_reporting.py``). Times are JST wall-clock times.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from kafka import KafkaProducer

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.config import Settings
from madoguchi.eventstream.avro import default_catalog
from madoguchi.eventstream.kafka_settings import producer_config

JST = timezone(timedelta(hours=9))
AGREEMENT = "test-agr"
SUPPLIER = "sakura-facility"


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


def uid(*parts: object) -> UUID:
    return uuid5(NAMESPACE_URL, "madoguchi-test:" + ":".join(map(str, parts)))


def terms(resolution_minutes: int = 240) -> dict[str, Any]:
    return {"name": "テスト契約 (24 時間)", "calendar": BusinessCalendar.always_open().to_dict(),
            "targets": [{"priority": "P3", "first_response_minutes": 60,
                         "resolution_minutes": resolution_minutes}],
            "warning_percents": [75]}


def _filled(schema: Any, given: dict[str, Any], at: datetime) -> dict[str, Any]:
    """``given`` plus a plain value for every field without a default."""
    record = dict(given)
    for field in schema["fields"]:
        name, kind = field["name"], field["type"]
        if name in record or "default" in field:
            continue
        if isinstance(kind, dict) and kind.get("type") == "record":
            record[name] = _filled(kind, {}, at)
        elif isinstance(kind, dict) and kind.get("logicalType") == "timestamp-micros":
            record[name] = at
        elif isinstance(kind, dict) and kind.get("type") == "array":
            record[name] = []
        elif isinstance(kind, dict) and kind.get("logicalType") == "uuid":
            record[name] = str(uid("filled", name))
        else:
            record[name] = {"string": "", "long": 0, "int": 0, "boolean": False,
                            "double": 0.0}[kind if isinstance(kind, str) else kind["type"]]
    return record


class Sequence:
    """Events in publication order: (topic attribute, key, event type, record)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, dict[str, Any]]] = []
        self._versions: dict[UUID, int] = {}

    def add(self, topic: str, key: str, event_type: str, aggregate: UUID, at: datetime,
            **fields: Any) -> None:
        version = self._versions.get(aggregate, 0) + 1
        self._versions[aggregate] = version
        envelope = {"event_id": str(uid(aggregate, version)), "aggregate_id": str(aggregate),
                    "aggregate_version": version, "recorded_at": at, "occurred_at": at,
                    "actor": "test", "correlation_id": ""}
        schema = default_catalog().schema(event_type)
        self.events.append((topic, key, event_type, _filled(schema, {**envelope, **fields}, at)))

    def inquiry(self, name: str, event_type: str, at: datetime, **fields: Any) -> None:
        iid = uid("inquiry", name)
        self.add("inquiries", str(iid), event_type, iid, at, **fields)

    def signal(self, event_type: str, inquiry: str, target: str, cycle: int, at: datetime,
               scope: str = "CUSTOMER", **fields: Any) -> None:
        iid = uid("inquiry", inquiry)
        context = {"agreement_id": AGREEMENT, "agreement_version": "1", "priority": "P3",
                   "kind": fields.pop("kind", "QUESTION"), "category": "", "department": "",
                   "subject": "", "team": "desk", "scope": scope,
                   **fields.pop("context", {})}
        self.add("sla_signals", str(iid), event_type, uid("signal", inquiry, target, cycle,
                                                          event_type), at,
                 inquiry_id=str(iid), target=target, cycle=cycle, context=context, **fields)

    def stop(self, inquiry: str, target: str, cycle: int, at: datetime, elapsed: float,
             target_minutes: int, **fields: Any) -> None:
        missed = elapsed > target_minutes * 60
        self.signal("SlaClockStopped", inquiry, target, cycle, at,
                    outcome="MISSED" if missed else "MET", stopped_at=at,
                    elapsed_seconds=float(elapsed), target_seconds=target_minutes * 60,
                    breached=missed, **fields)

    def publish(self, settings: Settings, *, times: int = 1) -> int:
        """Send every event ``times`` times; the number of messages sent."""
        catalog = default_catalog()
        producer = KafkaProducer(**producer_config(settings.bootstrap(), "test-reporting"))
        try:
            for _ in range(times):
                for topic, key, event_type, record in self.events:
                    producer.send(getattr(settings.topics, topic), key=key.encode(),
                                  value=catalog.encode(event_type, record))
            producer.flush(30)
        finally:
            producer.close(5)
        return len(self.events) * times


def received(seq: Sequence, name: str, at: datetime, channel: str, kind: str, subject: str,
             category: str) -> None:
    seq.inquiry(name, "InquiryReceived", at, channel=channel, kind=kind, subject=subject,
                body=f"{subject}についての問い合わせ本文", category=category,
                department="環境課", priority="P3", agreement_id=AGREEMENT, contacted_at=at,
                idempotency_key=f"key-{name}")


def november() -> Sequence:
    """The month ``test_reporting.py`` computes by hand."""
    seq = Sequence()
    agreement = uid("agreement", AGREEMENT)
    seq.add("sla_agreements", AGREEMENT, "AgreementRegistered", agreement, jst(1, 0),
            agreement_id=AGREEMENT, terms_json=json.dumps(terms(), ensure_ascii=False))
    seq.add("supplier_registry", SUPPLIER, "SupplierRegistered", uid("supplier", SUPPLIER),
            jst(1, 0), supplier_id=SUPPLIER, name="さくら設備保守株式会社")

    # A: phone question answered at first contact with an FAQ entry; rated 10.
    received(seq, "A", jst(2, 10), "PHONE", "QUESTION", "粗大ごみの出し方", "ごみ")
    seq.inquiry("A", "InquiryFirstResponseRecorded", jst(2, 10, 10), channel="PHONE")
    seq.inquiry("A", "InquiryResolved", jst(2, 10, 20), resolution_code="ANSWERED_FAQ",
                faq_entry_id="FAQ-GOMI-1", at_first_contact=True)
    seq.inquiry("A", "InquirySatisfactionRecorded", jst(2, 11), score=10, comment="丁寧")
    seq.stop("A", "FIRST_RESPONSE", 1, jst(2, 10, 10), 600, 60)
    seq.stop("A", "RESOLUTION", 1, jst(2, 10, 20), 1200, 240)

    # B: e-mail request escalated to a department, resolved after 300 minutes; rated 7.
    received(seq, "B", jst(2, 11), "EMAIL", "REQUEST", "住民税の減免申請", "税")
    seq.inquiry("B", "InquiryFirstResponseRecorded", jst(2, 11, 30), channel="EMAIL")
    seq.inquiry("B", "InquiryEscalated", jst(2, 11, 40), target="DEPARTMENT", from_tier=1,
                to_tier=1, to_department="税務課", reason="審査が必要", category="税",
                priority="P3", kind="REQUEST")
    seq.signal("SlaBreached", "B", "RESOLUTION", 1, jst(2, 15), due_at=jst(2, 15),
               target_seconds=14400, team="desk")
    seq.inquiry("B", "InquiryResolved", jst(2, 16), resolution_code="DONE")
    seq.inquiry("B", "InquirySatisfactionRecorded", jst(2, 17), score=7)
    seq.stop("B", "FIRST_RESPONSE", 1, jst(2, 11, 30), 1800, 60, kind="REQUEST")
    seq.stop("B", "RESOLUTION", 1, jst(2, 16), 18000, 240, kind="REQUEST")

    # C: web complaint, late first response, escalated to the supplier, reopened; rated 10.
    received(seq, "C", jst(3, 9), "WEB_FORM", "COMPLAINT", "ごみ収集車の騒音", "ごみ")
    seq.signal("SlaBreached", "C", "FIRST_RESPONSE", 1, jst(3, 10), due_at=jst(3, 10),
               target_seconds=3600, team="desk", kind="COMPLAINT")
    seq.inquiry("C", "InquiryFirstResponseRecorded", jst(3, 10, 30), channel="EMAIL")
    seq.inquiry("C", "InquiryEscalated", jst(3, 10, 40), target="SUPPLIER", from_tier=1,
                to_tier=1, to_supplier_id=SUPPLIER, reason="車両の点検", category="ごみ",
                priority="P3", kind="COMPLAINT", subject="ごみ収集車の騒音")
    seq.inquiry("C", "InquiryResolved", jst(3, 12), resolution_code="DONE")
    seq.inquiry("C", "InquiryReopened", jst(4, 9), reason="再発")
    seq.inquiry("C", "InquiryResolved", jst(4, 10), resolution_code="DONE")
    seq.inquiry("C", "InquirySatisfactionRecorded", jst(4, 11), score=10)
    seq.stop("C", "FIRST_RESPONSE", 1, jst(3, 10, 30), 5400, 60, kind="COMPLAINT")
    seq.stop("C", "RESOLUTION", 1, jst(3, 12), 10800, 240, kind="COMPLAINT")
    seq.stop("C", "RESOLUTION", 2, jst(4, 10), 3600, 240, kind="COMPLAINT")

    # D: phone question still open; its resolution clock has passed 75 %.
    received(seq, "D", jst(3, 13), "PHONE", "QUESTION", "粗大ごみの料金", "ごみ")
    seq.inquiry("D", "InquiryFirstResponseRecorded", jst(3, 13, 5), channel="PHONE")
    seq.stop("D", "FIRST_RESPONSE", 1, jst(3, 13, 5), 300, 60)
    seq.signal("SlaWarningReached", "D", "RESOLUTION", 1, jst(3, 16), percent=75,
               due_at=jst(3, 16), raised_at=jst(3, 16), target_seconds=14400)

    # Calls on the 2nd: four offered, three answered (20, 40, 60 s), one abandoned (90 s).
    for n, (outcome, wait) in enumerate([("ANSWERED", 20), ("ANSWERED", 40),
                                         ("ANSWERED", 60), ("ABANDONED", 90)]):
        call = f"call-{n}"
        for step, (what, seconds) in enumerate([("OFFERED", 0), (outcome, wait)]):
            attempt = uid("attempt", n, step)
            seq.add("contact_attempts", call, "ContactAttemptRecorded", attempt,
                    jst(2, 9, n), outcome=what, queue="代表", wait_seconds=seconds,
                    attempted_at=jst(2, 9, n), call_id=call, idempotency_key=str(attempt))

    # The supplier's engagement on C: acknowledged late (a 10,000 yen penalty), resolved.
    engagement = uid("engagement", "C")
    key = str(uid("inquiry", "C"))
    common = {"engagement_id": str(engagement), "inquiry_id": key, "supplier_id": SUPPLIER}
    seq.add("supplier_engagements", key, "EngagementOpened", engagement, jst(3, 10, 40),
            contract_id="SFM-FY", contract_version=1, coverage="COVERED", category="ごみ",
            priority="P3", kind="COMPLAINT", subject="ごみ収集車の騒音", **common)
    supplier_context = {"scope": "SUPPLIER", "engagement_id": str(engagement),
                        "supplier_id": SUPPLIER, "contract_id": "SFM-FY"}
    seq.signal("SlaBreached", "C", "ACKNOWLEDGE", 1, jst(3, 11, 10), scope="SUPPLIER",
               due_at=jst(3, 11, 10), target_seconds=1800, team="desk",
               context=supplier_context)
    seq.add("supplier_engagements", key, "EngagementAcknowledged", engagement,
            jst(3, 11, 20), **common)
    seq.stop("C", "ACKNOWLEDGE", 1, jst(3, 11, 20), 2400, 30, scope="SUPPLIER",
             context=supplier_context)
    seq.add("supplier_engagements", key, "PenaltyAccrued", uid("ledger", "SFM-FY", "2026-11"),
            jst(3, 11, 10), contract_id="SFM-FY", supplier_id=SUPPLIER, month="2026-11",
            engagement_id=str(engagement), inquiry_id=key, target="ACKNOWLEDGE", cycle=1,
            rule="FIXED", units=1, amount_due=10000, amount_accrued=10000, currency="JPY",
            month_total=10000, capped=False, signal_id=str(uid("breach", "C")))
    seq.add("supplier_engagements", key, "EngagementResolved", engagement, jst(3, 11, 50),
            resolution="部品交換", **common)
    seq.stop("C", "RESOLVE", 1, jst(3, 11, 50), 4200, 240, scope="SUPPLIER",
             context=supplier_context)
    return seq
