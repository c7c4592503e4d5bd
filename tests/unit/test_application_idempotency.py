"""IntakeApplication (in memory): retries, optimistic concurrency, and errors storing nothing.

A retry with the same idempotency key and the same request returns the original with
``replayed = True`` and stores nothing; the same key with a different request is
IdempotencyKeyReused. A stale ``expected_version`` is a VersionConflict (0 means "any").
On any error nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from madoguchi.errors import (
    DomainError,
    IdempotencyKeyReused,
    InvalidField,
    NotFound,
    TransitionNotAllowed,
    VersionConflict,
)
from services.intake.application.app import IntakeApplication
from services.intake.domain.inquiry import Inquiry, inquiry_id_for
from services.intake.domain.values import Status
from tests.support.unit_helpers import NOW, attempt_cmd, make_app, meta, receive_cmd, stored_count


@pytest.fixture
def app() -> IntakeApplication:
    return make_app()


@pytest.fixture
def inquiry(app: IntakeApplication) -> Inquiry:
    return app.receive_inquiry(receive_cmd()).aggregate


# ----- creating calls -----


def test_receive_stores_one_event_under_an_id_derived_from_the_key(
        app: IntakeApplication) -> None:
    outcome = app.receive_inquiry(receive_cmd(key="abc"))
    assert outcome.replayed is False
    assert outcome.aggregate.id == inquiry_id_for("abc")
    assert outcome.aggregate.version == 1
    assert outcome.aggregate.received_at == NOW - timedelta(minutes=3)
    assert stored_count(app) == 1


def test_a_retried_receive_is_replayed_and_stores_nothing(app: IntakeApplication) -> None:
    first = app.receive_inquiry(receive_cmd())
    again = app.receive_inquiry(receive_cmd())
    assert again.replayed is True
    assert again.aggregate.id == first.aggregate.id
    assert again.aggregate.version == 1
    assert stored_count(app) == 1


def test_a_retry_with_other_meta_is_still_a_retry(app: IntakeApplication) -> None:
    app.receive_inquiry(receive_cmd())
    again = app.receive_inquiry(receive_cmd(meta=meta(actor="other", correlation_id="c-2")))
    assert again.replayed is True
    assert again.aggregate.received_by == "agent-7"
    assert stored_count(app) == 1


def test_a_retry_after_later_changes_returns_the_inquiry_and_stores_nothing(
        app: IntakeApplication, inquiry: Inquiry) -> None:
    app.assign(str(inquiry.id), 0, meta(), "team", "")
    again = app.receive_inquiry(receive_cmd())
    assert again.replayed is True
    assert again.aggregate.version == 2
    assert stored_count(app) == 2


@pytest.mark.parametrize("changes", [
    {"subject": "別の件名"},
    {"priority": "P1"},
    {"contacted_at": NOW - timedelta(minutes=2)},
])
def test_the_same_key_for_a_different_request_is_refused(
        app: IntakeApplication, inquiry: Inquiry, changes: dict[str, Any]) -> None:
    with pytest.raises(IdempotencyKeyReused):
        app.receive_inquiry(receive_cmd(**changes))
    assert stored_count(app) == 1
    assert app.get_inquiry(str(inquiry.id)).subject == inquiry.subject


def test_different_keys_make_different_inquiries(app: IntakeApplication) -> None:
    a = app.receive_inquiry(receive_cmd(key="a")).aggregate
    b = app.receive_inquiry(receive_cmd(key="b")).aggregate
    assert a.id != b.id
    assert stored_count(app) == 2


def test_contact_attempts_are_idempotent_too(app: IntakeApplication) -> None:
    first = app.record_contact_attempt(attempt_cmd())
    assert first.replayed is False
    again = app.record_contact_attempt(attempt_cmd(correlation_id="another"))
    assert again.replayed is True
    assert again.aggregate.id == first.aggregate.id
    assert stored_count(app) == 1
    with pytest.raises(IdempotencyKeyReused):
        app.record_contact_attempt(attempt_cmd(wait_seconds=99))
    assert stored_count(app) == 1


def test_the_same_key_for_an_inquiry_and_an_attempt_does_not_collide(
        app: IntakeApplication) -> None:
    inquiry = app.receive_inquiry(receive_cmd(key="same")).aggregate
    attempt = app.record_contact_attempt(attempt_cmd(key="same")).aggregate
    assert inquiry.id != attempt.id
    assert stored_count(app) == 2


# ----- further contacts (also a creating call) -----


def test_a_retried_contact_is_replayed_and_stores_nothing(app: IntakeApplication,
                                                         inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    first = app.log_contact(iid, 0, meta(), "mail-1", "EMAIL", "", "続報")
    assert (first.replayed, first.aggregate.contact_count) == (False, 2)
    again = app.log_contact(iid, 0, meta(), "mail-1", "EMAIL", "", "続報")
    assert (again.replayed, again.aggregate.contact_count) == (True, 2)
    assert again.aggregate.version == 2
    assert stored_count(app) == 2


def test_the_same_contact_key_for_a_different_contact_is_refused(
        app: IntakeApplication, inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    app.log_contact(iid, 0, meta(), "mail-1", "EMAIL", "", "続報")
    with pytest.raises(IdempotencyKeyReused):
        app.log_contact(iid, 0, meta(), "mail-1", "PHONE", "OUTBOUND", "折り返し電話")
    assert stored_count(app) == 2


def test_a_retried_conditional_contact_is_replayed(app: IntakeApplication,
                                                   inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    app.log_contact(iid, 1, meta(), "mail-1", "EMAIL", "", "続報")
    again = app.log_contact(iid, 1, meta(), "mail-1", "EMAIL", "", "続報")
    assert again.replayed is True
    assert stored_count(app) == 2


# ----- priority changes: the classification already held is a retry -----


def test_a_retried_priority_change_is_replayed_and_stores_nothing(
        app: IntakeApplication, inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    first = app.change_priority(iid, 0, meta(), "HIGH", "HIGH", "", "全庁システム停止")
    assert (first.replayed, first.aggregate.priority, first.aggregate.version) == (
        False, "P1", 2)
    again = app.change_priority(iid, 0, meta(), "HIGH", "HIGH", "", "全庁システム停止")
    assert (again.replayed, again.aggregate.priority, again.aggregate.version) == (True, "P1", 2)
    assert stored_count(app) == 2


def test_a_retried_conditional_priority_change_is_replayed(app: IntakeApplication,
                                                           inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    app.change_priority(iid, 1, meta(), "", "", "P2", "所長判断")
    again = app.change_priority(iid, 1, meta(), "", "", "P2", "所長判断")
    assert again.replayed is True
    assert stored_count(app) == 2


def test_a_different_priority_change_on_a_stale_version_is_aborted(
        app: IntakeApplication, inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    app.change_priority(iid, 1, meta(), "", "", "P2", "所長判断")
    with pytest.raises(VersionConflict):
        app.change_priority(iid, 1, meta(), "", "", "P1", "さらに格上げ")
    assert app.get_inquiry(iid).priority == "P2"
    assert stored_count(app) == 2


def test_the_priority_of_a_closed_inquiry_cannot_change(app: IntakeApplication,
                                                        inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    app.resolve(iid, 0, meta(), "FIXED", "done", "")
    app.close_inquiry(iid, 0, meta())
    with pytest.raises(TransitionNotAllowed, match="CLOSED"):
        app.change_priority(iid, 0, meta(), "HIGH", "HIGH", "", "後から格上げ")
    assert app.get_inquiry(iid).priority == inquiry.priority
    assert stored_count(app) == 3


# ----- optimistic concurrency -----


def test_the_expected_version_makes_a_change_conditional(app: IntakeApplication,
                                                         inquiry: Inquiry) -> None:
    iid = str(inquiry.id)
    assert app.assign(iid, 1, meta(), "team-a", "").aggregate.version == 2
    with pytest.raises(VersionConflict):
        app.assign(iid, 1, meta(), "team-b", "")
    with pytest.raises(VersionConflict):
        app.assign(iid, 3, meta(), "team-b", "")
    assert stored_count(app) == 2
    assert app.get_inquiry(iid).team == "team-a"
    assert app.assign(iid, 0, meta(), "team-c", "").aggregate.version == 3  # 0 means any


# ----- unknown and malformed ids -----

CHANGES: dict[str, Callable[[IntakeApplication, str, int], Any]] = {
    "log_contact": lambda a, i, v: a.log_contact(i, v, meta(), "k-9", "EMAIL", "", ""),
    "record_first_response": lambda a, i, v: a.record_first_response(i, v, meta(), ""),
    "assign": lambda a, i, v: a.assign(i, v, meta(), "team", ""),
    "escalate": lambda a, i, v: a.escalate(i, v, meta(), "TIER", 2, "", "", "r"),
    "change_priority": lambda a, i, v: a.change_priority(i, v, meta(), "HIGH", "HIGH", "",
                                                         "r"),
    "put_on_hold": lambda a, i, v: a.put_on_hold(i, v, meta(), "OTHER", ""),
    "resume": lambda a, i, v: a.resume(i, v, meta(), ""),
    "resolve": lambda a, i, v: a.resolve(i, v, meta(), "FIXED", "done", ""),
    "reopen": lambda a, i, v: a.reopen(i, v, meta(), "again"),
    "close_inquiry": lambda a, i, v: a.close_inquiry(i, v, meta()),
    "record_satisfaction": lambda a, i, v: a.record_satisfaction(i, v, meta(), 5, ""),
}
EACH_CHANGE = pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())


@EACH_CHANGE
def test_an_unknown_inquiry_is_not_found(app: IntakeApplication, inquiry: Inquiry,
                                         change: Callable[..., Any]) -> None:
    with pytest.raises(NotFound):
        change(app, str(uuid4()), 0)
    assert stored_count(app) == 1


@EACH_CHANGE
def test_a_contact_attempt_is_not_an_inquiry(app: IntakeApplication,
                                             change: Callable[..., Any]) -> None:
    attempt = app.record_contact_attempt(attempt_cmd()).aggregate
    with pytest.raises(NotFound):
        change(app, str(attempt.id), 0)
    with pytest.raises(NotFound):
        app.get_inquiry(str(attempt.id))
    assert stored_count(app) == 1


@EACH_CHANGE
@pytest.mark.parametrize("bad_id", ["", "not-a-uuid", "1234", "g" * 32])
def test_a_malformed_id_names_the_inquiry_id(app: IntakeApplication, inquiry: Inquiry,
                                             change: Callable[..., Any], bad_id: str) -> None:
    with pytest.raises(InvalidField) as raised:
        change(app, bad_id, 0)
    assert [name for name, _ in raised.value.violations] == ["context.inquiry_id"]
    assert stored_count(app) == 1


def test_queries_on_unknown_and_malformed_ids(app: IntakeApplication) -> None:
    with pytest.raises(NotFound):
        app.get_inquiry(str(uuid4()))
    with pytest.raises(NotFound):
        app.history(str(uuid4()))
    with pytest.raises(InvalidField) as raised:
        app.get_inquiry("nope")
    assert [name for name, _ in raised.value.violations] == ["inquiry_id"]


# ----- on every error, nothing is stored -----

FAILURES: dict[str, tuple[type[DomainError], Callable[[IntakeApplication, str], Any]]] = {
    "invalid receive": (InvalidField, lambda a, i: a.receive_inquiry(receive_cmd(
        key="other", subject=""))),
    "reused key": (IdempotencyKeyReused, lambda a, i: a.receive_inquiry(receive_cmd(
        body="changed"))),
    "invalid attempt": (InvalidField, lambda a, i: a.record_contact_attempt(attempt_cmd(
        wait_seconds=-1))),
    "invalid assign": (InvalidField, lambda a, i: a.assign(i, 0, meta(), "", "")),
    "invalid escalate": (InvalidField, lambda a, i: a.escalate(i, 0, meta(), "TIER", 1, "",
                                                              "", "r")),
    "invalid change_priority": (InvalidField, lambda a, i: a.change_priority(
        i, 0, meta(), "SEVERE", "HIGH", "", "r")),
    "future occurred_at": (InvalidField, lambda a, i: a.record_first_response(
        i, 0, meta(occurred_at=NOW + timedelta(minutes=6)), "")),
    "stale version": (VersionConflict, lambda a, i: a.resolve(i, 1, meta(), "C", "T", "")),
    "unknown id": (NotFound, lambda a, i: a.resolve(str(uuid4()), 0, meta(), "C", "T", "")),
    "malformed id": (InvalidField, lambda a, i: a.resolve("x", 0, meta(), "C", "T", "")),
    "forbidden close": (TransitionNotAllowed, lambda a, i: a.close_inquiry(i, 0, meta())),
    "forbidden reopen": (TransitionNotAllowed, lambda a, i: a.reopen(i, 0, meta(), "r")),
    "resume when not held": (TransitionNotAllowed, lambda a, i: a.resume(i, 0, meta(), "")),
    "satisfaction too early": (TransitionNotAllowed,
                               lambda a, i: a.record_satisfaction(i, 0, meta(), 5, "")),
    "tier not above": (TransitionNotAllowed,
                       lambda a, i: a.escalate(i, 0, meta(), "TIER", 2, "", "", "r")),
}


@pytest.mark.parametrize(("error", "call"), FAILURES.values(), ids=FAILURES.keys())
def test_on_any_error_nothing_is_stored(app: IntakeApplication, inquiry: Inquiry,
                                        error: type[DomainError],
                                        call: Callable[..., Any]) -> None:
    iid = str(inquiry.id)
    app.escalate(iid, 0, meta(), "TIER", 2, "", "", "r")
    before = stored_count(app)
    state = vars(app.get_inquiry(iid))
    with pytest.raises(error):
        call(app, iid)
    assert stored_count(app) == before == 2
    assert vars(app.get_inquiry(iid)) == state
    assert app.get_inquiry(iid).status == Status.ESCALATED


def test_a_store_retry_that_conflicts_with_its_own_commit_is_a_success_not_a_repeat(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost commit acknowledgement makes the store retry and hit its own row."""
    from eventsourcing.persistence import IntegrityError

    app = make_app()
    iid = str(app.receive_inquiry(receive_cmd()).aggregate.id)
    save = app.save

    def commit_then_conflict(*aggregates: Any, **kwargs: Any) -> Any:
        save(*aggregates, **kwargs)
        raise IntegrityError("duplicate key on the retried insert")

    monkeypatch.setattr(app, "save", commit_then_conflict)
    outcome = app.assign(iid, 0, meta(), "一次受付", "agent-1")
    monkeypatch.setattr(app, "save", save)
    assert outcome.aggregate.version == 2 and not outcome.replayed
    assert [h.event_type for h in app.history(iid)] == ["InquiryReceived", "InquiryAssigned"]
