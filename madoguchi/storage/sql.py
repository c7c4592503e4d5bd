"""A thin DB-API layer so read models and offsets run on SQLite and PostgreSQL alike.

SQL is written once with ``?`` placeholders and portable statements (``INSERT ... ON
CONFLICT``); for PostgreSQL the placeholders become ``%s``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from madoguchi.storage.urls import DatabaseUrl


class SqlDatabase:
    """Connections to one database; one connection per thread, transactions explicit."""

    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        if url.kind == "sqlite":
            assert url.path is not None
            url.path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def is_postgres(self) -> bool:
        return self.url.is_postgres

    def _connect(self) -> Any:
        if self.url.kind == "sqlite":
            conn = sqlite3.connect(str(self.url.path), timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            return conn
        import psycopg

        conn = psycopg.connect(self.url.psycopg_conninfo(), autocommit=True)
        if self.url.schema:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.url.schema}"')
            conn.execute(f'SET search_path TO "{self.url.schema}"')
        return conn

    def connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self.is_postgres and (conn.closed or conn.broken):
            # After a server restart or failover: replace the dead connection.
            with self._lock:
                if conn in self._all:
                    self._all.remove(conn)
            conn = None
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.is_postgres else statement

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """One atomic unit: everything inside commits together or not at all."""
        conn = self.connection()
        if self.is_postgres:
            with conn.transaction(), conn.cursor() as cur:
                yield Cursor(self, cur)
        else:
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield Cursor(self, cur)
                cur.execute("COMMIT")
            except BaseException:
                # Also after a failed COMMIT: never leave the write lock held.
                if conn.in_transaction:
                    conn.rollback()
                raise
            finally:
                cur.close()

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        conn = self.connection()
        cur = conn.cursor()
        try:
            cur.execute(self.sql(statement), tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    def executescript(self, script: str) -> None:
        """Run DDL statements separated by ``;`` in one transaction."""
        with self.transaction() as cur:
            for statement in script.split(";"):
                if statement.strip():
                    cur.execute(statement)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with suppress(Exception):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


class Cursor:
    """A cursor that translates placeholders for the database in use."""

    def __init__(self, db: SqlDatabase, cur: Any) -> None:
        self._db = db
        self._cur = cur

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        self._cur.execute(self._db.sql(statement), tuple(params))
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._cur.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)
