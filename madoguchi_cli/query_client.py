"""A client of the read-model query API: every page of a query, cells as Python values.

The CSV export and the monthly report read through it, so they see exactly what any
other reporting client sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
from google.protobuf import struct_pb2

from madoguchi.api.projections.v1 import read_models_pb2 as pb
from madoguchi.api.projections.v1 import read_models_pb2_grpc

PAGE_SIZE = 1000
CALL_TIMEOUT = 60.0


def plain_value(value: struct_pb2.Value) -> Any:
    """A cell as a Python value: whole numbers as int (a ListValue holds only doubles)."""
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() and abs(number) <= 2**53 else number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind in ("struct_value", "list_value"):  # not sent today; keep it readable
        from google.protobuf.json_format import MessageToDict

        return MessageToDict(getattr(value, kind))
    return None


class QueryClient:
    def __init__(self, channel: grpc.Channel) -> None:
        self.stub = read_models_pb2_grpc.ReadModelQueryServiceStub(channel)

    def list_queries(self) -> list[pb.QueryDescription]:
        return list(self.stub.ListQueries(pb.ListQueriesRequest(), timeout=CALL_TIMEOUT).queries)

    def pages(self, query: str, params: dict[str, str]
              ) -> Iterator[tuple[list[str], list[list[Any]]]]:
        """(columns, rows) per page, until the last page."""
        token = ""
        while True:
            response = self.stub.RunQuery(
                pb.RunQueryRequest(query=query, params=params, page_size=PAGE_SIZE,
                                   page_token=token), timeout=CALL_TIMEOUT)
            yield (list(response.columns),
                   [[plain_value(cell) for cell in row.values] for row in response.rows])
            token = response.next_page_token
            if not token:
                return

    def rows(self, query: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every row of the query as a dict by column."""
        found: list[dict[str, Any]] = []
        for columns, rows in self.pages(query, params):
            found += [dict(zip(columns, row, strict=True)) for row in rows]
        return found
