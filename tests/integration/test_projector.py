"""The projector's handling of messages it cannot use, on a real SQLite database.

An undecodable message, or one a read model cannot apply, becomes a dead letter with its
bytes and the reason, the rest of the batch is applied, and the partition moves on. A
message written with a schema this build does not know stops the partition instead.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from kafka import TopicPartition

from madoguchi.eventstream.avro import UnknownSchema, default_catalog
from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.projections.adapters.dead_letters import DeadLetters
from services.projections.adapters.read_models.read_model_set import ReadModelSet
from services.projections.application.projector import Projector

PARTITION = TopicPartition("attempts", 0)
NOW = "2026-11-20T01:00:00+00:00"


def message(offset: int, value: bytes) -> SimpleNamespace:
    return SimpleNamespace(offset=offset, key=b"k", value=value)


def attempt(outcome: str = "ANSWERED") -> bytes:
    record = {"event_id": str(uuid4()), "aggregate_id": str(uuid4()), "aggregate_version": 1,
              "recorded_at": NOW, "occurred_at": NOW, "actor": "telephony",
              "correlation_id": "", "idempotency_key": str(uuid4()), "outcome": outcome,
              "queue": "代表", "wait_seconds": 12, "attempted_at": NOW, "inquiry_id": "",
              "call_id": str(uuid4())}
    from datetime import datetime

    for name in ("recorded_at", "occurred_at", "attempted_at"):
        record[name] = datetime.fromisoformat(record[name])
    return default_catalog().encode("ContactAttemptRecorded", record)


@pytest.fixture
def projector(tmp_path: Path) -> Any:
    db = SqlDatabase(parse_database_url(f"sqlite:///{tmp_path / 'p.db'}"))
    models = ReadModelSet(db, 1)
    yield Projector(models, ConsumerOffsets(db, "projections-g1"), DeadLetters(db))
    db.close()


def attempts_stored(projector: Projector) -> int:
    return projector.models.db.query("SELECT COUNT(*) FROM g1_contact_attempt_view")[0][0]


def test_garbage_becomes_a_dead_letter_with_its_bytes_and_the_consumer_moves_on(
        projector: Projector) -> None:
    projector.handle("c1", PARTITION, [message(6, attempt()), message(7, b"not avro at all"),
                                       message(8, attempt())])
    assert projector.dead == 1 and attempts_stored(projector) == 2
    [letter] = projector.dead_letters.unpublished()
    assert (letter.offset, letter.value, letter.topic) == (7, b"not avro at all", "attempts")
    assert letter.reason.startswith("undecodable")
    assert projector.offsets.stored_offsets("c1", [PARTITION]) == {PARTITION: 9}


def test_an_event_a_read_model_cannot_apply_is_set_aside_and_the_others_are_applied(
        projector: Projector, monkeypatch: pytest.MonkeyPatch) -> None:
    kpis = next(m for m in projector.models if m.name == "kpis")
    original = kpis.apply

    def refuse_abandoned(cur: Any, event_type: str, record: dict[str, Any]) -> bool:
        if record.get("outcome") == "ABANDONED":
            raise KeyError("a field this read model needs")
        return original(cur, event_type, record)

    monkeypatch.setattr(kpis, "apply", refuse_abandoned)
    projector.handle("c1", PARTITION, [message(1, attempt()), message(2, attempt("ABANDONED")),
                                       message(3, attempt())])
    # The bad event changed nothing anywhere (the inquiries model had applied it first):
    assert attempts_stored(projector) == 2
    [letter] = projector.dead_letters.unpublished()
    assert letter.offset == 2 and letter.event_type == "ContactAttemptRecorded"
    assert "unappliable: KeyError" in letter.reason
    assert projector.offsets.stored_offsets("c1", [PARTITION]) == {PARTITION: 4}
    # Redelivered, it is not a second dead letter.
    projector.handle("c1", PARTITION, [message(2, attempt("ABANDONED"))])
    assert projector.dead_letters.count() == 1


def test_an_unknown_schema_stops_the_partition_instead_of_skipping(
        projector: Projector) -> None:
    unknown = b"\xc3\x01" + bytes(8) + b"\x00"
    with pytest.raises(UnknownSchema):
        projector.handle("c1", PARTITION, [message(3, unknown)])
    assert projector.offsets.stored_offsets("c1", [PARTITION]) == {}
    assert projector.dead_letters.count() == 0


def test_one_poll_of_several_partitions_is_stored_in_one_transaction(
        projector: Projector, monkeypatch: pytest.MonkeyPatch) -> None:
    other = TopicPartition("attempts", 1)
    commits: list[int] = []
    transaction = projector.models.db.transaction

    def counted() -> Any:
        commits.append(1)
        return transaction()

    monkeypatch.setattr(projector.models.db, "transaction", counted)
    projector.handle_all("c1", {PARTITION: [message(4, attempt()), message(5, attempt())],
                                other: [message(9, attempt())]})
    assert len(commits) == 1 and attempts_stored(projector) == 3
    assert projector.offsets.stored_offsets("c1", [PARTITION, other]) == {
        PARTITION: 6, other: 10}


def test_a_database_error_is_retried_not_dead_lettered(
        projector: Projector, monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing column (say, after an upgrade) is not the message's fault."""
    import sqlite3

    kpis = next(m for m in projector.models if m.name == "kpis")

    def broken(cur: Any, event_type: str, record: dict[str, Any]) -> bool:
        raise sqlite3.OperationalError("no such column: new_column")

    monkeypatch.setattr(kpis, "apply", broken)
    with pytest.raises(sqlite3.OperationalError):
        projector.handle("c1", PARTITION, [message(1, attempt())])
    assert projector.dead_letters.count() == 0 and attempts_stored(projector) == 0
    assert projector.offsets.stored_offsets("c1", [PARTITION]) == {}
