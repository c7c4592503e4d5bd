"""Read models from the real broker, on SQLite and PostgreSQL, against hand-worked figures.

The month in ``reporting_events.november()`` is published to the topics as the other
services would; the projections service consumes it, and its queries, reporting views,
rebuild and dead-letter handling are checked here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from kafka import KafkaConsumer, KafkaProducer

from madoguchi.eventstream.kafka_settings import producer_config
from madoguchi.rpc.channels import open_channel
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from madoguchi_cli.query_client import QueryClient
from services.projections.adapters.generations import VIEW_PREFIX
from services.projections.main import ProjectionsService, rebuild_projections
from tests.support import reporting_events as ev
from tests.support.system import RunningSystem, eventually

NOVEMBER = {"from": "2026-11-01T00:00:00+09:00", "to": "2026-12-01T00:00:00+09:00"}
NOW = "2026-11-03T14:00:00+09:00"   # ages and deadlines of open inquiries are taken here
REQUIRED = {"month": "2026-11", "agreement_id": ev.AGREEMENT, "now": NOW,
            "as_of": "2026-11-15", "terms_json": json.dumps(ev.terms(360))}


class Reporting:
    def __init__(self, system: RunningSystem) -> None:
        self.system = system
        self.service = system.start_projections()
        self.channel = open_channel(self.service.grpc.address)
        self.client = QueryClient(self.channel)
        self.events = ev.november()

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return self.client.rows(query, {k: str(v) for k, v in params.items()})

    def one(self, query: str, **params: Any) -> dict[str, Any]:
        [row] = self.run(query, **params)
        return row

    def consumed(self, service: ProjectionsService | None = None) -> int:
        projector = (service or self.service).projector
        return projector.applied + projector.duplicates + projector.skipped

    def publish_and_wait(self, times: int = 1) -> None:
        before = self.consumed()
        sent = self.events.publish(self.system.settings, times=times)
        eventually(lambda: self.consumed() >= before + sent, timeout=60)

    def snapshot(self) -> dict[str, Any]:
        """Every query (required params filled in) and every reporting view."""
        found: dict[str, Any] = {}
        for query in self.client.list_queries():
            params = {p.name: str(REQUIRED[p.name]) for p in query.params
                      if p.name in REQUIRED
                      and (p.required or p.name in ("now", "as_of", "terms_json"))}
            found[query.name] = self.client.rows(query.name, params)
        db = self.service.db
        names = [name for (name,) in db.query(
            "SELECT name FROM sqlite_master WHERE type = 'view'" if not db.is_postgres else
            "SELECT table_name FROM information_schema.views "
            "WHERE table_schema = current_schema()")]
        for name in sorted(n for n in names if n.startswith(VIEW_PREFIX)):
            found[name] = sorted(map(repr, db.query(f"SELECT * FROM {name}")))
        return found

    def close(self) -> None:
        self.channel.close()


@pytest.fixture
def reporting(system: RunningSystem) -> Iterator[Reporting]:
    running = Reporting(system)
    yield running
    running.close()


def test_kpis_of_a_known_month_match_the_hand_worked_figures(reporting: Reporting) -> None:
    reporting.publish_and_wait()
    summary = reporting.one("kpi_summary", period="month", agreement_id=ev.AGREEMENT,
                            **NOVEMBER)
    assert summary["period_key"] == "2026-11"
    assert {k: summary[k] for k in (
        "received", "answered_first_contact", "completion_rate_percent", "escalated",
        "escalation_rate_percent", "reopened", "reopen_rate_percent", "complaints")} == {
        "received": 4,
        "answered_first_contact": 1, "completion_rate_percent": 25,   # A of A, B, C, D
        "escalated": 2, "escalation_rate_percent": 50,               # B and C
        "reopened": 1, "reopen_rate_percent": 25,                    # C
        "complaints": 1}                                             # C
    # First responses 600, 1800, 5400, 300 s: mean 2025, median (600 + 1800) / 2,
    # p90 at rank 0.9 × 3 = 2.7 → 1800 + 0.7 × (5400 − 1800) = 4320.
    assert (summary["first_response_mean_seconds"], summary["first_response_median_seconds"],
            summary["first_response_p90_seconds"]) == (2025, 1200, 4320)
    # Resolutions summed over cycles: A 1200, B 18000, C 10800 + 3600 = 14400 (D open):
    # mean 11200, median 14400, p90 at 1.8 → 14400 + 0.8 × 3600 = 17280.
    assert (summary["resolution_mean_seconds"], summary["resolution_median_seconds"],
            summary["resolution_p90_seconds"]) == (11200, 14400, 17280)
    # First response: A, B, D met, C missed; resolution: A, C (twice) met, B missed.
    assert (summary["sla_first_response_met"], summary["sla_first_response_missed"],
            summary["sla_first_response_compliance_percent"]) == (3, 1, 75)
    assert (summary["sla_resolution_met"], summary["sla_resolution_missed"],
            summary["sla_resolution_compliance_percent"]) == (3, 1, 75)
    # Ratings 10, 7, 10: mean 9, two of three are 10s.
    assert (summary["csat_responses"], summary["csat_mean"],
            summary["csat_share_10_percent"]) == (3, 9, 66.7)

    by_channel = {r["group_value"]: r["received"] for r in reporting.run(
        "kpi_summary", period="month", group_by="channel", **NOVEMBER)}
    assert by_channel == {"PHONE": 2, "EMAIL": 1, "WEB_FORM": 1}

    calls = reporting.one("kpi_calls", period="day", **NOVEMBER)
    assert (calls["period_key"], calls["queue"], calls["offered"], calls["answered"],
            calls["abandoned"], calls["answer_rate_percent"],
            calls["abandonment_rate_percent"], calls["mean_wait_seconds"]) == (
        "2026-11-02", "代表", 4, 3, 1, 75, 25, 52.5)   # (20 + 40 + 60 + 90) / 4

    volume = {r["period_key"]: (r["received"], r["resolved"]) for r in reporting.run(
        "kpi_volume", period="day", agreement_id=ev.AGREEMENT, **NOVEMBER)}
    assert volume == {"2026-11-02": (2, 2), "2026-11-03": (2, 0), "2026-11-04": (0, 1)}

    escalations = {(r["target"], r["destination"]): r["escalations"] for r in reporting.run(
        "kpi_escalations", period="month", **NOVEMBER)}
    assert escalations == {("DEPARTMENT", "税務課"): 1, ("SUPPLIER", ev.SUPPLIER): 1}


def test_sla_supplier_and_knowledge_models_of_the_known_month(reporting: Reporting) -> None:
    reporting.publish_and_wait()
    compliance = {r["target"]: (r["met"], r["missed"], r["compliance_percent"],
                                r["warnings"], r["breaches"])
                  for r in reporting.run("sla_compliance", period="month", scope="CUSTOMER",
                                         agreement_id=ev.AGREEMENT)}
    assert compliance == {"FIRST_RESPONSE": (3, 1, 75, 0, 1),
                          "RESOLUTION": (3, 1, 75, 1, 1)}
    assert reporting.run("sla_supplier_share", month="2026-11",
                         agreement_id=ev.AGREEMENT)[0]["late_seconds"] == (
        (5400 - 3600) + (18000 - 14400))    # C's first response and B's resolution

    card = reporting.one("supplier_scorecard", month="2026-11", supplier_id=ev.SUPPLIER)
    assert {k: card[k] for k in (
        "supplier_name", "engagements_opened", "acknowledged", "acknowledged_on_time",
        "resolved", "resolved_on_time", "breaches", "penalties_yen")} == {
        "supplier_name": "さくら設備保守株式会社", "engagements_opened": 1,
        "acknowledged": 1, "acknowledged_on_time": 0, "resolved": 1, "resolved_on_time": 1,
        "breaches": 1, "penalties_yen": 10000}

    faq = reporting.one("knowledge_faq_use", from_month="2026-11", to_month="2026-11")
    assert (faq["faq_entry_id"], faq["answered"], faq["answered_first_contact"]) == (
        "FAQ-GOMI-1", 1, 1)


def test_inquiry_filters_search_queues_and_what_if(reporting: Reporting) -> None:
    reporting.publish_and_wait()

    def subjects(**params: Any) -> set[str]:
        return {r["subject"] for r in reporting.run("inquiries", **params)}

    assert subjects(text="粗大") == {"粗大ごみの出し方", "粗大ごみの料金"}
    assert subjects(text="騒音", channel="WEB_FORM") == {"ごみ収集車の騒音"}
    assert subjects(text="100%") == set()       # % is searched for, not a wildcard
    assert subjects(sla_state="AT_RISK") == {"粗大ごみの料金"}
    assert subjects(sla_state="MISSED") == {"住民税の減免申請", "ごみ収集車の騒音"}
    assert subjects(escalated_department="税務課") == {"住民税の減免申請"}
    assert subjects(supplier_id=ev.SUPPLIER) == {"ごみ収集車の騒音"}

    # D is the only open inquiry: received 13:00 JST, 240 minutes around the clock.
    [item] = reporting.run("queue_items", now=NOW)
    assert (item["subject"], item["next_deadline_target"], item["next_deadline_at"],
            item["age_seconds"], item["sla_state"]) == (
        "粗大ごみの料金", "RESOLUTION", "2026-11-03T08:00:00.000000+00:00", 3600, "AT_RISK")

    # With 360 minutes to resolve, B's 300 minutes would have been met.
    rows = {(r["target"], r["priority"]): r for r in reporting.run(
        "sla_what_if", agreement_id=ev.AGREEMENT, month="2026-11",
        terms_json=json.dumps(ev.terms(360)))}
    resolution = rows[("RESOLUTION", "")]
    assert (resolution["as_agreed_met"], resolution["as_agreed_missed"],
            resolution["what_if_met"], resolution["what_if_missed"],
            resolution["what_if_compliance_percent"]) == (3, 1, 4, 0, 100)
    assert rows[("FIRST_RESPONSE", "")]["what_if_compliance_percent"] == 75

    with pytest.raises(grpc.RpcError) as refused:
        reporting.run("sla_what_if", agreement_id=ev.AGREEMENT, month="2026-11",
                      terms_json='{"name": "x", "targets": [{"priority": "P9"}]}')
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "params.terms_json" in refused.value.details()


def test_redelivered_and_replayed_messages_change_no_read_model(
        reporting: Reporting) -> None:
    reporting.publish_and_wait()
    before = reporting.snapshot()
    assert before["kpi_summary"] and before["report_v1_kpi_daily"]
    reporting.publish_and_wait(times=2)    # every message twice more, at new offsets
    assert reporting.service.projector.duplicates >= 2 * len(reporting.events.events) - 10
    assert reporting.snapshot() == before

    # A rebuild replays every topic from offset 0 into a new generation: the same again.
    result = rebuild_projections(reporting.system.settings)
    eventually(lambda: reporting.service.generation.number == result.generation, timeout=30)
    assert result.events == 3 * len(reporting.events.events)
    assert reporting.snapshot() == before


def test_a_rebuild_serves_the_old_generation_until_the_new_one_takes_over(
        reporting: Reporting) -> None:
    reporting.publish_and_wait()
    old = reporting.service.generation.number
    expected = reporting.run("kpi_summary", period="month", **NOVEMBER)
    answers: list[list[dict[str, Any]]] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answers.append(reporting.run("kpi_summary", period="month", **NOVEMBER))

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        result = rebuild_projections(reporting.system.settings, note="test")
        eventually(lambda: reporting.service.generation.number == result.generation)
    finally:
        stop.set()
        asker.join()
    assert result.previous == old and result.generation == old + 1
    assert answers and all(answer == expected for answer in answers)

    # The views now read the new generation, and the service goes on from its offsets.
    db = SqlDatabase(parse_database_url(reporting.system.settings.database_urls["projections"]))
    try:
        assert db.query(f"SELECT COUNT(*) FROM {VIEW_PREFIX}inquiries")[0][0] == 4
        late = ev.Sequence()
        ev.received(late, "E", ev.jst(5, 9), "CHAT", "QUESTION", "マイナンバーカード", "窓口")
        late.publish(reporting.system.settings)
        eventually(lambda: db.query(f"SELECT COUNT(*) FROM {VIEW_PREFIX}inquiries")[0][0] == 5)
        assert db.query(f"SELECT COUNT(*) FROM g{old + 1}_inquiry_view")[0][0] == 5
    finally:
        db.close()


def test_a_poison_message_becomes_a_dead_letter_and_the_rest_is_applied(
        reporting: Reporting) -> None:
    settings = reporting.system.settings
    producer = KafkaProducer(**producer_config(settings.bootstrap(), "test-poison"))
    producer.send(settings.topics.inquiries, key=b"poison", value=b"\x00not avro")
    producer.flush(10)
    producer.close(5)
    reporting.publish_and_wait()
    assert reporting.one("kpi_summary", period="month", **NOVEMBER)["received"] == 4

    consumer = KafkaConsumer(settings.topics.projections_dead_letters,
                             bootstrap_servers=settings.bootstrap(),
                             auto_offset_reset="earliest", consumer_timeout_ms=1000,
                             fetch_max_wait_ms=5)
    try:
        letters: list[Any] = []
        eventually(lambda: letters.extend(consumer) or letters, timeout=30)
    finally:
        consumer.close()
    [letter] = letters
    headers = {k: v.decode() for k, v in letter.headers}
    assert (letter.key, letter.value) == (b"poison", b"\x00not avro")
    assert headers["madoguchi-dlq-source-topic"] == settings.topics.inquiries
    assert headers["madoguchi-dlq-reason"].startswith("undecodable")
    assert reporting.service.dead_letters.count(published=False) == 0
