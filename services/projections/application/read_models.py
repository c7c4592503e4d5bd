"""What every read model offers the projector and the readers.

A read model owns a few tables (named under its generation's prefix, so a rebuild can
fill a fresh set while the live one keeps serving), applies the events it cares about
idempotently, publishes stable reporting views, and names the queries it answers. The
gRPC query API, the CSV export and the monthly report all go through those queries, so
each read model's filters and paging are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from madoguchi.storage.sql import Cursor

ParamKind = Literal["text", "int", "time", "date", "month", "enum", "bool"]


@dataclass(frozen=True)
class Param:
    """One filter a query accepts; values arrive as text and are checked by kind.

    ``time``: ISO 8601 with a zone (→ aware ``datetime``); ``date``: YYYY-MM-DD (→ ``date``);
    ``month``: YYYY-MM (→ ``str``); ``enum``: one of ``choices``; ``repeated``: a list of
    values (comma-separated in text form).
    """

    name: str
    kind: ParamKind = "text"
    help: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    repeated: bool = False
    default: Any = None
    max_length: int = 0        # text: characters allowed (0: the API's usual limit)
    bounds: tuple[int, int] | None = None   # int: the smallest and largest value allowed


@dataclass(frozen=True)
class QuerySpec:
    """A named query over a read model: checked params in, rows of ``columns`` out.

    ``run(params, offset, limit)`` returns rows in a stable order; ``limit`` None = all.
    Cell values are ``str``, ``int``, ``float``, ``bool``, ``None`` or ISO 8601 text.
    """

    name: str
    description: str
    columns: tuple[str, ...]
    params: tuple[Param, ...]
    run: Callable[[dict[str, Any], int, int | None], list[tuple[Any, ...]]]


class ReadModel(Protocol):
    name: str                         # "inquiries", "sla", ...
    event_types: frozenset[str]       # what ``apply`` is given; everything else is skipped

    def create(self) -> None:
        """Create its tables (idempotent)."""

    def apply(self, cur: Cursor, event_type: str, record: dict[str, Any]) -> bool:
        """Apply one event inside the batch's transaction; False if already applied."""

    def views(self) -> dict[str, str]:
        """Public reporting views: name (without the ``report_v1_`` prefix) → SELECT."""

    def queries(self) -> Sequence[QuerySpec]:
        """The queries it answers."""


@dataclass
class TableNames:
    """Table names of one generation: ``g3_`` + ``inquiry_view`` = ``g3_inquiry_view``."""

    prefix: str = ""
    used: list[str] = field(default_factory=list)

    def __call__(self, table: str) -> str:
        if table not in self.used:
            self.used.append(table)
        return f"{self.prefix}{table}"
