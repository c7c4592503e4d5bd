"""Builders shared by the unit tests: a fixed clock, valid commands, an in-memory app.

Nothing here touches infrastructure: the application runs on the ``eventsourcing`` POPO
(plain old Python objects) store, and every time comes from the fixed ``NOW``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.popo import POPOApplicationRecorder

from services.intake.application import commands as c
from services.intake.application.app import IntakeApplication
from services.intake.domain.inquiry import Inquiry

NOW = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo",
             "INTAKE_PERSISTENCE_MODULE": "eventsourcing.popo"}


def make_app() -> IntakeApplication:
    """An intake application on the in-memory store whose clock always says ``NOW``."""
    app = IntakeApplication(env=IN_MEMORY, clock=lambda: NOW)
    assert isinstance(app.recorder, POPOApplicationRecorder)
    return app


def stored_count(app: IntakeApplication) -> int:
    """How many events the application has stored (its notification log's high mark)."""
    return app.recorder.max_notification_id() or 0


def meta(**changes: Any) -> c.Meta:
    return replace(c.Meta(actor="agent-7", occurred_at=None, correlation_id="corr-1"),
                   **changes)


def receive_cmd(key: str = "inquiry-key-1", **changes: Any) -> c.ReceiveInquiry:
    """A valid ReceiveInquiry; keyword arguments replace single fields."""
    base = c.ReceiveInquiry(
        idempotency_key=key,
        channel="PHONE",
        kind="QUESTION",
        contact=c.ContactDetails(name="山田 太郎", phone="03-1234-5678",
                                 email="taro@example.jp", preferred_language="ja"),
        subject="パスワードを忘れました",
        body="ログインできません。",
        category="account",
        department="総務部",
        impact="MEDIUM",
        urgency="MEDIUM",
        priority="",
        agreement_id="AG-001",
        contacted_at=NOW - timedelta(minutes=3),
        external_ref="",
        meta=meta(),
    )
    return replace(base, **changes)


def attempt_cmd(key: str = "attempt-key-1", **changes: Any) -> c.RecordContactAttempt:
    base = c.RecordContactAttempt(idempotency_key=key, outcome="ANSWERED", queue="main",
                                  wait_seconds=42, attempted_at=NOW - timedelta(minutes=1),
                                  inquiry_id="", call_id="call-1", correlation_id="corr-1")
    return replace(base, **changes)


def domain_meta(minutes_ago: int = 0) -> dict[str, Any]:
    """The envelope fields every Inquiry command takes."""
    return {"actor": "agent-7", "occurred_at": NOW - timedelta(minutes=minutes_ago),
            "correlation_id": "corr-1"}


def new_inquiry() -> Inquiry:
    """A freshly received Inquiry aggregate (no application), its creation event drained."""
    cmd = receive_cmd(key=f"k-{uuid4()}")
    inquiry = Inquiry.receive(
        inquiry_id=uuid4(), idempotency_key=cmd.idempotency_key,
        request_fingerprint=cmd.fingerprint(), channel=cmd.channel, kind=cmd.kind,
        contact={"name": cmd.contact.name}, subject=cmd.subject, body=cmd.body,
        category=cmd.category, department=cmd.department, impact=cmd.impact,
        urgency=cmd.urgency, priority="P3", agreement_id=cmd.agreement_id,
        contacted_at=cmd.contacted_at, external_ref="", **domain_meta(3),
    )
    inquiry.collect_events()
    return inquiry
