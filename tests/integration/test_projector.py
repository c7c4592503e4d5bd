"""The projector's handling of messages it cannot use, on a real SQLite database."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from kafka import TopicPartition

from madoguchi.eventstream.avro import UnknownSchema
from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from services.projections.adapters.sql_store import InquiryStore
from services.projections.application.projector import InquiryProjector

PARTITION = TopicPartition("inquiries", 0)


def message(offset: int, value: bytes) -> SimpleNamespace:
    return SimpleNamespace(offset=offset, key=b"k", value=value)


@pytest.fixture
def projector(tmp_path: Path) -> InquiryProjector:
    db = SqlDatabase(parse_database_url(f"sqlite:///{tmp_path / 'p.db'}"))
    return InquiryProjector(InquiryStore(db))


def test_garbage_is_set_aside_with_its_bytes_and_the_consumer_moves_on(
        projector: InquiryProjector) -> None:
    projector.handle("c1", PARTITION, [message(7, b"not avro at all")])
    assert projector.rejected == 1
    rows = projector.store.db.query(
        "SELECT message_offset, reason, message_value FROM rejected_messages")
    assert rows[0][0] == 7 and "undecodable" in rows[0][1] and rows[0][2] == b"not avro at all"
    assert projector.store.offsets.stored_offsets("c1", [PARTITION]) == {PARTITION: 8}


def test_an_unknown_schema_stops_the_partition_instead_of_skipping(
        projector: InquiryProjector) -> None:
    unknown = b"\xc3\x01" + bytes(8) + b"\x00"
    with pytest.raises(UnknownSchema):
        projector.handle("c1", PARTITION, [message(3, unknown)])
    assert projector.store.offsets.stored_offsets("c1", [PARTITION]) == {}
    assert projector.store.db.query("SELECT COUNT(*) FROM rejected_messages") == [(0,)]
