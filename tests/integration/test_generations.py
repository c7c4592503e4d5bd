"""Generations of the read models and the reporting views that follow the active one."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from madoguchi.config import Settings
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from madoguchi_cli.projections_commands import run_projections_command
from services.projections.adapters.dead_letters import DeadLetters
from services.projections.adapters.generations import Generations
from services.projections.adapters.read_models.read_model_set import ReadModelSet
from services.projections.main import live_generation


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'projections.db'}"
    return str(request.getfixturevalue("postgres").new_database("generations"))


@pytest.fixture
def db(url: str) -> Iterator[SqlDatabase]:
    database = SqlDatabase(parse_database_url(url))
    yield database
    database.close()


def activate(db: SqlDatabase, generations: Generations, number: int) -> None:
    views = ReadModelSet(db, number).views()
    with db.transaction() as cur:
        generations.activate(cur, number, views)


def add_inquiry_row(db: SqlDatabase, generation: int, inquiry_id: str) -> None:
    models = ReadModelSet(db, generation)
    with db.transaction() as cur:
        models.inquiries.apply(cur, "InquiryReceived", {
            "event_id": inquiry_id, "aggregate_id": inquiry_id, "aggregate_version": 1,
            "recorded_at": "2026-11-02T01:00:00+00:00",
            "occurred_at": "2026-11-02T01:00:00+00:00", "actor": "t", "channel": "PHONE",
            "kind": "QUESTION", "subject": "住民票", "body": "", "category": "戸籍",
            "priority": "P3", "agreement_id": ""})


def test_the_views_follow_the_active_generation(db: SqlDatabase) -> None:
    generations = Generations(db)
    first = live_generation(db, generations, "Asia/Tokyo")
    add_inquiry_row(db, first.number, "00000000-0000-0000-0000-000000000001")
    assert db.query("SELECT subject FROM report_v1_inquiries") == [("住民票",)]

    second = generations.create("rebuild")
    ReadModelSet(db, second.number)
    assert db.query("SELECT COUNT(*) FROM report_v1_inquiries") == [(1,)]   # still the first
    activate(db, generations, second.number)
    assert db.query("SELECT COUNT(*) FROM report_v1_inquiries") == [(0,)]
    assert [(g.number, g.state) for g in generations.all()] == [(1, "RETIRED"), (2, "ACTIVE")]

    # Switching back is one activation; forgetting drops the tables of a retired one.
    activate(db, generations, first.number)
    assert db.query("SELECT COUNT(*) FROM report_v1_inquiries") == [(1,)]
    dropped = generations.forget(second.number)
    assert "g2_inquiry_view" in dropped
    with pytest.raises(ValueError, match="active"):
        generations.forget(first.number)


def test_only_finished_builds_can_be_activated_from_the_command_line(
        db: SqlDatabase, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generations = Generations(db)
    live_generation(db, generations, "Asia/Tokyo")
    unfinished = generations.create("stopped half way")
    finished = generations.create("built, not activated")
    generations.mark_built(finished.number)
    settings = Settings(data_dir=tmp_path, kafka_bootstrap="", embedded_kafka_port=0,
                        host="127.0.0.1", ports={}, database_urls={"projections": url})

    def run(*argv: Any) -> int:
        return run_projections_command(argparse.Namespace(action="activate",
                                                          generation=argv[0]), settings)

    assert run(unfinished.number) == 2
    assert "never finished" in capsys.readouterr().err
    assert run(99) == 2
    assert run(finished.number) == 0
    assert generations.active().number == finished.number   # type: ignore[union-attr]


@pytest.mark.parametrize("url", ["postgres"], indirect=True)
def test_on_postgresql_the_reporting_role_reads_the_views_and_nothing_else(
        db: SqlDatabase) -> None:
    with db.transaction() as cur:
        if not cur.execute("SELECT 1 FROM pg_roles WHERE rolname = 'madoguchi_reporting'"
                           ).fetchone():
            cur.execute("CREATE ROLE madoguchi_reporting NOLOGIN")
    generations = Generations(db)
    DeadLetters(db)
    live_generation(db, generations, "Asia/Tokyo")
    # A BI tool's own view on top of a reporting view survives the next switch.
    with db.transaction() as cur:
        cur.execute("CREATE VIEW bi_inquiry_count AS SELECT COUNT(*) AS n "
                    "FROM report_v1_inquiries")
    second = generations.create("rebuild")
    ReadModelSet(db, second.number)
    activate(db, generations, second.number)
    add_inquiry_row(db, second.number, "00000000-0000-0000-0000-000000000002")
    assert db.query("SELECT n FROM bi_inquiry_count") == [(1,)]

    def can_read(table: str) -> bool:
        return bool(db.query("SELECT has_table_privilege('madoguchi_reporting', ?, 'SELECT')",
                             (table,))[0][0])

    assert can_read("report_v1_inquiries") and can_read("report_v1_kpi_daily")
    assert not can_read("g2_inquiry_view") and not can_read("projection_dead_letters")


def test_replicas_starting_together_on_a_fresh_database_agree_on_one_generation(
        db: SqlDatabase) -> None:
    generations = Generations(db)
    mine, theirs = generations.create("first start"), generations.create("first start")
    their_views = ReadModelSet(db, theirs.number).views()
    my_views = ReadModelSet(db, mine.number).views()
    with db.transaction() as cur:
        assert generations.activate_first(cur, theirs.number, their_views)
    with db.transaction() as cur:
        assert not generations.activate_first(cur, mine.number, my_views)
    assert live_generation(db, generations, "Asia/Tokyo").number == theirs.number


def test_a_dropped_generation_number_is_never_handed_out_again(db: SqlDatabase) -> None:
    generations = Generations(db)
    live_generation(db, generations, "Asia/Tokyo")
    second = generations.create("rebuild")
    ReadModelSet(db, second.number)
    offsets = ConsumerOffsets(db, second.consumer)
    with db.transaction() as cur:
        offsets.save_offset(cur, "c1", "inquiries", 0, 18)
    generations.forget(second.number)
    third = generations.create("rebuild")
    assert third.number == second.number + 1
    assert [g.number for g in generations.all()] == [1, third.number]
    assert ConsumerOffsets(db, third.consumer).stored_offsets("c1", []) == {}


def test_a_view_is_never_written_back_to_an_earlier_version(db: SqlDatabase) -> None:
    """Another replica folded a later event meanwhile: an older copy does not win."""
    models = ReadModelSet(db, 1)
    inquiry_id = "00000000-0000-0000-0000-000000000003"
    add_inquiry_row(db, 1, inquiry_id)
    with db.transaction() as cur:
        stale = models.inquiries._load_view(cur, inquiry_id)
        models.inquiries.apply(cur, "InquiryAssigned", {
            "event_id": "e2", "aggregate_id": inquiry_id, "aggregate_version": 2,
            "recorded_at": "2026-11-02T02:00:00+00:00",
            "occurred_at": "2026-11-02T02:00:00+00:00", "actor": "t", "team": "窓口一課",
            "assignee": ""})
    with db.transaction() as cur:
        models.inquiries._save_view(cur, stale)
    view = models.inquiries.get(inquiry_id)
    assert view is not None and (view["version"], view["team"]) == (2, "窓口一課")
