"""The published Avro contract: every domain event has a frozen, evolvable schema.

No infrastructure: the aggregates produce real domain events, which are framed,
decoded and compared. Copies of the schema folder in tmp_path simulate evolution and
tampering, so the checks are shown to fail when they should.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import fastavro
import pytest
from eventsourcing.domain import Aggregate

from madoguchi.eventstream.avro import (
    CONTENT_TYPE,
    LOCK_FILE,
    SCHEMAS_DIR,
    BadFraming,
    SchemaCatalog,
    SchemaError,
    UnknownSchema,
    canonical_form,
    default_catalog,
    update_lock,
)
from madoguchi.eventstream.records import event_headers, event_type_name, to_record
from madoguchi.eventstream.schema_compatibility import check_backward
from services.intake.domain.contact_attempt import ContactAttempt, attempt_id_for
from services.intake.domain.inquiry import Inquiry, inquiry_id_for

AGGREGATES = (Inquiry, ContactAttempt)
JST = timezone(timedelta(hours=9))
INTERNAL_FIELDS = {"request_fingerprint"}


# ----- discovering the domain's events -----


def domain_event_classes() -> dict[str, type]:
    """Every event class nested in the aggregates, by public event type name.

    ``Event`` (the shared base) and ``Created`` (defined by eventsourcing when the
    aggregate names its own creation event) are never emitted and are skipped.
    """
    found = {}
    for aggregate in AGGREGATES:
        for name, value in vars(aggregate).items():
            if (isinstance(value, type) and issubclass(value, Aggregate.Event)
                    and name not in ("Event", "Created")):
                found[aggregate.__name__ + name] = value
    return found


def own_fields(event_cls: type) -> set[str]:
    """Attributes declared by the domain (not by eventsourcing) for an event class."""
    names: set[str] = set()
    for cls in event_cls.__mro__:
        if cls.__module__.startswith("services."):
            names |= set(vars(cls).get("__annotations__", {}))
    return names


# ----- a realistic history -----

T0 = datetime(2026, 4, 1, 9, 15, 30, 123456, tzinfo=JST)


def meta(minutes: int, actor: str = "staff-0042") -> dict[str, Any]:
    return {"actor": actor, "occurred_at": T0 + timedelta(minutes=minutes),
            "correlation_id": "corr-7f3a9c"}


def realistic_events() -> list[Any]:
    """One inquiry's whole life plus one call attempt, with Japanese text."""
    inquiry = Inquiry.receive(
        inquiry_id=inquiry_id_for("web-2026-0401-0001"),
        idempotency_key="web-2026-0401-0001",
        request_fingerprint="sha256:internal-only",
        channel="WEB_FORM",
        kind="REQUEST",
        contact={"name": "山田 太郎", "phone": "03-1234-5678", "email": "taro@example.jp",
                 "preferred_language": "ja"},
        subject="住民票の写しの請求について",
        body="転居に伴い、住民票の写しを2通郵送で請求したいです。手数料の支払方法を教えてください。",
        category="住民記録",
        department="市民課",
        impact="LOW",
        urgency="MEDIUM",
        priority="P4",
        agreement_id="SLA-市民窓口-標準",
        contacted_at=T0,
        external_ref="",
        **meta(0, actor="web-form"),
    )
    inquiry.log_contact(contact_key="phone-0001", channel="PHONE", direction="INBOUND",
                        note="電話で進捗の確認あり。", **meta(30))
    inquiry.record_first_response(channel="EMAIL", **meta(45))
    inquiry.assign(team="市民課 住民記録係", assignee="佐藤 花子", **meta(50))
    inquiry.change_priority(impact="MEDIUM", urgency="HIGH", priority="P2",
                            reason="転出期限が迫っているため", **meta(55))
    inquiry.escalate(target="TIER", to_tier=2, to_department="", to_supplier_id="",
                     reason="手数料の免除要件の確認が必要", **meta(60))
    inquiry.escalate(target="SUPPLIER", to_tier=0, to_department="",
                     to_supplier_id="SUP-住基システム", reason="システム障害の疑い", **meta(62))
    engagement_id = str(uuid5(inquiry.id, "engagement"))
    inquiry.record_supplier_engaged(engagement_id=engagement_id,
                                    supplier_id="SUP-住基システム", contract_id="CT-2026-01",
                                    coverage="COVERED", **meta(63, actor="supplier-service"))
    inquiry.record_supplier_outcome(engagement_id=engagement_id,
                                    supplier_id="SUP-住基システム", outcome="RESOLVED",
                                    note="設定を修正しました。",
                                    **meta(65, actor="supplier-service"))
    inquiry.put_on_hold(reason="AWAITING_CUSTOMER", note="本人確認書類の提出待ち", **meta(70))
    inquiry.resume(note="書類を受領しました", **meta(1440))
    inquiry.resolve(resolution_code="ANSWERED",
                    resolution_text="郵送請求の手順と手数料（1通300円）を案内しました。",
                    faq_entry_id="FAQ-0107", **meta(1500))
    inquiry.reopen(reason="定額小為替の購入先についての追加質問", **meta(1600))
    inquiry.resolve(resolution_code="ANSWERED",
                    resolution_text="郵便局で購入できる旨を案内しました。",
                    faq_entry_id="", **meta(1620))
    inquiry.close(**meta(3000))
    inquiry.record_satisfaction(score=9, comment="丁寧に対応していただきました。", **meta(3100))
    attempt = ContactAttempt.record(
        attempt_id=attempt_id_for("pbx-call-88812"), idempotency_key="pbx-call-88812",
        request_fingerprint="sha256:internal-only", outcome="ABANDONED", queue="市民課代表",
        wait_seconds=95, attempted_at=T0 - timedelta(minutes=5),
        inquiry_id=str(inquiry.id), call_id="call-88812", correlation_id="",
    )
    return [*inquiry.collect_events(), *attempt.collect_events()]


@pytest.fixture(scope="module")
def catalog() -> SchemaCatalog:
    return default_catalog()


@pytest.fixture(scope="module")
def events() -> list[Any]:
    return realistic_events()


# ----- every event has a complete schema -----


def test_every_domain_event_has_a_schema(catalog: SchemaCatalog) -> None:
    discovered = domain_event_classes()
    assert len(discovered) == 15, sorted(discovered)
    missing = sorted(set(discovered) - set(catalog.event_types))
    assert not missing, f"domain events without an Avro schema: {missing}"


@pytest.mark.parametrize("event_type", sorted(domain_event_classes()))
def test_schema_covers_every_public_field(catalog: SchemaCatalog, event_type: str) -> None:
    schema_fields = {f["name"] for f in catalog.schema(event_type)["fields"]}
    missing = own_fields(domain_event_classes()[event_type]) - INTERNAL_FIELDS - schema_fields
    assert not missing, f"{event_type}: fields not in the schema: {sorted(missing)}"
    assert not INTERNAL_FIELDS & schema_fields


def test_schema_files_follow_the_conventions(catalog: SchemaCatalog) -> None:
    envelope = ["event_id", "aggregate_id", "aggregate_version", "recorded_at", "occurred_at",
                "actor", "correlation_id"]
    for sv in catalog:
        namespace = sv.raw["namespace"]
        assert namespace in ("madoguchi.intake", "madoguchi.sla", "madoguchi.supplier")
        assert sv.path == SCHEMAS_DIR / namespace / sv.event_type / f"v{sv.version}.avsc"
        assert sv.raw["name"] == sv.event_type
        fields = sv.raw["fields"]
        assert [f["name"] for f in fields[:7]] == envelope
        for field in fields:
            assert field.get("doc"), f"{sv.ref}.{field['name']} has no doc"
        for name in ("recorded_at", "occurred_at"):
            field = next(f for f in fields if f["name"] == name)
            assert field["type"] == {"type": "long", "logicalType": "timestamp-micros"}


def test_history_covers_every_event_type(events: list[Any]) -> None:
    produced = {event_type_name(e) for e in events}
    assert produced == set(domain_event_classes()), "add the new event to realistic_events()"


# ----- framing and round trips -----


def test_every_event_round_trips(catalog: SchemaCatalog, events: list[Any]) -> None:
    for event in events:
        event_type, record = to_record(event)
        data = catalog.encode(event_type, record)
        assert data[:2] == b"\xc3\x01"
        assert data[2:10] == bytes.fromhex(catalog.fingerprint_hex(event_type))
        decoded_type, decoded = catalog.decode(data)
        assert decoded_type == event_type
        # Fields the event predates are left out of the record and decode to their defaults.
        defaults = {f["name"]: f["default"] for f in catalog.schema(event_type)["fields"]
                    if "default" in f}
        assert decoded == {**defaults, **record}
        for name in ("recorded_at", "occurred_at"):
            assert decoded[name].utcoffset() == timedelta(0)


def test_records_carry_the_domain_values(catalog: SchemaCatalog, events: list[Any]) -> None:
    by_type = {}
    for event in events:
        event_type, record = to_record(event)
        by_type.setdefault(event_type, catalog.decode(catalog.encode(event_type, record))[1])
    received = by_type["InquiryReceived"]
    assert received["subject"] == "住民票の写しの請求について"
    assert received["contact"]["name"] == "山田 太郎"
    assert received["contacted_at"] == T0.astimezone(UTC)
    assert received["occurred_at"] == T0
    assert received["aggregate_id"] == inquiry_id_for("web-2026-0401-0001")
    assert received["aggregate_version"] == 1
    assert "request_fingerprint" not in received
    escalated = by_type["InquiryEscalated"]
    assert escalated["to_tier"] == 2
    assert (escalated["category"], escalated["priority"], escalated["kind"]) == (
        "住民記録", "P2", "REQUEST")
    assert escalated["subject"] == "住民票の写しの請求について"
    engaged = by_type["InquirySupplierEngaged"]
    assert (engaged["supplier_id"], engaged["contract_id"], engaged["coverage"]) == (
        "SUP-住基システム", "CT-2026-01", "COVERED")
    assert engaged["held"] is True and engaged["actor"] == "supplier-service"
    ended = by_type["InquirySupplierOutcomeRecorded"]
    assert (ended["engagement_id"], ended["outcome"]) == (engaged["engagement_id"], "RESOLVED")
    assert ended["note"] == "設定を修正しました。" and ended["resumed"] is True
    changed = by_type["InquiryPriorityChanged"]
    assert (changed["impact"], changed["urgency"]) == ("MEDIUM", "HIGH")
    assert (changed["previous_priority"], changed["priority"]) == ("P4", "P2")
    assert changed["reason"] == "転出期限が迫っているため"
    assert by_type["InquirySatisfactionRecorded"]["score"] == 9
    attempt = by_type["ContactAttemptRecorded"]
    assert attempt["actor"] == "" and attempt["occurred_at"] == attempt["attempted_at"]
    assert attempt["idempotency_key"] == "pbx-call-88812"


def test_event_id_is_deterministic(events: list[Any]) -> None:
    for event in events:
        _, first = to_record(event)
        _, again = to_record(event)
        assert first["event_id"] == again["event_id"] == uuid5(
            event.originator_id, str(event.originator_version))
    assert len({to_record(e)[1]["event_id"] for e in events}) == len(events)


def test_headers(catalog: SchemaCatalog, events: list[Any]) -> None:
    event_type, record = to_record(events[3])
    headers = dict(event_headers(event_type, record, catalog.schema_ref(event_type)))
    assert list(headers) == ["event_type", "schema", "event_id", "aggregate_id",
                             "aggregate_version", "occurred_at", "correlation_id",
                             "content_type"]
    assert all(isinstance(v, bytes) for v in headers.values())
    assert headers["event_type"] == b"InquiryAssigned"
    assert headers["schema"] == b"madoguchi.intake.InquiryAssigned/v1"
    assert UUID(headers["event_id"].decode()) == record["event_id"]
    assert headers["aggregate_version"] == b"4"
    occurred = datetime.fromisoformat(headers["occurred_at"].decode().replace("Z", "+00:00"))
    assert occurred == record["occurred_at"] and headers["occurred_at"].endswith(b"Z")
    assert headers["content_type"] == CONTENT_TYPE.encode()


def test_bad_framing_and_unknown_fingerprints(catalog: SchemaCatalog,
                                              events: list[Any]) -> None:
    data = catalog.encode(*to_record(events[0]))
    for bad in (b"", b"\xc3", b"\x00\x01" + data[2:], b"{\"json\": true}"):
        with pytest.raises(BadFraming):
            catalog.decode(bad)
    with pytest.raises(UnknownSchema):
        catalog.decode(b"\xc3\x01" + b"\x00" * 8 + data[10:])
    with pytest.raises(BadFraming):
        catalog.decode(data[:-3])
    with pytest.raises(BadFraming):
        catalog.decode(data + b"\x00")
    with pytest.raises(UnknownSchema):
        catalog.decode(data, reader_version=99)
    assert issubclass(UnknownSchema, ValueError) and issubclass(BadFraming, ValueError)


def test_encode_rejects_records_that_do_not_fit(catalog: SchemaCatalog,
                                                events: list[Any]) -> None:
    event_type, record = to_record(events[1])
    with pytest.raises(ValueError):
        catalog.encode(event_type, {**record, "unexpected": 1})
    with pytest.raises(ValueError):
        catalog.encode(event_type, {k: v for k, v in record.items() if k != "note"})
    with pytest.raises(UnknownSchema):
        catalog.encode("InquiryTeleported", record)


# ----- fingerprints and the lock -----


def _crc64_avro(data: bytes) -> int:
    """CRC-64-AVRO exactly as the Avro specification's reference code computes it."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for byte in data:
        fp = (fp >> 8) ^ table[(fp ^ byte) & 0xFF]
    return fp


def test_fingerprints_match_the_specification(catalog: SchemaCatalog) -> None:
    # Avro's own test vector (share/test/data/schema-tests.txt): "null" -> 7195948357588979594.
    assert _crc64_avro(b'"null"') == 7195948357588979594
    for sv in catalog:
        expected = _crc64_avro(canonical_form(sv.raw).encode("utf-8"))
        assert sv.fingerprint == expected.to_bytes(8, "little")
        assert catalog.lookup(sv.fingerprint)[:2] == (sv.event_type, sv.version)


def test_lock_matches_every_schema_file(catalog: SchemaCatalog) -> None:
    lock = json.loads((SCHEMAS_DIR / LOCK_FILE).read_text("utf-8"))["schemas"]
    assert lock == catalog.lock_entries(), (
        "lock.json out of date: new versions need `python -m madoguchi.eventstream.avro lock`;"
        " released versions must not change"
    )


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, root)
    return root


def _edit(path: Path, change: Any) -> None:
    schema = json.loads(path.read_text("utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, ensure_ascii=False), "utf-8")


def test_a_changed_released_schema_is_refused(schema_copy: Path) -> None:
    path = schema_copy / "madoguchi.intake" / "InquirySatisfactionRecorded" / "v1.avsc"
    _edit(path, lambda s: s["fields"][7].update(type="long"))
    with pytest.raises(SchemaError, match="InquirySatisfactionRecorded/v1: fingerprint"):
        SchemaCatalog.load(schema_copy)


def test_a_changed_logical_type_of_a_released_schema_is_refused(schema_copy: Path) -> None:
    path = schema_copy / "madoguchi.intake" / "InquiryClosed" / "v1.avsc"
    _edit(path, lambda s: s["fields"][3]["type"].update(logicalType="timestamp-millis"))
    with pytest.raises(SchemaError, match="InquiryClosed/v1: defaults/logical types"):
        SchemaCatalog.load(schema_copy)


def test_a_doc_fix_in_a_released_schema_is_allowed(schema_copy: Path) -> None:
    path = schema_copy / "madoguchi.intake" / "InquiryClosed" / "v1.avsc"
    _edit(path, lambda s: s.update(doc="Closed (better wording)."))
    assert SchemaCatalog.load(schema_copy).versions("InquiryClosed") == [1]


def test_a_deleted_released_schema_is_refused(schema_copy: Path) -> None:
    (schema_copy / "madoguchi.intake" / "InquiryClosed" / "v1.avsc").unlink()
    with pytest.raises(SchemaError, match="InquiryClosed/v1 is released"):
        SchemaCatalog.load(schema_copy)


# ----- evolution: BACKWARD compatibility -----


def _sample(schema: Any, names: dict[str, Any]) -> Any:
    """A datum for a (parsed) schema, with Japanese text in every string."""
    if isinstance(schema, str) and schema in names:
        schema = names[schema]
    if isinstance(schema, list):
        return _sample(schema[-1], names)
    kind = schema["type"] if isinstance(schema, dict) else schema
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if logical == "timestamp-micros":
        return T0.astimezone(UTC)
    if logical == "uuid":
        return inquiry_id_for("sample")
    if kind == "record":
        return {f["name"]: _sample(f["type"], names) for f in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][0]
    if kind == "array":
        return [_sample(schema["items"], names)]
    if kind == "map":
        return {"鍵": _sample(schema["values"], names)}
    return {"null": None, "boolean": True, "int": 7, "long": 7, "float": 1.5, "double": 1.5,
            "string": "住民票の写しの請求について", "bytes": "山田".encode()}[kind]


def assert_backward_compatible(catalog: SchemaCatalog) -> None:
    """Data of every older version is readable as the newest, structurally and for real."""
    assert catalog.compatibility_problems() == []
    for event_type in catalog.event_types:
        newest = catalog.get(event_type)
        for version in catalog.versions(event_type)[:-1]:
            old = catalog.get(event_type, version)
            datum = _sample(old.parsed, old.parsed["__named_schemas"])
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, old.parsed, datum)
            read = fastavro.schemaless_reader(io.BytesIO(buf.getvalue()), old.parsed,
                                              newest.parsed)
            assert set(read) == {f["name"] for f in newest.raw["fields"]}
            framed = b"\xc3\x01" + old.fingerprint + buf.getvalue()
            assert catalog.decode(framed, reader_version=newest.version) == (event_type, read)


def test_released_schemas_are_backward_compatible(catalog: SchemaCatalog) -> None:
    assert_backward_compatible(catalog)


def _add_v2(root: Path, event_type: str, change: Any) -> Path:
    folder = root / "madoguchi.intake" / event_type
    schema = json.loads((folder / "v1.avsc").read_text("utf-8"))
    change(schema)
    path = folder / "v2.avsc"
    path.write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    return path


def test_a_compatible_v2_is_written_and_reads_v1(schema_copy: Path, events: list[Any]) -> None:
    _add_v2(schema_copy, "InquiryAssigned", lambda s: s["fields"].append(
        {"name": "assigned_via", "type": "string", "default": "画面", "doc": "How."}))
    catalog = SchemaCatalog.load(schema_copy)
    assert catalog.versions("InquiryAssigned") == [1, 2]
    assert catalog.schema_ref("InquiryAssigned") == "madoguchi.intake.InquiryAssigned/v2"
    assert_backward_compatible(catalog)

    event_type, record = to_record(events[3], catalog)
    assert "assigned_via" not in record  # the domain has no such attribute: default applies
    v1_data = default_catalog().encode(event_type, record)
    assert catalog.decode(v1_data) == (event_type, record)
    assert catalog.decode(v1_data, reader_version=2) == (event_type,
                                                         {**record, "assigned_via": "画面"})
    v2_data = catalog.encode(event_type, record)
    assert v2_data[2:10] == bytes.fromhex(catalog.fingerprint_hex(event_type, 2))
    assert catalog.decode(v2_data, reader_version=2)[1]["assigned_via"] == "画面"

    assert update_lock(schema_copy) == ["madoguchi.intake.InquiryAssigned/v2"]
    assert update_lock(schema_copy) == []
    lock = json.loads((schema_copy / LOCK_FILE).read_text("utf-8"))["schemas"]
    assert lock == catalog.lock_entries()


def test_an_incompatible_v2_is_detected(schema_copy: Path) -> None:
    _add_v2(schema_copy, "InquiryAssigned", lambda s: s["fields"].append(
        {"name": "assigned_via", "type": "string", "doc": "How."}))
    catalog = SchemaCatalog.load(schema_copy)
    assert catalog.compatibility_problems() == [
        "madoguchi.intake.InquiryAssigned/v1 -> v2: "
        "madoguchi.intake.InquiryAssigned.assigned_via: new field without a default"
    ]
    with pytest.raises(AssertionError):
        assert_backward_compatible(catalog)


def test_a_v2_identical_in_canonical_form_is_refused(schema_copy: Path) -> None:
    _add_v2(schema_copy, "InquiryAssigned", lambda s: s.update(doc="Only the doc changed."))
    with pytest.raises(SchemaError, match="same canonical form"):
        SchemaCatalog.load(schema_copy)


# ----- the checker itself -----


def _record(*fields: dict[str, Any], name: str = "E") -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": "t", "fields": list(fields)}


def _field(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


BASE = _record(_field("a", "string"), _field("n", "int"),
               _field("k", {"type": "enum", "name": "K", "symbols": ["X", "Y"]}),
               _field("t", {"type": "long", "logicalType": "timestamp-micros"}))
BASE_FIELDS = BASE["fields"]

COMPATIBLE = {
    "identical": BASE,
    "field removed": _record(*BASE_FIELDS[1:]),
    "field added with default": _record(*BASE_FIELDS, _field("b", "string", default="")),
    "optional field added": _record(*BASE_FIELDS, _field("b", ["null", "string"],
                                                         default=None)),
    "int promoted to long": _record(BASE_FIELDS[0], _field("n", "long"), *BASE_FIELDS[2:]),
    "int promoted to double": _record(BASE_FIELDS[0], _field("n", "double"), *BASE_FIELDS[2:]),
    "string to bytes": _record(_field("a", "bytes"), *BASE_FIELDS[1:]),
    "made nullable": _record(_field("a", ["null", "string"]), *BASE_FIELDS[1:]),
    "enum symbol added": _record(*BASE_FIELDS[:2], _field(
        "k", {"type": "enum", "name": "K", "symbols": ["X", "Y", "Z"]}), BASE_FIELDS[3]),
    "enum symbol removed with default": _record(*BASE_FIELDS[:2], _field(
        "k", {"type": "enum", "name": "K", "symbols": ["X", "U"], "default": "U"}),
        BASE_FIELDS[3]),
    "field renamed with alias": _record(_field("a2", "string", aliases=["a"]),
                                        *BASE_FIELDS[1:]),
    "record renamed with alias": {**BASE, "name": "E2", "aliases": ["E"]},
}

INCOMPATIBLE = {
    "field added without default": (
        _record(*BASE_FIELDS, _field("b", "string")), "t.E.b: new field without a default"),
    "int to string": (
        _record(BASE_FIELDS[0], _field("n", "string"), *BASE_FIELDS[2:]),
        "t.E.n: type changed from int to string"),
    "string to int": (
        _record(_field("a", "int"), *BASE_FIELDS[1:]), "t.E.a: type changed from string to int"),
    "enum symbol removed": (
        _record(*BASE_FIELDS[:2], _field("k", {"type": "enum", "name": "K", "symbols": ["X"]}),
                BASE_FIELDS[3]),
        "t.E.k: enum symbols ['Y'] removed without an enum default"),
    "enum renamed": (
        _record(*BASE_FIELDS[:2], _field("k", {"type": "enum", "name": "K2",
                                               "symbols": ["X", "Y"]}), BASE_FIELDS[3]),
        "t.E.k: type changed from enum t.K to enum t.K2"),
    "record renamed": ({**BASE, "name": "Other"}, "t.Other: type changed from record t.E"),
    "logical type changed": (
        _record(*BASE_FIELDS[:3], _field("t", {"type": "long",
                                                "logicalType": "timestamp-millis"})),
        "t.E.t: logical type changed from timestamp-micros to timestamp-millis"),
    "invalid default": (
        _record(*BASE_FIELDS, _field("b", "int", default="zero")), "new schema is invalid"),
}


@pytest.mark.parametrize("name", sorted(COMPATIBLE))
def test_checker_accepts_compatible_changes(name: str) -> None:
    assert check_backward(BASE, COMPATIBLE[name]) == []


@pytest.mark.parametrize("name", sorted(INCOMPATIBLE))
def test_checker_detects_incompatible_changes(name: str) -> None:
    new, expected = INCOMPATIBLE[name]
    problems = check_backward(BASE, new)
    assert any(p.startswith(expected) for p in problems), problems


def test_checker_handles_unions_in_the_writer() -> None:
    nullable = _record(_field("a", ["null", "string"]))
    assert check_backward(nullable, _record(_field("a", ["null", "string", "int"]))) == []
    assert check_backward(nullable, _record(_field("a", "string"))) == [
        "t.E.a: type changed from null to string (only Avro promotions are allowed)"
    ]
    assert check_backward(_record(_field("a", "int")), _record(_field("a", ["null", "long"]))) == []
    assert check_backward(_record(_field("a", "int")), _record(_field("a", ["null", "string"])))


def test_checker_agrees_with_fastavro_resolution() -> None:
    """Where the checker says compatible, fastavro really reads old data as the new schema."""
    old = fastavro.parse_schema(BASE)
    for name, schema in COMPATIBLE.items():
        new = fastavro.parse_schema(schema)
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, old, _sample(old, old["__named_schemas"]))
        read = fastavro.schemaless_reader(io.BytesIO(buf.getvalue()), old, new)
        assert set(read) == {f["name"] for f in schema["fields"]}, name
    broken = fastavro.parse_schema(INCOMPATIBLE["field added without default"][0])
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, old, _sample(old, old["__named_schemas"]))
    with pytest.raises(Exception):  # noqa: B017 - fastavro's resolution error type varies
        fastavro.schemaless_reader(io.BytesIO(buf.getvalue()), old, broken)
