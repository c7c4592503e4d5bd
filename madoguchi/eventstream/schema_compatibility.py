"""BACKWARD compatibility of Avro schemas (Confluent's rule): a reader with the new
schema can read everything written with the old one. Checked between consecutive versions
of every event type before a new version is frozen."""

from __future__ import annotations

import copy
from typing import Any

import fastavro

Schema = dict[str, Any] | list[Any] | str

_PRIMITIVES = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)
# Avro schema resolution: writer type -> reader types it may be promoted to.
_PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}





def check_backward(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Why data written with ``old_schema`` could not be read with ``new_schema``.

    A structural check following Avro schema resolution: a reader field missing in the
    writer needs a default; removed fields are fine; types may change only by promotion
    (int->long->float->double, string<->bytes); named types keep their name (or alias);
    enum symbols may only be removed when the reader enum has a default; union branches
    of the writer must all be readable. A changed logical type is also reported, since
    resolution would silently reinterpret the values. Empty list = compatible.
    """
    try:
        writer, writer_names = _parse_for_check(old_schema)
    except Exception as exc:  # fastavro raises several exception types for bad schemas
        return [f"old schema is invalid: {exc}"]
    try:
        reader, reader_names = _parse_for_check(new_schema)
    except Exception as exc:
        return [f"new schema is invalid: {exc}"]
    checker = _Checker(writer_names, reader_names)
    checker.check(writer, reader, _display_name(reader))
    return checker.problems


def _parse_for_check(schema: Schema) -> tuple[Any, dict[str, Any]]:
    if isinstance(schema, dict) and "__named_schemas" in schema:
        return schema, schema["__named_schemas"]
    names: dict[str, Any] = {}
    parsed = fastavro.parse_schema(copy.deepcopy(schema), named_schemas=names,
                                   _write_hint=False)
    return parsed, names


def _display_name(schema: Any) -> str:
    if isinstance(schema, dict) and "name" in schema:
        return str(schema["name"])
    return "<root>"


def _kind(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        return str(schema["type"])
    return str(schema)


def _qualified_aliases(schema: dict[str, Any]) -> set[str]:
    namespace = schema["name"].rpartition(".")[0]
    return {a if "." in a or not namespace else f"{namespace}.{a}"
            for a in schema.get("aliases", [])}


class _Checker:
    """Walks writer and reader schema side by side, collecting problems."""

    def __init__(self, writer_names: dict[str, Any], reader_names: dict[str, Any]) -> None:
        self.writer_names = writer_names
        self.reader_names = reader_names
        self.problems: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    def _deref(self, schema: Any, names: dict[str, Any]) -> Any:
        if isinstance(schema, str) and schema not in _PRIMITIVES:
            return names[schema]
        return schema

    def check(self, writer: Any, reader: Any, path: str) -> None:
        for problem in self._resolve(writer, reader, path):
            if problem not in self.problems:
                self.problems.append(problem)

    def _resolve(self, writer: Any, reader: Any, path: str) -> list[str]:
        writer = self._deref(writer, self.writer_names)
        reader = self._deref(reader, self.reader_names)
        w_kind, r_kind = _kind(writer), _kind(reader)
        if w_kind == "union":
            problems = []
            for branch in writer:
                problems += self._resolve(branch, reader, path)
            return problems
        if r_kind == "union":
            candidates = [b for b in reader if self._matches(writer, b)]
            if not candidates:
                return [f"{path}: {self._describe(writer)} is not a branch of the new union"]
            return self._resolve(writer, candidates[0], path)
        if not self._matches(writer, reader):
            return [f"{path}: type changed from {self._describe(writer)} to "
                    f"{self._describe(reader)} (only Avro promotions are allowed)"]
        problems = []
        w_logical = writer.get("logicalType") if isinstance(writer, dict) else None
        r_logical = reader.get("logicalType") if isinstance(reader, dict) else None
        if w_logical != r_logical:
            problems.append(f"{path}: logical type changed from {w_logical} to {r_logical}")
        if w_kind == "record" and r_kind == "record":
            problems += self._record(writer, reader, path)
        elif w_kind == "enum" and r_kind == "enum":
            missing = [s for s in writer["symbols"] if s not in reader["symbols"]]
            if missing and "default" not in reader:
                problems.append(f"{path}: enum symbols {missing} removed without an enum "
                                "default")
        elif w_kind == "fixed" and r_kind == "fixed" and writer["size"] != reader["size"]:
            problems.append(f"{path}: fixed size changed from {writer['size']} to "
                            f"{reader['size']}")
        elif w_kind == "array" and r_kind == "array":
            problems += self._resolve(writer["items"], reader["items"], f"{path}[]")
        elif w_kind == "map" and r_kind == "map":
            problems += self._resolve(writer["values"], reader["values"], f"{path}{{}}")
        return problems

    def _record(self, writer: dict[str, Any], reader: dict[str, Any], path: str) -> list[str]:
        key = (writer["name"], reader["name"])
        if key in self._seen:  # recursive types: each pair is checked once
            return []
        self._seen.add(key)
        writer_fields = {f["name"]: f for f in writer["fields"]}
        problems = []
        for field in reader["fields"]:
            names = [field["name"], *field.get("aliases", [])]
            source = next((writer_fields[n] for n in names if n in writer_fields), None)
            field_path = f"{path}.{field['name']}"
            if source is None:
                if "default" not in field:
                    problems.append(f"{field_path}: new field without a default")
                continue
            problems += self._resolve(source["type"], field["type"], field_path)
        return problems

    def _matches(self, writer: Any, reader: Any) -> bool:
        """Whether resolution may pair these two (non-union) schemas at all."""
        writer = self._deref(writer, self.writer_names)
        reader = self._deref(reader, self.reader_names)
        w_kind, r_kind = _kind(writer), _kind(reader)
        if "union" in (w_kind, r_kind):
            return False
        if w_kind in ("record", "enum", "fixed"):
            return w_kind == r_kind and (
                writer["name"] == reader["name"] or writer["name"] in _qualified_aliases(reader)
            )
        if w_kind in ("array", "map"):
            return w_kind == r_kind
        return w_kind == r_kind or r_kind in _PROMOTIONS.get(w_kind, frozenset())

    def _describe(self, schema: Any) -> str:
        schema = self._deref(schema, self.writer_names)
        if isinstance(schema, dict):
            name = schema.get("name")
            return f"{schema['type']} {name}" if name else str(schema["type"])
        if isinstance(schema, list):
            return "union"
        return str(schema)


