"""The KPI and knowledge read models on SQLite and PostgreSQL, from a hand-written day.

Five inquiries over two Tokyo days (2026-11-23 and 2026-11-24 JST), six phone calls and
the customer SLA clock stops. Every expected figure is worked out by hand in comments.
Records are plain dicts with the schemas' fields, passed through the real Avro encoding
and decoding (and made JSON-able) so they look exactly as the projector hands them over.

    inquiry  channel   kind       category  received (UTC → JST day)
    A        PHONE     QUESTION   ごみ      11-23 01:00Z → 23
    B        WEB_FORM  QUESTION   ごみ      11-22 15:30Z → 23 (a Tokyo midnight boundary)
    C        PHONE     COMPLAINT  道路      11-23 02:00Z → 23
    D        PHONE     QUESTION   ごみ      11-24 01:00Z → 24
    E        WEB_FORM  REQUEST    税        11-24 02:00Z → 24

A: resolved at first contact with FAQ-001, CSAT 10. B: resolved at first contact without
an FAQ entry, CSAT 7. C: escalated to the department 土木課, resolved with FAQ-002,
reopened the next day (still open). D: escalated to supplier SUP-1, resolved without an
FAQ entry, CSAT 4 then 10. E: first response only (open).

Customer clock stops (business seconds): A FR 300 MET, RES 600 MET; B FR 60 MET, RES 480
MET; C FR 1200 MET, RES cycle 1 14400 MISSED (cycle 2 still running after the reopen),
UPDATE 500 MET (not a summary measure); D FR 600 MET, RES 12600 MET (and a SUPPLIER
clock, which is skipped); E FR 2400 MISSED.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from madoguchi.eventstream.avro import default_catalog
from madoguchi.jsonable import jsonable
from madoguchi.storage.sql import SqlDatabase
from services.projections.adapters.read_models.knowledge import KnowledgeReadModel
from services.projections.adapters.read_models.kpis.read_model import KpiReadModel
from services.projections.application.read_models import TableNames

CATALOG = default_catalog()
ZONE = "Asia/Tokyo"


# ----- record builders -----


def uid(name: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"madoguchi-test/{name}"))


def decoded(event_type: str, record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``record`` as the projector sees it: Avro-encoded, decoded, made JSON-able."""
    avro = {k: datetime.fromisoformat(v) if k.endswith("_at") and isinstance(v, str) else v
            for k, v in record.items()}
    decoded_type, back = CATALOG.decode(CATALOG.encode(event_type, avro))
    return decoded_type, jsonable(back)


def envelope(aggregate_id: str, version: int, at: str) -> dict[str, Any]:
    return {"event_id": str(uuid5(NAMESPACE_URL, f"{aggregate_id}/{version}")),
            "aggregate_id": aggregate_id, "aggregate_version": version, "recorded_at": at,
            "occurred_at": at, "actor": "staff-1", "correlation_id": ""}


class Inquiry:
    """Events of one inquiry, versions counted up as they are written."""

    def __init__(self, name: str) -> None:
        self.id = uid(name)
        self.version = 0
        self.events: list[tuple[str, dict[str, Any]]] = []

    def _add(self, event_type: str, at: str, **fields: Any) -> Inquiry:
        self.version += 1
        self.events.append(decoded(event_type, {**envelope(self.id, self.version, at),
                                                **fields}))
        return self

    def received(self, at: str, channel: str, kind: str, category: str, subject: str,
                 department: str = "環境課") -> Inquiry:
        return self._add(
            "InquiryReceived", at, idempotency_key=f"key-{self.id}", channel=channel,
            kind=kind, contact={"name": "山田 太郎", "phone": "", "email": "",
                                "preferred_language": "ja"},
            subject=subject, body="本文", category=category, department=department,
            impact="MEDIUM", urgency="MEDIUM", priority="P3", agreement_id="AG-STD",
            contacted_at=at, external_ref="")

    def first_response(self, at: str) -> Inquiry:
        return self._add("InquiryFirstResponseRecorded", at, channel="PHONE")

    def escalated(self, at: str, target: str, department: str = "",
                  supplier: str = "") -> Inquiry:
        return self._add(
            "InquiryEscalated", at, target=target, from_tier=1, to_tier=1,
            from_department="環境課", to_department=department, to_supplier_id=supplier,
            reason="専門部署へ", category="", priority="P3", kind="", subject="")

    def resolved(self, at: str, first_contact: bool, faq: str = "") -> Inquiry:
        return self._add("InquiryResolved", at, resolution_code="ANSWERED",
                         resolution_text="回答済み", faq_entry_id=faq,
                         at_first_contact=first_contact)

    def reopened(self, at: str) -> Inquiry:
        return self._add("InquiryReopened", at, reason="再発")

    def satisfaction(self, at: str, score: int) -> Inquiry:
        return self._add("InquirySatisfactionRecorded", at, score=score, comment="")


def attempt(name: str, outcome: str, at: str, wait: int, queue: str = "代表"
            ) -> tuple[str, dict[str, Any]]:
    attempt_id = uid(f"attempt/{name}/{outcome}")
    return decoded("ContactAttemptRecorded", {
        **envelope(attempt_id, 1, at), "actor": "", "idempotency_key": f"{name}-{outcome}",
        "outcome": outcome, "queue": queue, "wait_seconds": wait, "attempted_at": at,
        "inquiry_id": "", "call_id": name})


def calls() -> list[tuple[str, dict[str, Any]]]:
    """Six calls offered, five answered, one abandoned (each call: OFFERED, then its end)."""
    events = []
    for name, start, end, outcome, wait, queue in (
            ("call-1", "2026-11-23T00:59:40+00:00", "2026-11-23T01:00:00+00:00",
             "ANSWERED", 20, "代表"),
            ("call-2", "2026-11-23T01:59:20+00:00", "2026-11-23T02:00:00+00:00",
             "ANSWERED", 40, "代表"),
            ("call-3", "2026-11-23T03:00:00+00:00", "2026-11-23T03:01:00+00:00",
             "ANSWERED", 60, "代表"),
            # 00:40 JST on the 23rd: a Tokyo day that began at 15:00Z on the 22nd
            ("call-4", "2026-11-22T15:40:00+00:00", "2026-11-22T15:41:30+00:00",
             "ABANDONED", 90, "代表"),
            ("call-5", "2026-11-24T00:59:30+00:00", "2026-11-24T01:00:00+00:00",
             "ANSWERED", 30, "代表"),
            ("call-6", "2026-11-24T05:00:00+00:00", "2026-11-24T05:00:50+00:00",
             "ANSWERED", 50, "税務")):
        events.append(attempt(name, "OFFERED", start, 0, queue))
        events.append(attempt(name, outcome, end, wait, queue))
    return events


def stop(inquiry: Inquiry, target: str, cycle: int, outcome: str, at: str, elapsed: float,
         target_seconds: int, scope: str = "CUSTOMER") -> tuple[str, dict[str, Any]]:
    signal_id = uid(f"signal/{inquiry.id}/{target}/{cycle}/stop")
    return decoded("SlaClockStopped", {
        **envelope(signal_id, 1, at), "actor": "sla-monitor", "inquiry_id": inquiry.id,
        "target": target, "cycle": cycle, "outcome": outcome, "stopped_at": at,
        "elapsed_seconds": elapsed, "target_seconds": target_seconds,
        "breached": outcome == "MISSED",
        "context": {"agreement_id": "AG-STD", "agreement_version": "1", "priority": "P3",
                    "kind": "QUESTION", "category": "ごみ", "department": "環境課",
                    "subject": "", "team": "", "scope": scope, "engagement_id": "",
                    "supplier_id": "", "contract_id": "", "contract_version": "",
                    "breached_at": "", "supplier_held_seconds": "",
                    "supplier_late_seconds": ""}})


A, B, C, D, E = (Inquiry(n) for n in "ABCDE")
(A.received("2026-11-23T01:00:00+00:00", "PHONE", "QUESTION", "ごみ", "粗大ごみの出し方について")
  .first_response("2026-11-23T01:05:00+00:00")
  .resolved("2026-11-23T01:10:00+00:00", True, "FAQ-001")
  .satisfaction("2026-11-23T01:20:00+00:00", 10))
(B.received("2026-11-22T15:30:00+00:00", "WEB_FORM", "QUESTION", "ごみ",
            "粗大ごみの出し方について。")
  .first_response("2026-11-23T00:01:00+00:00")
  .resolved("2026-11-23T00:10:00+00:00", True)
  .satisfaction("2026-11-23T00:30:00+00:00", 7))
(C.received("2026-11-23T02:00:00+00:00", "PHONE", "COMPLAINT", "道路", "道路の陥没について",
            department="道路課")
  .first_response("2026-11-23T02:20:00+00:00")
  .escalated("2026-11-23T03:00:00+00:00", "DEPARTMENT", department="土木課")
  .resolved("2026-11-23T06:00:00+00:00", False, "FAQ-002")
  .reopened("2026-11-24T00:00:00+00:00"))
(D.received("2026-11-24T01:00:00+00:00", "PHONE", "QUESTION", "ごみ",
            "粗大ごみの出し方について！")
  .first_response("2026-11-24T01:10:00+00:00")
  .escalated("2026-11-24T01:30:00+00:00", "SUPPLIER", supplier="SUP-1")
  .resolved("2026-11-24T05:00:00+00:00", False)
  .satisfaction("2026-11-24T06:00:00+00:00", 4)
  .satisfaction("2026-11-24T06:05:00+00:00", 10))      # the latest score counts
(E.received("2026-11-24T02:00:00+00:00", "WEB_FORM", "REQUEST", "税", "納税証明書の発行",
            department="税務課")
  .first_response("2026-11-24T02:30:00+00:00"))

STOPS = [
    stop(A, "FIRST_RESPONSE", 1, "MET", "2026-11-23T01:05:00+00:00", 300, 1800),
    stop(A, "RESOLUTION", 1, "MET", "2026-11-23T01:10:00+00:00", 600, 7200),
    stop(B, "FIRST_RESPONSE", 1, "MET", "2026-11-23T00:01:00+00:00", 60, 1800, scope=""),
    stop(B, "RESOLUTION", 1, "MET", "2026-11-23T00:10:00+00:00", 480, 7200, scope=""),
    stop(C, "FIRST_RESPONSE", 1, "MET", "2026-11-23T02:20:00+00:00", 1200, 1800),
    stop(C, "UPDATE", 1, "MET", "2026-11-23T03:00:00+00:00", 500, 3600),
    stop(C, "RESOLUTION", 1, "MISSED", "2026-11-23T06:00:00+00:00", 14400, 7200),
    stop(D, "FIRST_RESPONSE", 1, "MET", "2026-11-24T01:10:00+00:00", 600, 1800),
    stop(D, "RESOLUTION", 1, "MET", "2026-11-24T05:00:00+00:00", 12600, 14400),
    stop(D, "RESOLVE", 1, "MET", "2026-11-24T05:00:00+00:00", 9000, 28800, scope="SUPPLIER"),
    stop(E, "FIRST_RESPONSE", 1, "MISSED", "2026-11-24T02:30:00+00:00", 2400, 1800),
]
SUPPLIER_STOPS = 1

# SLA stops first: a stop may arrive before its inquiry's events.
EVENTS = [*STOPS, *calls(), *(e for i in (A, B, C, D, E) for e in i.events)]


# ----- fixtures -----


@pytest.fixture
def kpis(db: SqlDatabase) -> KpiReadModel:
    model = KpiReadModel(db, TableNames("g1_"), zone=ZONE)
    model.create()
    return model


@pytest.fixture
def knowledge(db: SqlDatabase) -> KnowledgeReadModel:
    model = KnowledgeReadModel(db, TableNames("g1_"), zone=ZONE)
    model.create()
    return model


def feed(db: SqlDatabase, model: Any, events: list[tuple[str, dict[str, Any]]]) -> int:
    """Apply the events the model takes, in one transaction; how many changed something."""
    fresh = 0
    with db.transaction() as cur:
        for event_type, record in events:
            if event_type in model.event_types:
                fresh += model.apply(cur, event_type, record)
    return fresh


def run(model: Any, name: str, offset: int = 0, limit: int | None = None,
        **params: Any) -> list[dict[str, Any]]:
    spec = next(q for q in model.queries() if q.name == name)
    given = {p.name: p.default for p in spec.params}
    given.update(params)
    return [dict(zip(spec.columns, row, strict=True))
            for row in spec.run(given, offset, limit)]


def pick(rows: list[dict[str, Any]], *columns: str) -> list[tuple[Any, ...]]:
    return [tuple(row[c] for c in columns) for row in rows]


# ----- KPIs -----


def test_summary_per_tokyo_day_by_received_period(kpis: KpiReadModel, db: SqlDatabase
                                                  ) -> None:
    feed(db, kpis, EVENTS)
    day23, day24 = run(kpis, "kpi_summary")
    assert (day23["period_key"], day23["period_start"], day23["group_value"]) == (
        "2026-11-23", "2026-11-23T00:00:00+09:00", "")
    # Day 23: A, B (15:30Z on the 22nd is 00:30 JST on the 23rd), C.
    assert {k: v for k, v in day23.items() if k not in ("period_key", "period_start",
                                                         "group_value")} == {
        "received": 3,
        "answered_first_contact": 2, "completion_rate_percent": 66.7,   # A, B: 2/3
        "escalated": 1, "escalation_rate_percent": 33.3,                # C
        "reopened": 1, "reopen_rate_percent": 33.3,                     # C
        "complaints": 1,                                                # C
        # FR business seconds A 300, B 60, C 1200 → sorted 60, 300, 1200
        "first_response_mean_seconds": 520.0,                           # 1560 / 3
        "first_response_median_seconds": 300.0,
        "first_response_p90_seconds": 1020.0,                           # 300 + 0.8·900
        # RES A 600, B 480, C 14400 (cycle 1) → sorted 480, 600, 14400
        "resolution_mean_seconds": 5160.0,                              # 15480 / 3
        "resolution_median_seconds": 600.0,
        "resolution_p90_seconds": 11640.0,                              # 600 + 0.8·13800
        "sla_first_response_met": 3, "sla_first_response_missed": 0,
        "sla_first_response_compliance_percent": 100.0,
        "sla_resolution_met": 2, "sla_resolution_missed": 1,            # C missed
        "sla_resolution_compliance_percent": 66.7,
        "csat_responses": 2, "csat_mean": 8.5, "csat_share_10_percent": 50.0,   # 10, 7
    }
    # Day 24: D, E.
    assert pick([day24], "period_key", "received", "answered_first_contact",
                "completion_rate_percent", "escalated", "escalation_rate_percent", "reopened",
                "reopen_rate_percent", "complaints") == [
        ("2026-11-24", 2, 0, 0.0, 1, 50.0, 0, 0.0, 0)]
    # FR D 600, E 2400: mean = median = 1500; p90 = 600 + 0.9·1800 = 2220
    assert pick([day24], "first_response_mean_seconds", "first_response_median_seconds",
                "first_response_p90_seconds", "resolution_mean_seconds",
                "resolution_median_seconds", "resolution_p90_seconds") == [
        (1500.0, 1500.0, 2220.0, 12600.0, 12600.0, 12600.0)]
    assert pick([day24], "sla_first_response_met", "sla_first_response_missed",
                "sla_first_response_compliance_percent", "sla_resolution_met",
                "sla_resolution_missed", "sla_resolution_compliance_percent") == [
        (1, 1, 50.0, 1, 0, 100.0)]
    # D's latest score is 10 (an earlier 4 was replaced)
    assert pick([day24], "csat_responses", "csat_mean", "csat_share_10_percent") == [
        (1, 10.0, 100.0)]


def test_summary_per_month_grouped_by_channel(kpis: KpiReadModel, db: SqlDatabase) -> None:
    feed(db, kpis, EVENTS)
    rows = run(kpis, "kpi_summary", period="month", group_by="channel")
    assert pick(rows, "period_start", "period_key", "group_value", "received",
                "answered_first_contact", "completion_rate_percent", "escalated",
                "escalation_rate_percent", "reopened", "complaints") == [
        # PHONE A, C, D: first contact A; escalated C, D; reopened C; complaint C
        ("2026-11-01T00:00:00+09:00", "2026-11", "PHONE", 3, 1, 33.3, 2, 66.7, 1, 1),
        # WEB_FORM B, E: first contact B
        ("2026-11-01T00:00:00+09:00", "2026-11", "WEB_FORM", 2, 1, 50.0, 0, 0.0, 0, 0),
    ]
    # PHONE FR 300, 1200, 600 → 300, 600, 1200: mean 700, median 600, p90 600 + 0.8·600
    # PHONE RES 600, 14400, 12600 → 600, 12600, 14400: mean 9200, median 12600,
    #   p90 12600 + 0.8·1800 = 14040
    # WEB_FORM FR 60, 2400: mean = median 1230, p90 60 + 0.9·2340 = 2166; RES 480
    assert pick(rows, "first_response_mean_seconds", "first_response_median_seconds",
                "first_response_p90_seconds", "resolution_mean_seconds",
                "resolution_median_seconds", "resolution_p90_seconds") == [
        (700.0, 600.0, 1080.0, 9200.0, 12600.0, 14040.0),
        (1230.0, 1230.0, 2166.0, 480.0, 480.0, 480.0),
    ]
    assert pick(rows, "sla_first_response_compliance_percent",
                "sla_resolution_compliance_percent", "csat_responses", "csat_mean",
                "csat_share_10_percent") == [
        (100.0, 66.7, 2, 10.0, 100.0),      # A 10, D 10
        (50.0, 100.0, 1, 7.0, 0.0),         # B 7
    ]


def test_summary_filters_range_and_paging(kpis: KpiReadModel, db: SqlDatabase) -> None:
    feed(db, kpis, EVENTS)
    tokyo_23 = datetime.fromisoformat("2026-11-23T00:00:00+09:00")
    tokyo_24 = datetime.fromisoformat("2026-11-24T00:00:00+09:00")
    # received in [23rd 00:00 JST, 24th 00:00 JST): A, B, C
    only_23 = run(kpis, "kpi_summary", **{"from": tokyo_23, "to": tokyo_24})
    assert pick(only_23, "period_key", "received") == [("2026-11-23", 3)]
    assert pick(run(kpis, "kpi_summary", category="ごみ"), "period_key", "received") == [
        ("2026-11-23", 2), ("2026-11-24", 1)]           # A, B | D
    assert pick(run(kpis, "kpi_summary", period="month", group_by="department",
                    department="道路課"), "group_value", "received", "complaints") == [
        ("道路課", 1, 1)]
    by_hour = run(kpis, "kpi_summary", period="hour")
    assert pick(by_hour, "period_key", "period_start", "received") == [
        ("2026-11-23T00", "2026-11-23T00:00:00+09:00", 1),    # B
        ("2026-11-23T10", "2026-11-23T10:00:00+09:00", 1),    # A
        ("2026-11-23T11", "2026-11-23T11:00:00+09:00", 1),    # C
        ("2026-11-24T10", "2026-11-24T10:00:00+09:00", 1),    # D
        ("2026-11-24T11", "2026-11-24T11:00:00+09:00", 1),    # E
    ]
    assert run(kpis, "kpi_summary", period="hour", offset=1, limit=2) == by_hour[1:3]
    assert run(kpis, "kpi_summary", period="hour", offset=4, limit=10) == by_hour[4:]


def test_calls_per_day_and_queue(kpis: KpiReadModel, db: SqlDatabase) -> None:
    feed(db, kpis, EVENTS)
    assert pick(run(kpis, "kpi_calls"), "period_key", "queue", "offered", "answered",
                "abandoned", "answer_rate_percent", "abandonment_rate_percent",
                "mean_wait_seconds", "mean_answer_wait_seconds") == [
        # calls 1-3 answered (20, 40, 60 s), call 4 abandoned after 90 s (00:40 JST)
        # mean wait (20 + 40 + 60 + 90) / 4 = 52.5; to answer (20 + 40 + 60) / 3 = 40
        ("2026-11-23", "代表", 4, 3, 1, 75.0, 25.0, 52.5, 40.0),
        ("2026-11-24", "代表", 1, 1, 0, 100.0, 0.0, 30.0, 30.0),    # call 5
        ("2026-11-24", "税務", 1, 1, 0, 100.0, 0.0, 50.0, 50.0),    # call 6
    ]
    month = run(kpis, "kpi_calls", period="month")
    # 代表: 5 offered, 4 answered, 1 abandoned; waits (20+40+60+90+30)/5 = 48; 150/4 = 37.5
    assert pick(month, "queue", "offered", "answered", "abandoned", "answer_rate_percent",
                "abandonment_rate_percent", "mean_wait_seconds",
                "mean_answer_wait_seconds") == [
        ("代表", 5, 4, 1, 80.0, 20.0, 48.0, 37.5), ("税務", 1, 1, 0, 100.0, 0.0, 50.0, 50.0)]
    assert sum(r["offered"] for r in month) == 6
    assert pick(run(kpis, "kpi_calls", period="month", queue="税務"), "queue", "offered") == [
        ("税務", 1)]
    day_24 = run(kpis, "kpi_calls",
                 **{"from": datetime.fromisoformat("2026-11-24T00:00:00+09:00")})
    assert pick(day_24, "period_key", "queue") == [("2026-11-24", "代表"), ("2026-11-24", "税務")]


def test_escalations_per_destination(kpis: KpiReadModel, db: SqlDatabase) -> None:
    feed(db, kpis, EVENTS)
    assert pick(run(kpis, "kpi_escalations"), "period_key", "target", "destination",
                "escalations", "inquiries_escalated", "received",
                "escalation_rate_percent") == [
        ("2026-11-23", "DEPARTMENT", "土木課", 1, 1, 3, 33.3),   # C of A, B, C
        ("2026-11-24", "SUPPLIER", "SUP-1", 1, 1, 2, 50.0),      # D of D, E
    ]
    assert pick(run(kpis, "kpi_escalations", period="month", target="SUPPLIER"),
                "period_key", "destination", "received", "escalation_rate_percent") == [
        ("2026-11", "SUP-1", 5, 20.0)]


def test_views_give_the_same_figures_in_sql(kpis: KpiReadModel, db: SqlDatabase) -> None:
    feed(db, kpis, EVENTS)
    with db.transaction() as cur:
        for name, select in kpis.views().items():
            cur.execute(f"CREATE VIEW g1_report_v1_{name} AS {select}")
    daily = db.query(
        "SELECT local_day, SUM(received), SUM(answered_first_contact), SUM(escalated), "
        "SUM(reopened), SUM(complaints), SUM(first_response_measured), "
        "SUM(first_response_seconds_sum), SUM(resolution_measured), "
        "SUM(resolution_seconds_sum), SUM(sla_first_response_met), "
        "SUM(sla_first_response_missed), SUM(sla_resolution_met), SUM(sla_resolution_missed), "
        "SUM(csat_responses), SUM(csat_score_sum), SUM(csat_score_10) "
        "FROM g1_report_v1_kpi_daily GROUP BY local_day ORDER BY local_day")
    assert [tuple(float(v) if i else v for i, v in enumerate(row)) for row in daily] == [
        # received 3, FCR 2, esc 1, reopen 1, complaint 1; FR 3 samples 1560 s;
        # RES 3 samples 15480 s; FR 3 met / 0 missed; RES 2 / 1; CSAT 2 responses, 17, one 10
        ("2026-11-23", 3, 2, 1, 1, 1, 3, 1560, 3, 15480, 3, 0, 2, 1, 2, 17, 1),
        ("2026-11-24", 2, 0, 1, 0, 0, 2, 3000, 1, 12600, 1, 1, 1, 0, 1, 10, 1),
    ]
    facts = db.query("SELECT inquiry_id, channel, local_day, answered_first_contact, "
                     "escalation_count, reopen_count, satisfaction_score, resolved_at "
                     "FROM g1_report_v1_kpi_inquiry_facts ORDER BY received_at")
    assert [(r[1], r[2], r[3], r[4], r[5], r[6], r[7] is None) for r in facts] == [
        ("WEB_FORM", "2026-11-23", 1, 0, 0, 7, False),     # B
        ("PHONE", "2026-11-23", 1, 0, 0, 10, False),       # A
        ("PHONE", "2026-11-23", 0, 1, 1, None, True),      # C (reopened: not resolved now)
        ("PHONE", "2026-11-24", 0, 1, 0, 10, False),       # D
        ("WEB_FORM", "2026-11-24", 0, 0, 0, None, True),   # E
    ]
    assert db.query("SELECT COUNT(*), SUM(CASE WHEN outcome = 'OFFERED' THEN 1 ELSE 0 END) "
                    "FROM g1_report_v1_kpi_contact_attempts")[0] == (12, 6)
    stops = db.query("SELECT target, cycle, outcome, elapsed_seconds, received_local_day "
                     "FROM g1_report_v1_kpi_clock_stops WHERE inquiry_id = ? "
                     "ORDER BY target, cycle", (C.id,))
    assert stops == [("FIRST_RESPONSE", 1, "MET", 1200.0, "2026-11-23"),
                     ("RESOLUTION", 1, "MISSED", 14400.0, "2026-11-23"),
                     ("UPDATE", 1, "MET", 500.0, "2026-11-23")]
    assert db.query("SELECT COUNT(*) FROM g1_report_v1_kpi_clock_stops")[0][0] == \
        len(STOPS) - SUPPLIER_STOPS
    assert db.query("SELECT target, destination, local_day, received_local_day "
                    "FROM g1_report_v1_kpi_escalation_facts ORDER BY escalated_at") == [
        ("DEPARTMENT", "土木課", "2026-11-23", "2026-11-23"),
        ("SUPPLIER", "SUP-1", "2026-11-24", "2026-11-24")]


def test_a_clock_stop_before_its_inquiry_counts_once_the_inquiry_arrives(
        kpis: KpiReadModel, db: SqlDatabase) -> None:
    e_stop = [s for s in STOPS if s[1]["inquiry_id"] == E.id]
    assert feed(db, kpis, e_stop) == 1
    assert run(kpis, "kpi_summary") == []               # no receipt yet: in no period
    with db.transaction() as cur:
        cur.execute(f"CREATE VIEW g1_stops AS {kpis.views()['kpi_clock_stops']}")
    assert db.query("SELECT outcome, received_local_day FROM g1_stops") == [("MISSED", None)]
    feed(db, kpis, E.events)
    [day24] = run(kpis, "kpi_summary")
    assert pick([day24], "period_key", "received", "first_response_median_seconds",
                "sla_first_response_missed", "sla_first_response_compliance_percent") == [
        ("2026-11-24", 1, 2400.0, 1, 0.0)]
    assert db.query("SELECT received_local_day FROM g1_stops") == [("2026-11-24",)]


def test_supplier_clocks_are_not_customer_service_levels(kpis: KpiReadModel,
                                                         db: SqlDatabase) -> None:
    supplier = [s for s in STOPS if s[1]["context"]["scope"] == "SUPPLIER"]
    assert feed(db, kpis, supplier) == 0
    assert db.query("SELECT COUNT(*) FROM g1_kpi_clock_stop")[0][0] == 0


# ----- knowledge -----


def test_faq_use_per_entry_with_reopens(knowledge: KnowledgeReadModel, db: SqlDatabase
                                        ) -> None:
    feed(db, knowledge, EVENTS)
    rows = run(knowledge, "knowledge_faq_use", from_month="2026-11", to_month="2026-11")
    assert pick(rows, "faq_entry_id", "answered", "answered_first_contact", "reopened",
                "categories") == [
        ("FAQ-001", 1, 1, 0, "ごみ"),      # A at first contact
        ("FAQ-002", 1, 0, 1, "道路"),      # C, reopened the next day: did not hold
    ]
    assert rows[0]["first_used_at"] == rows[0]["last_used_at"] == \
        "2026-11-23T01:10:00.000000+00:00"
    later = run(knowledge, "knowledge_faq_use",
                **{"from": datetime.fromisoformat("2026-11-23T02:00:00+00:00")})
    assert pick(later, "faq_entry_id") == [("FAQ-002",)]
    assert run(knowledge, "knowledge_faq_use", from_month="2026-12") == []


def test_faq_candidates_group_japanese_subjects(knowledge: KnowledgeReadModel,
                                                db: SqlDatabase) -> None:
    feed(db, knowledge, EVENTS)
    # Candidates: B (resolved without FAQ), C (escalated; reopened so not resolved now),
    # D (escalated, resolved without FAQ). A used an FAQ; E is open and not escalated.
    assert run(knowledge, "knowledge_faq_candidates") == []      # min_count 3 by default
    assert pick(run(knowledge, "knowledge_faq_candidates", min_count=2),
                "category", "normalized_subject", "count", "resolved_without_faq",
                "escalated", "sample_subject", "example_inquiry_ids") == [
        # B "…について。" and D "…について！" are one group; A (with FAQ) is not a candidate
        ("ごみ", "粗大ごみの出し方について", 2, 2, 1, "粗大ごみの出し方について。",
         f"{B.id},{D.id}"),
    ]
    assert pick(run(knowledge, "knowledge_faq_candidates", min_count=1),
                "category", "count") == [("ごみ", 2), ("道路", 1)]
    # Received on the 24th only: D
    assert pick(run(knowledge, "knowledge_faq_candidates", min_count=1,
                    **{"from": datetime.fromisoformat("2026-11-24T00:00:00+09:00")}),
                "category", "count", "example_inquiry_ids") == [("ごみ", 1, D.id)]


def test_faq_candidate_categories(knowledge: KnowledgeReadModel, db: SqlDatabase) -> None:
    feed(db, knowledge, EVENTS)
    assert pick(run(knowledge, "knowledge_faq_candidate_categories", min_count=1),
                "category", "inquiries", "candidates", "candidate_share_percent",
                "resolved_without_faq", "escalated", "distinct_subjects") == [
        ("ごみ", 3, 2, 66.7, 2, 1, 1),      # A, B, D received; B, D candidates
        ("道路", 1, 1, 100.0, 0, 1, 1),     # C
    ]
    assert run(knowledge, "knowledge_faq_candidate_categories") == []


def test_knowledge_resolutions_view(knowledge: KnowledgeReadModel, db: SqlDatabase) -> None:
    feed(db, knowledge, EVENTS)
    with db.transaction() as cur:
        for name, select in knowledge.views().items():
            cur.execute(f"CREATE VIEW g1_report_v1_{name} AS {select}")
    rows = db.query("SELECT category, normalized_subject, faq_entry_id, at_first_contact, "
                    "escalated, resolved, resolved_local_day, received_local_day "
                    "FROM g1_report_v1_knowledge_resolutions ORDER BY received_at")
    assert rows == [
        ("ごみ", "粗大ごみの出し方について", "", 1, 0, 1, "2026-11-23", "2026-11-23"),   # B
        ("ごみ", "粗大ごみの出し方について", "FAQ-001", 1, 0, 1, "2026-11-23",
         "2026-11-23"),                                                                   # A
        ("道路", "道路の陥没について", "", 0, 1, 0, None, "2026-11-23"),                  # C
        ("ごみ", "粗大ごみの出し方について", "", 0, 1, 1, "2026-11-24", "2026-11-24"),   # D
        ("税", "納税証明書の発行", "", 0, 0, 0, None, "2026-11-24"),                      # E
    ]
    assert db.query("SELECT faq_entry_id, reopened FROM g1_report_v1_knowledge_faq_uses "
                    "ORDER BY faq_entry_id") == [("FAQ-001", 0), ("FAQ-002", 1)]


# ----- at-least-once delivery -----

KPI_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("kpi_summary", {}), ("kpi_summary", {"period": "hour"}),
    ("kpi_summary", {"period": "month", "group_by": "channel"}),
    ("kpi_summary", {"group_by": "category"}), ("kpi_summary", {"group_by": "agreement"}),
    ("kpi_calls", {}), ("kpi_calls", {"period": "hour"}), ("kpi_escalations", {}),
    ("kpi_escalations", {"period": "month"}),
]
KNOWLEDGE_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("knowledge_faq_use", {}), ("knowledge_faq_candidates", {"min_count": 1}),
    ("knowledge_faq_candidate_categories", {"min_count": 1}),
]


def everything(model: Any, db: SqlDatabase, queries: list[tuple[str, dict[str, Any]]]
               ) -> list[Any]:
    answers: list[Any] = [run(model, name, **params) for name, params in queries]
    with db.transaction() as cur:
        for select in model.views().values():
            answers.append(sorted(cur.execute(select).fetchall(), key=repr))
    return answers


@pytest.mark.parametrize("which", ["kpis", "knowledge"])
def test_redelivery_and_replay_change_nothing(which: str, db: SqlDatabase,
                                              request: pytest.FixtureRequest) -> None:
    model = request.getfixturevalue(which)
    queries = KPI_QUERIES if which == "kpis" else KNOWLEDGE_QUERIES
    taken = [e for e in EVENTS if e[0] in model.event_types]
    skipped = SUPPLIER_STOPS if which == "kpis" else 0
    # every event delivered twice in a row: the second copy changes nothing
    twice = [e for event in taken for e in (event, event)]
    assert feed(db, model, twice) == len(taken) - skipped
    first = everything(model, db, queries)
    assert any(first)
    # the whole topic replayed again, and again in another order across aggregates
    assert feed(db, model, taken) == 0
    assert feed(db, model, list(reversed(STOPS)) + [e for e in taken if e not in STOPS]) == 0
    assert everything(model, db, queries) == first


def test_tables_and_indexes_are_all_under_the_generation_prefix(
        kpis: KpiReadModel, knowledge: KnowledgeReadModel, db: SqlDatabase) -> None:
    if db.is_postgres:
        names = db.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                         "UNION SELECT indexname FROM pg_indexes "
                         "WHERE schemaname = current_schema()")
    else:
        names = db.query("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    assert names and all(str(n).startswith("g1_") for (n,) in names)
    kpis.create()                                      # creating again is harmless
    knowledge.create()
