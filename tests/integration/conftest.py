"""Per-test systems on each store: SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from madoguchi.storage.sql import SqlDatabase
from madoguchi.storage.urls import parse_database_url
from tests.support.databases import database_urls
from tests.support.loopback_servers import Collector, LoopbackController
from tests.support.system import RunningSystem, make_settings

STORES = ["sqlite", "postgres"]




@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SqlDatabase]:
    """An empty database on ``store``, for tests of one read model."""
    if store == "sqlite":
        url = f"sqlite:///{tmp_path}/read-model.db"
    else:
        url = request.getfixturevalue("postgres").new_database("rm")
    database = SqlDatabase(parse_database_url(url))
    yield database
    database.close()


@pytest.fixture
def system(store: str, broker, tmp_path: Path,
           request: pytest.FixtureRequest) -> Iterator[RunningSystem]:
    """Intake and projections on ``store``, each test with its own topics and databases."""
    suffix = uuid.uuid4().hex[:10]
    settings = make_settings(tmp_path, broker.bootstrap, database_urls(store, tmp_path, request),
                             suffix)
    running = RunningSystem(settings, group_id=f"projections-{suffix}")
    yield running
    running.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[LoopbackController, Collector]]:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it accepts."""
    handler = Collector()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    yield controller, handler
    controller.stop()
