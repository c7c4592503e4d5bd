"""Generations of the read models: a rebuild fills a fresh set while the live one serves.

Every read-model table carries its generation's prefix (``g3_inquiry_view``). One
generation is ACTIVE: the live consumer writes it, queries read it, and the public
reporting views (``report_v1_*``) select from it. A rebuild creates a BUILDING
generation, fills it from the beginning of the topics under its own consumer name and,
once caught up, makes it ACTIVE in one transaction that also repoints the views. The
generation before stays until the next rebuild, so a bad one can be switched back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.projections.application.ports import ACTIVE, BUILDING, BUILT, RETIRED

VIEW_PREFIX = "report_v1_"
DROPPED = "DROPPED"   # its tables are gone; the row stays so its number is never reused
REPORTING_ROLE = "madoguchi_reporting"   # PostgreSQL: granted SELECT on the views only


@dataclass(frozen=True)
class Generation:
    number: int
    state: str
    created_at: str
    activated_at: str | None
    note: str

    @property
    def prefix(self) -> str:
        return f"g{self.number}_"

    @property
    def consumer(self) -> str:
        """The name its offsets are stored under."""
        return f"projections-g{self.number}"


class Generations:
    """The ``projection_generations`` table and the reporting views that follow it."""

    def __init__(self, db: SqlDatabase, reporting_role: str = REPORTING_ROLE) -> None:
        self.db = db
        self.reporting_role = reporting_role
        ts = "TIMESTAMPTZ" if db.is_postgres else "TEXT"
        db.executescript(f"""
CREATE TABLE IF NOT EXISTS projection_generations (
    generation INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    created_at {ts} NOT NULL,
    activated_at {ts},
    note TEXT NOT NULL
)""")

    def _now(self) -> object:
        now = datetime.now(UTC)
        return now if self.db.is_postgres else now.isoformat(timespec="microseconds")

    def all(self) -> list[Generation]:
        rows = self.db.query("SELECT generation, state, created_at, activated_at, note "
                             "FROM projection_generations WHERE state <> ? ORDER BY generation",
                             (DROPPED,))
        return [Generation(int(n), s, str(c), None if a is None else str(a), note)
                for n, s, c, a, note in rows]

    def active(self) -> Generation | None:
        return next((g for g in self.all() if g.state == ACTIVE), None)

    def create(self, note: str) -> Generation:
        """A new BUILDING generation, numbered after every earlier one."""
        with self.db.transaction() as cur:
            if self.db.is_postgres:   # two creators must not pick the same number
                cur.execute("LOCK TABLE projection_generations IN EXCLUSIVE MODE")
            row = cur.execute("SELECT MAX(generation) FROM projection_generations").fetchone()
            number = int(row[0] or 0) + 1 if row else 1
            cur.execute("INSERT INTO projection_generations (generation, state, created_at, "
                        "note) VALUES (?, ?, ?, ?)", (number, BUILDING, self._now(), note))
        offsets = ConsumerOffsets(self.db, f"projections-g{number}")
        with self.db.transaction() as cur:
            offsets.forget_all(cur)   # a new generation starts from the beginning
        return next(g for g in self.all() if g.number == number)

    def mark_built(self, number: int) -> None:
        """A finished build that was not activated: ready for ``activate``."""
        with self.db.transaction() as cur:
            cur.execute("UPDATE projection_generations SET state = ? WHERE generation = ? "
                        "AND state = ?", (BUILT, number, BUILDING))

    def activate_first(self, cur: Cursor, number: int, views: dict[str, str]) -> bool:
        """Activate ``number`` unless some generation is active already; whether it was."""
        if self.db.is_postgres:   # serialise first starts of several replicas
            cur.execute("LOCK TABLE projection_generations IN EXCLUSIVE MODE")
        if cur.execute("SELECT 1 FROM projection_generations WHERE state = ?",
                       (ACTIVE,)).fetchone():
            return False
        self.activate(cur, number, views)
        return True

    def activate(self, cur: Cursor, number: int, views: dict[str, str]) -> int | None:
        """Make ``number`` the live generation and point the reporting views at it; the
        number of the generation it replaced, if any.

        On PostgreSQL the views are replaced in place (``CREATE OR REPLACE``), which keeps
        their grants and any objects built on them, and is what the versioning rule
        allows anyway: a view only ever gains columns at its end. The reporting role, when
        it exists, may read the views and nothing else.
        """
        row = cur.execute("SELECT generation FROM projection_generations WHERE state = ?",
                          (ACTIVE,)).fetchone()
        cur.execute("UPDATE projection_generations SET state = ? WHERE state = ?",
                    (RETIRED, ACTIVE))
        cur.execute("UPDATE projection_generations SET state = ?, activated_at = ? "
                    "WHERE generation = ?", (ACTIVE, self._now(), number))
        grant = self.db.is_postgres and cur.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = ?", (self.reporting_role,)).fetchone()
        for name, select in views.items():
            if self.db.is_postgres:
                cur.execute(f"CREATE OR REPLACE VIEW {VIEW_PREFIX}{name} AS {select}")
            else:
                cur.execute(f"DROP VIEW IF EXISTS {VIEW_PREFIX}{name}")
                cur.execute(f"CREATE VIEW {VIEW_PREFIX}{name} AS {select}")
            if grant:
                cur.execute(f'GRANT SELECT ON {VIEW_PREFIX}{name} TO "{self.reporting_role}"')
        return None if row is None else int(row[0])   # the generation it replaced

    def tables_of(self, cur: Cursor, number: int) -> list[str]:
        """The tables that carry generation ``number``'s prefix."""
        pattern = f"g{number}\\_%"
        if self.db.is_postgres:
            rows = cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_type = 'BASE TABLE' AND table_name LIKE ? "
                "ESCAPE '\\'", (pattern,)).fetchall()
        else:
            rows = cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                               "name LIKE ? ESCAPE '\\'", (pattern,)).fetchall()
        return sorted(str(r[0]) for r in rows)

    def forget(self, number: int) -> list[str]:
        """Drop a generation's tables and offsets (never the active one's); its row stays,
        marked DROPPED, so its number and offsets name are never handed out again."""
        ConsumerOffsets(self.db, f"projections-g{number}")   # the table, if never made
        with self.db.transaction() as cur:
            row = cur.execute("SELECT state FROM projection_generations WHERE generation = ?",
                              (number,)).fetchone()
            if row is not None and row[0] == ACTIVE:
                raise ValueError(f"generation {number} is active")
            tables = self.tables_of(cur, number)
            offsets = ConsumerOffsets(self.db, f"projections-g{number}", create=False)
            for table in tables:
                cur.execute(f"DROP TABLE IF EXISTS {table}")
            offsets.forget_all(cur)
            cur.execute("UPDATE projection_generations SET state = ? WHERE generation = ?",
                        (DROPPED, number))
        return tables
