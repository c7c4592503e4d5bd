"""The generic read-model query API: list every named query and run one, page by page.

Thin on purpose: parameters are checked by ``application.query_params`` and rows come from
each read model's ``QuerySpec.run``; this adapter only maps them onto messages. The
catalog is looked up on every call because a rebuild can switch the live generation (and
with it the specs) underneath a running server.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import grpc
from google.protobuf import struct_pb2

from madoguchi.api.projections.v1 import read_models_pb2 as pb
from madoguchi.api.projections.v1 import read_models_pb2_grpc
from madoguchi.errors import InvalidField, NotFound
from madoguchi.rpc.errors import translate_errors
from services.projections.application.query_params import (
    check_params,
    decode_page_token,
    encode_page_token,
)
from services.projections.application.read_models import Param, QuerySpec

Catalog = Callable[[], Mapping[str, tuple[str, QuerySpec]]]
SERVICE_FULL_NAME: str = pb.DESCRIPTOR.services_by_name["ReadModelQueryService"].full_name
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
EXACT_INT = 2**53  # beyond this a double loses whole numbers: send them as text


def default_text(param: Param) -> str:
    """``Param.default`` as the text a caller would pass for it ("" for none)."""
    value = param.default
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(_text(item) for item in value)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell_value(value: Any) -> struct_pb2.Value:
    """One cell as a ``google.protobuf.Value`` (see ``RunQueryResponse.rows``)."""
    if value is None:
        return struct_pb2.Value(null_value=struct_pb2.NULL_VALUE)
    if isinstance(value, bool):
        return struct_pb2.Value(bool_value=value)
    if isinstance(value, int):
        if abs(value) > EXACT_INT:
            return struct_pb2.Value(string_value=str(value))
        return struct_pb2.Value(number_value=value)
    if isinstance(value, float | Decimal):
        number = float(value)
        if not math.isfinite(number):  # JSON has no NaN/Infinity: keep it readable text
            return struct_pb2.Value(string_value=str(number))
        return struct_pb2.Value(number_value=number)
    if isinstance(value, str):
        return struct_pb2.Value(string_value=value)
    return struct_pb2.Value(string_value=_text(value))  # datetime, date: ISO 8601 (UTC)


def row_message(row: Sequence[Any]) -> struct_pb2.ListValue:
    return struct_pb2.ListValue(values=[cell_value(cell) for cell in row])


def describe(name: str, read_model: str, spec: QuerySpec) -> pb.QueryDescription:
    return pb.QueryDescription(
        name=name, read_model=read_model, description=spec.description,
        columns=list(spec.columns),
        params=[pb.QueryParam(name=p.name, kind=p.kind, help=p.help, choices=list(p.choices),
                              required=p.required, repeated=p.repeated,
                              default=default_text(p))
                for p in spec.params],
    )


class ReadModelQueryServicer(read_models_pb2_grpc.ReadModelQueryServiceServicer):
    """``catalog()`` returns {query name: (read model name, spec)} of the live generation."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @translate_errors
    def ListQueries(self, request: pb.ListQueriesRequest,
                    context: grpc.ServicerContext) -> pb.ListQueriesResponse:
        catalog = self.catalog()
        return pb.ListQueriesResponse(queries=[
            describe(name, *catalog[name]) for name in sorted(catalog)])

    @translate_errors
    def RunQuery(self, request: pb.RunQueryRequest,
                 context: grpc.ServicerContext) -> pb.RunQueryResponse:
        if not request.query:
            raise InvalidField([("query", "is required; ListQueries names the queries")])
        entry = self.catalog().get(request.query)
        if entry is None:
            shown = request.query if len(request.query) <= 100 else request.query[:100] + "…"
            raise NotFound(f"no query named {shown!r}; ListQueries names the queries")
        spec = entry[1]
        violations: list[tuple[str, str]] = []
        params: dict[str, Any] | None = None
        try:
            params = check_params(spec, dict(request.params))
        except InvalidField as error:
            violations += error.violations
        if not 0 <= request.page_size <= MAX_PAGE_SIZE:
            violations.append(("page_size", f"must be between 0 and {MAX_PAGE_SIZE} "
                                            f"(0 = {DEFAULT_PAGE_SIZE})"))
        offset = 0
        if params is not None:  # a token can only be checked against valid params
            try:
                offset = decode_page_token(request.page_token, request.query, params)
            except InvalidField as error:
                violations += error.violations
        if violations or params is None:
            raise InvalidField(violations)
        page_size = request.page_size or DEFAULT_PAGE_SIZE
        rows = spec.run(params, offset, page_size + 1)  # one more: is there a next page?
        for row in rows:
            if len(row) != len(spec.columns):  # a read model's bug, not the caller's
                raise RuntimeError(f"query {spec.name} returned a row of {len(row)} cells "
                                   f"for {len(spec.columns)} columns")
        token = (encode_page_token(request.query, params, offset + page_size)
                 if len(rows) > page_size else "")
        return pb.RunQueryResponse(columns=list(spec.columns),
                                   rows=[row_message(row) for row in rows[:page_size]],
                                   next_page_token=token)


def add_to_server(server: grpc.Server, servicer: ReadModelQueryServicer) -> None:
    """Register the servicer; pass ``SERVICE_FULL_NAME`` to ``GrpcServer`` for health and
    reflection."""
    read_models_pb2_grpc.add_ReadModelQueryServiceServicer_to_server(servicer, server)
