"""The packaged seed fills a fresh monitor once, also when replicas start together."""

from __future__ import annotations

import threading
from pathlib import Path

from madoguchi.storage.urls import parse_database_url
from services.sla_monitor.application.app import SlaMonitorApplication
from services.sla_monitor.application.seeding import (
    apply_seed,
    load_seed,
    packaged_seed,
    seed_from_setting,
)


def app_on(path: Path) -> SlaMonitorApplication:
    return SlaMonitorApplication(env=parse_database_url(f"sqlite:///{path}").eventsourcing_env())


def test_the_packaged_seed_registers_agreements_and_on_call_once(tmp_path: Path) -> None:
    app = app_on(tmp_path / "sla.db")
    added = seed_from_setting(app, "")
    assert "agreement citizen-standard" in added and "on-call set-up" in added
    directory = app.directory()
    assert directory.default_agreement == "citizen-standard"
    assert {t["id"] for t in directory.on_call["teams"]} == {"citizen-desk",
                                                             "duty-supervisors"}
    assert app.agreement("citizen-standard").terms.calendar.holiday_country == "JP"
    assert seed_from_setting(app, "") == []          # a restart changes nothing
    assert seed_from_setting(app, "none") == []
    app.close()


def test_replicas_seeding_at_the_same_moment_both_start(tmp_path: Path) -> None:
    seed = load_seed(packaged_seed())
    apps = [app_on(tmp_path / "sla.db") for _ in range(2)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def seed_one(app: SlaMonitorApplication) -> None:
        try:
            start.wait()
            apply_seed(app, seed)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=seed_one, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    for agreement in seed["agreements"]:
        history = apps[0].agreement_history(agreement["agreement_id"])
        assert len(history) == 1                      # registered once
    assert len(apps[0].directory().agreement_ids) == len(seed["agreements"])
    for app in apps:
        app.close()
