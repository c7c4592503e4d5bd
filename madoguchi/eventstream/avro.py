"""Avro framing of published events: a versioned schema catalog and single-object encoding.

Every message value is Avro *single-object encoding* (Avro specification): the marker
``C3 01``, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema's Parsing
Canonical Form, then the Avro binary body. A consumer in any language therefore needs
only the ``.avsc`` files to find the writer schema of any message, and can read it with
its own (newer) reader schema by standard Avro schema resolution.

Schemas live in ``schemas/<namespace>/<EventType>/v<N>.avsc`` (one record per event type,
versions v1..vN, the newest is written). Released versions are frozen by ``lock.json``;
``check_backward`` enforces that every new version can read data of all older ones.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastavro
from fastavro.schema import fingerprint as _fastavro_fingerprint
from fastavro.schema import to_parsing_canonical_form

from madoguchi.eventstream.schema_compatibility import Schema, check_backward

MAGIC = b"\xc3\x01"
FINGERPRINT_SIZE = 8
HEADER_SIZE = len(MAGIC) + FINGERPRINT_SIZE
CONTENT_TYPE = "application/vnd.apache.avro.single-object"
SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
LOCK_FILE = "lock.json"

Record = dict[str, Any]

_VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.avsc$")
_LOCK_NOTE = (
    "Released schema versions, frozen. fingerprint: CRC-64-AVRO of the Parsing Canonical "
    "Form, hex of the 8 bytes as they appear after C3 01 in single-object encoding "
    "(little-endian). content_sha256: SHA-256 of the schema JSON without 'doc' attributes, "
    "keys sorted, which also freezes defaults, logical types and aliases (not part of the "
    "canonical form). Add new versions with: python -m madoguchi.eventstream.avro lock"
)


class UnknownSchema(ValueError):
    """The fingerprint (or event type/version) is not in the catalog: update the schemas."""


class BadFraming(ValueError):
    """The bytes are not a single-object-encoded Avro datum (wrong marker, truncated body)."""


class SchemaError(ValueError):
    """The schema folder is inconsistent: bad layout, duplicate fingerprint, changed release."""


# ----- fingerprints -----


def canonical_form(schema: Schema) -> str:
    """Parsing Canonical Form (Avro specification) of a schema as written in a .avsc file."""
    return str(to_parsing_canonical_form(schema))


def fingerprint(schema: Schema) -> bytes:
    """The 8 fingerprint bytes of single-object encoding (CRC-64-AVRO, little-endian)."""
    return bytes.fromhex(_fastavro_fingerprint(canonical_form(schema), "CRC-64-AVRO"))


def content_hash(raw: Any) -> str:
    """SHA-256 of the schema JSON without docs: catches default/logicalType edits too."""
    text = json.dumps(_strip_docs(raw), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _strip_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_docs(v) for k, v in value.items() if k != "doc"}
    if isinstance(value, list):
        return [_strip_docs(v) for v in value]
    return value


# ----- the catalog -----


@dataclass(frozen=True)
class SchemaVersion:
    """One schema file: a version of an event type's record schema."""

    event_type: str
    full_name: str
    version: int
    path: Path
    raw: dict[str, Any]
    parsed: dict[str, Any]
    fingerprint: bytes

    @property
    def ref(self) -> str:
        """Stable reference, e.g. ``madoguchi.intake.InquiryReceived/v1``."""
        return f"{self.full_name}/v{self.version}"

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hex()


class SchemaCatalog:
    """All event schemas, by event type and version and by writer fingerprint."""

    def __init__(self, root: Path, schemas: Iterable[SchemaVersion]) -> None:
        self.root = root
        self._by_type: dict[str, dict[int, SchemaVersion]] = {}
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        for sv in schemas:
            versions = self._by_type.setdefault(sv.event_type, {})
            if sv.version in versions:
                raise SchemaError(f"{sv.ref} is defined twice ({versions[sv.version].path})")
            other = self._by_fingerprint.get(sv.fingerprint)
            if other is not None:
                raise SchemaError(
                    f"{sv.ref} has the same canonical form as {other.ref}: a new version must "
                    "change fields or types (docs and defaults alone are not a new version)"
                )
            versions[sv.version] = sv
            self._by_fingerprint[sv.fingerprint] = sv
        for event_type, versions in self._by_type.items():
            if sorted(versions) != list(range(1, len(versions) + 1)):
                raise SchemaError(f"{event_type}: versions must be v1..vN, found "
                                  f"{sorted(versions)}")

    @classmethod
    def load(cls, root: Path | None = None) -> SchemaCatalog:
        """Load every ``<namespace>/<EventType>/v<N>.avsc`` under ``root`` and check the lock."""
        root = Path(root) if root is not None else SCHEMAS_DIR
        catalog = cls(root, (_load_file(p, root) for p in sorted(root.glob("*/*/*.avsc"))))
        lock_path = root / LOCK_FILE
        if lock_path.exists():
            problems = catalog.lock_problems(json.loads(lock_path.read_text("utf-8")))
            if problems:
                raise SchemaError("released schemas changed: " + "; ".join(problems))
        return catalog

    # ----- lookups -----

    @property
    def event_types(self) -> list[str]:
        return sorted(self._by_type)

    def versions(self, event_type: str) -> list[int]:
        return sorted(self._versions_of(event_type))

    def latest_version(self, event_type: str) -> int:
        return max(self._versions_of(event_type))

    def get(self, event_type: str, version: int | None = None) -> SchemaVersion:
        """The schema of ``event_type`` at ``version`` (default: the newest)."""
        versions = self._versions_of(event_type)
        key = max(versions) if version is None else version
        if key not in versions:
            raise UnknownSchema(f"{event_type} has no schema version v{key}")
        return versions[key]

    def schema(self, event_type: str, version: int | None = None) -> dict[str, Any]:
        """The fastavro-parsed schema (default: newest version)."""
        return self.get(event_type, version).parsed

    def schema_ref(self, event_type: str, version: int | None = None) -> str:
        """E.g. ``madoguchi.intake.InquiryReceived/v1`` (sent as the ``schema`` header)."""
        return self.get(event_type, version).ref

    def fingerprint_hex(self, event_type: str, version: int | None = None) -> str:
        """Hex of the fingerprint bytes as framed (little-endian CRC-64-AVRO)."""
        return self.get(event_type, version).fingerprint_hex

    def lookup(self, fp: bytes) -> tuple[str, int, dict[str, Any]]:
        """(event_type, version, parsed schema) of a writer fingerprint."""
        sv = self._by_fingerprint.get(bytes(fp))
        if sv is None:
            raise UnknownSchema(f"no schema with fingerprint {bytes(fp).hex()}")
        return sv.event_type, sv.version, sv.parsed

    def __iter__(self) -> Iterator[SchemaVersion]:
        for event_type in self.event_types:
            yield from (self._by_type[event_type][v] for v in self.versions(event_type))

    def _versions_of(self, event_type: str) -> dict[int, SchemaVersion]:
        try:
            return self._by_type[event_type]
        except KeyError:
            raise UnknownSchema(f"no schema for event type {event_type!r}") from None

    # ----- framing -----

    def encode(self, event_type: str, record: Record) -> bytes:
        """Single-object encoding of ``record`` with the newest schema of ``event_type``.

        Raises ValueError when the record does not fit the schema (missing or extra field,
        wrong type): a record is never published half-right.
        """
        sv = self.get(event_type)
        buf = io.BytesIO()
        buf.write(MAGIC)
        buf.write(sv.fingerprint)
        fastavro.schemaless_writer(buf, sv.parsed, record, strict_allow_default=True)
        return buf.getvalue()

    def decode(self, data: bytes, reader_version: int | None = None) -> tuple[str, Record]:
        """(event_type, record) of a single-object-encoded datum.

        The writer schema is found by fingerprint; with ``reader_version`` the datum is
        resolved into that version of the same event type (Avro schema resolution).
        """
        data = bytes(data)
        if len(data) < HEADER_SIZE or data[: len(MAGIC)] != MAGIC:
            raise BadFraming("not Avro single-object encoding (expected marker C3 01 and an "
                             "8-byte fingerprint)")
        event_type, version, writer = self.lookup(data[len(MAGIC):HEADER_SIZE])
        reader = None
        if reader_version is not None and reader_version != version:
            reader = self.schema(event_type, reader_version)
        body = io.BytesIO(data[HEADER_SIZE:])
        try:
            record = fastavro.schemaless_reader(body, writer, reader)
        except (EOFError, ValueError, TypeError, IndexError, OverflowError) as exc:
            raise BadFraming(f"{event_type} v{version}: body does not decode: {exc}") from exc
        if body.tell() != len(data) - HEADER_SIZE:
            raise BadFraming(f"{event_type} v{version}: trailing bytes after the Avro body")
        if not isinstance(record, dict):
            raise BadFraming(f"{event_type} v{version}: body is not a record")
        return event_type, record

    # ----- lock and compatibility -----

    def lock_entries(self) -> dict[str, dict[str, str]]:
        """What ``lock.json`` must say for every schema file in the catalog."""
        return {sv.ref: {"fingerprint": sv.fingerprint_hex, "content_sha256": content_hash(sv.raw)}
                for sv in self}

    def lock_problems(self, lock: dict[str, Any]) -> list[str]:
        """Released versions (in ``lock``) whose file is missing or no longer matches."""
        current = self.lock_entries()
        problems = []
        for ref, frozen in sorted(lock.get("schemas", {}).items()):
            now = current.get(ref)
            if now is None:
                problems.append(f"{ref} is released but its schema file is missing")
            elif now["fingerprint"] != frozen.get("fingerprint"):
                problems.append(f"{ref}: fingerprint {now['fingerprint']} != released "
                                f"{frozen.get('fingerprint')} (add a new version instead)")
            elif now["content_sha256"] != frozen.get("content_sha256"):
                problems.append(f"{ref}: defaults/logical types/aliases changed since release "
                                "(add a new version instead)")
        return problems

    def compatibility_problems(self) -> list[str]:
        """BACKWARD (transitive) check: the newest version must read every older one."""
        problems = []
        for event_type in self.event_types:
            newest = self.get(event_type)
            for version in self.versions(event_type)[:-1]:
                old = self.get(event_type, version)
                problems += [f"{old.ref} -> v{newest.version}: {p}"
                             for p in check_backward(old.raw, newest.raw)]
        return problems


def _load_file(path: Path, root: Path) -> SchemaVersion:
    rel = path.relative_to(root)
    namespace, event_type, filename = rel.parts
    match = _VERSION_FILE.match(filename)
    if match is None:
        raise SchemaError(f"{rel}: schema files are named v<N>.avsc")
    try:
        raw = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{rel}: not JSON: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("type") != "record":
        raise SchemaError(f"{rel}: must be one Avro record schema")
    # A fresh name table per file: each file is self-contained, so the same named type
    # (e.g. madoguchi.intake.Contact) may be defined in several files and versions.
    try:
        parsed = fastavro.parse_schema(copy.deepcopy(raw), named_schemas={})
    except Exception as exc:  # fastavro raises several exception types for bad schemas
        raise SchemaError(f"{rel}: invalid Avro schema: {exc}") from exc
    full_name = parsed["name"]
    if full_name != f"{namespace}.{event_type}":
        raise SchemaError(f"{rel}: record is named {full_name}, expected "
                          f"{namespace}.{event_type}")
    return SchemaVersion(event_type=event_type, full_name=full_name, version=int(match[1]),
                         path=path, raw=raw, parsed=parsed, fingerprint=fingerprint(raw))


@functools.cache
def default_catalog() -> SchemaCatalog:
    """The catalog of the schemas shipped with the package, loaded once per process."""
    return SchemaCatalog.load()


def update_lock(root: Path | None = None) -> list[str]:
    """Add not-yet-released versions to ``lock.json``; never changes a released entry."""
    root = Path(root) if root is not None else SCHEMAS_DIR
    catalog = SchemaCatalog.load(root)  # refuses to load when a released schema changed
    lock_path = root / LOCK_FILE
    lock = json.loads(lock_path.read_text("utf-8")) if lock_path.exists() else {}
    released = dict(lock.get("schemas", {}))
    added = [ref for ref in catalog.lock_entries() if ref not in released]
    released.update({ref: catalog.lock_entries()[ref] for ref in added})
    lock = {"note": _LOCK_NOTE, "schemas": dict(sorted(released.items()))}
    lock_path.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    """``lock``: freeze new versions in lock.json; ``check``: lock + BACKWARD checks."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["lock"]:
        added = update_lock()
        print("\n".join(f"locked {ref}" for ref in added) or "nothing new to lock")
        return 0
    if args == ["check"]:
        catalog = SchemaCatalog.load()
        lock = json.loads((catalog.root / LOCK_FILE).read_text("utf-8"))
        unreleased = sorted(set(catalog.lock_entries()) - set(lock.get("schemas", {})))
        problems = catalog.compatibility_problems() + [
            f"{ref} is not in lock.json" for ref in unreleased
        ]
        print("\n".join(problems) or "ok")
        return 1 if problems else 0
    print("usage: python -m madoguchi.eventstream.avro lock|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
