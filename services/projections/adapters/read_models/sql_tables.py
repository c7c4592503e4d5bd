"""Shared plumbing of the SQL read models: prefixed tables, time values, DDL per dialect."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from madoguchi.storage.sql import SqlDatabase
from services.projections.application.read_models import TableNames


class SqlReadModelBase:
    """Base of the read models: ``self.t("x")`` is table ``x`` of this generation.

    Times are stored as TIMESTAMPTZ on PostgreSQL and as ISO 8601 UTC text with
    microseconds on SQLite (which then sorts and compares correctly as text).
    """

    name = ""
    event_types: frozenset[str] = frozenset()

    def __init__(self, db: SqlDatabase, tables: TableNames | None = None,
                 zone: str = "Asia/Tokyo") -> None:
        self.db = db
        self.t = tables or TableNames()
        self.zone = zone   # reporting time zone: local period keys and month bounds

    @property
    def ts(self) -> str:
        """The column type for an instant."""
        return "TIMESTAMPTZ" if self.db.is_postgres else "TEXT"

    @property
    def real(self) -> str:
        return "DOUBLE PRECISION" if self.db.is_postgres else "REAL"

    def time_to_sql(self, value: Any) -> Any:
        """An aware datetime or ISO text → the stored form (None stays None)."""
        if value is None or value == "":
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            raise ValueError(f"time without a zone: {value!r}")
        moment = moment.astimezone(UTC)
        return moment if self.db.is_postgres else moment.isoformat(timespec="microseconds")

    @staticmethod
    def time_from_sql(value: Any) -> str | None:
        """The stored form → ISO 8601 UTC text with microseconds (None stays None)."""
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.astimezone(UTC).isoformat(timespec="microseconds")

    @staticmethod
    def date_text(value: date) -> str:
        return value.isoformat()

    def create(self) -> None:
        self.db.executescript(self.ddl())

    def ddl(self) -> str:  # pragma: no cover - every read model overrides it
        raise NotImplementedError


def page_slice(rows: list[tuple[Any, ...]], offset: int, limit: int | None
               ) -> list[tuple[Any, ...]]:
    """One page of a query's rows: ``limit`` rows from ``offset`` (None: all the rest)."""
    return rows[offset:] if limit is None else rows[offset:offset + limit]
