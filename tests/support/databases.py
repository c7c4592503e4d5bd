"""The four services' database URLs on one store: SQLite files, or new databases on the
session's PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest


def database_urls(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    if store == "sqlite":
        return {name: f"sqlite:///{tmp_path / name}.db"
                for name in ("intake", "projections", "sla_monitor", "supplier")}
    postgres = request.getfixturevalue("postgres")
    return {name: postgres.new_database(name)
            for name in ("intake", "projections", "sla_monitor", "supplier")}
