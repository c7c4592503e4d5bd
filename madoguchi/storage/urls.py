"""Turn one database URL per service into ``eventsourcing`` settings or a SQL connection.

Accepted URLs:
- ``sqlite:///relative/or/absolute/path.db`` (``sqlite:////abs/path.db`` also works)
- ``postgresql://user:password@host:5432/dbname`` (``?host=/socket/dir`` for a Unix socket;
  ``?schema=name`` to keep the tables in a schema other than ``public``)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class DatabaseUrlError(ValueError):
    """The configured database URL cannot be used."""


@dataclass(frozen=True)
class DatabaseUrl:
    kind: str  # "sqlite" or "postgres"
    path: Path | None = None
    dbname: str = ""
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = field(default="", repr=False)   # never in a repr or a log line
    schema: str = ""
    options: tuple[tuple[str, str], ...] = ()  # e.g. sslmode=verify-full

    @property
    def is_postgres(self) -> bool:
        return self.kind == "postgres"

    def eventsourcing_env(self) -> dict[str, str]:
        """Settings for an ``eventsourcing`` Application using this database."""
        if self.kind == "sqlite":
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "5",
            # The relay relies on inserts taking eventsourcing's table lock, which keeps
            # notification ids committed in order; the db-functions path does not.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        }
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return env

    def psycopg_conninfo(self) -> str:
        parts = {
            "dbname": self.dbname,
            "host": self.host,
            "port": str(self.port),
            "user": self.user,
            "password": self.password,
            **dict(self.options),
        }
        return " ".join(f"{k}='{_quote(v)}'" for k, v in parts.items() if v)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def parse_database_url(url: str) -> DatabaseUrl:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw = unquote(url[len("sqlite://"):])
        if raw.startswith("/"):
            raw = raw[1:]  # sqlite:///rel.db is relative; sqlite:////abs.db absolute
        if not raw:
            raise DatabaseUrlError(f"sqlite URL without a path: {url!r}")
        path = Path(raw)
        if not path.is_absolute():
            path = Path.cwd() / path
        return DatabaseUrl(kind="sqlite", path=path)
    if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        query = parse_qs(parts.query)
        host = query.get("host", [parts.hostname or ""])[0]
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise DatabaseUrlError(f"PostgreSQL URL without a database name: {url!r}")
        return DatabaseUrl(
            kind="postgres",
            dbname=dbname,
            host=host or "localhost",
            port=parts.port or 5432,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            schema=query.get("schema", [""])[0],
            options=tuple((k, v[0]) for k, v in sorted(query.items())
                          if k not in ("host", "schema")),
        )
    raise DatabaseUrlError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")
