"""Seed agreements and the on-call set-up from a documented JSON file, once.

The file gives a fresh installation something to measure against. It is a starting
point, not the source of truth: an agreement already registered, or an on-call set-up
already configured, is left as it is (changes go through the gRPC API, with history).
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from madoguchi.errors import NotFound, VersionConflict
from madoguchi.servicelevels.terms import AgreementTerms
from services.sla_monitor.application.app import SlaMonitorApplication

log = logging.getLogger(__name__)
SEED_ACTOR = "seed-file"


def packaged_seed() -> Path:
    return Path(str(resources.files("services.sla_monitor") / "seed" / "embedded.json"))


def load_seed(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def apply_seed(app: SlaMonitorApplication, seed: dict[str, Any]) -> list[str]:
    """Register what the seed has and the store lacks; return what was added."""
    added = []
    for item in seed.get("agreements", []):
        agreement_id = item["agreement_id"]
        terms = AgreementTerms.from_dict(item["terms"])
        try:
            existing = app.agreement(agreement_id)
        except NotFound:
            existing = None
        if existing is None:
            try:
                app.register_agreement(agreement_id, terms, actor=SEED_ACTOR,
                                       reason="seeded from file",
                                       make_default=bool(item.get("default")))
            except VersionConflict:
                # Another replica seeded at the same moment: that is the seed applied.
                log.info("agreement %s was seeded by another instance", agreement_id)
                continue
            added.append(f"agreement {agreement_id}")
        elif existing.terms_data != terms.to_dict():
            log.info("agreement %s differs from the seed file; keeping the stored one "
                     "(revise it over the API)", agreement_id)
    on_call = seed.get("on_call")
    if on_call and not app.directory().on_call.get("teams"):
        try:
            app.configure_on_call(on_call, actor=SEED_ACTOR)
            added.append("on-call set-up")
        except VersionConflict:
            log.info("the on-call set-up was seeded by another instance")
    return added


def seed_from_setting(app: SlaMonitorApplication, setting: str) -> list[str]:
    """``setting``: empty for the packaged seed, ``none`` for no seed, else a file path."""
    if setting.strip().lower() == "none":
        return []
    path = Path(setting) if setting.strip() else packaged_seed()
    added = apply_seed(app, load_seed(path))
    if added:
        log.info("seeded from %s: %s", path, ", ".join(added))
    return added
