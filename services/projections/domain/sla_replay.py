"""SLA replay: an inquiry's customer clocks recomputed from its timeline (pure, no timers).

Queue views need each open inquiry's next deadline, and "what if the targets had been X"
needs outcomes under other terms. Both must agree with what the SLA monitor measures, so
the replay drives the monitor's own ``InquiryClocks`` (the shared kernel) with the
inquiry's events, exactly as the monitor's ``InquiryClockEvents.apply`` does:

* each event is applied at its ``occurred_at``; a version at or below the last applied
  one is a redelivery and is skipped; nothing counts before ``InquiryReceived``;
* before each event, thresholds that fell due are marked as signalled
  (``due_signals``), as the monitor's ``raise_due`` does, because that decides which
  breach time a clock keeps when its target later changes;
* ``InquiryPriorityChanged`` re-targets the *open* clocks (their elapsed time is kept; a
  target the new priority lacks is cancelled; one it adds is not started).

The event→clock mapping is the shared one the monitor runs live
(``madoguchi.servicelevels.inquiry_clocks``, ``InquiryClocks.apply_event``); only the
receipt (``_received``: which agreement version and targets) is worked out here.
What the replay does not do: follow ``apply_to_open`` revisions (it runs under one set of
terms), pick a default agreement for an unknown one, or raise alerts.

Records are JSON-able dicts (times as ISO 8601 text with a zone); datetimes are accepted
too, and a time without a zone is taken as UTC.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import Clock
from madoguchi.servicelevels.inquiry_clocks import InquiryClocks
from madoguchi.servicelevels.terms import AgreementTerms

CLOCK_EVENTS = frozenset({
    "InquiryReceived", "InquiryFirstResponseRecorded", "InquiryContactLogged",
    "InquiryPutOnHold", "InquiryResumed", "InquirySupplierEngaged",
    "InquirySupplierOutcomeRecorded", "InquiryResolved", "InquiryReopened", "InquiryClosed",
    "InquiryPriorityChanged",
})
"""Inquiry events that change clocks; other ``Inquiry*`` events only let time pass."""


@dataclass(frozen=True)
class ClockResult:
    """One clock cycle as replayed; ``outcome`` is "" while it is open."""

    target: str                    # FIRST_RESPONSE, RESOLUTION or UPDATE
    cycle: int                     # 1, then 2… after a reopen or a new update
    priority: str                  # the priority its target came from (at its stop, if any)
    outcome: str                   # MET, MISSED, CANCELLED, or "" (open)
    elapsed_seconds: float         # business seconds run (open: up to ``as_of``)
    target_seconds: int
    started_at: datetime
    stopped_at: datetime | None
    breached_at: datetime | None   # when business time passed the target (None: it did not)
    paused: bool                   # open and paused by a hold
    due_at: datetime | None        # open and running: its breach time (past when overdue)

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None


@dataclass(frozen=True)
class Deadline:
    """The next breach of an inquiry: which clock, and when."""

    target: str
    cycle: int
    due_at: datetime


@dataclass(frozen=True)
class ReplayResult:
    """Every clock of one inquiry under the given terms; empty when it was never received."""

    inquiry_id: str = ""
    agreement_id: str = ""
    agreement_version: int = 0
    priority: str = ""
    kind: str = ""
    received_at: datetime | None = None
    as_of: datetime | None = None          # open clocks are measured up to here
    hold_reason: str = ""
    closed: bool = False
    clocks: tuple[ClockResult, ...] = ()   # in the order they started
    next_deadline: Deadline | None = None  # earliest breach due among running clocks

    @property
    def received(self) -> bool:
        return self.received_at is not None

    def open_clocks(self) -> list[ClockResult]:
        return [c for c in self.clocks if c.is_open]

    def stopped_clocks(self) -> list[ClockResult]:
        return [c for c in self.clocks if not c.is_open]


def terms_from_json(text: str | bytes) -> AgreementTerms:
    """Terms from ``terms_json`` (AgreementRegistered/Revised), validated by the monitor.

    Anything wrong raises the monitor's ``InvalidField`` naming the field, e.g.
    ``terms.targets[0].priority``.
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise InvalidField([("terms_json", f"is not JSON: {error}")]) from error
    if not isinstance(data, dict):
        raise InvalidField([("terms_json", "must be a JSON object")])
    try:
        return AgreementTerms.from_dict(data)
    except InvalidField:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        # Shapes ``from_dict`` does not anticipate (e.g. ``"targets": 5``).
        raise InvalidField([("terms", f"is malformed: {error}")]) from error


def replay(timeline: Sequence[tuple[str, dict[str, Any]]], terms: AgreementTerms, *,
           agreement_version: int = 0, now: datetime | None = None) -> ReplayResult:
    """Drive the monitor's clocks through ``timeline`` (version order) under ``terms``.

    Open clocks are measured up to ``now`` when given (breaches due by then are marked as
    the monitor's timers would), else up to the last applied event.
    """
    state: InquiryClocks | None = None
    received_at: datetime | None = None
    last_at: datetime | None = None
    seen: dict[int, Clock] = {}           # every clock cycle, by identity, in start order
    stopped_priority: dict[int, str] = {}
    for event_type, record in timeline:
        if not event_type.startswith("Inquiry"):
            continue   # the monitor's inquiry model accepts only these
        at = _instant(record.get("occurred_at"))
        if at is None:
            continue   # no time, nothing to measure it by
        if state is None:
            if event_type == "InquiryReceived":
                state = _received(record, terms, at, agreement_version)
                received_at = last_at = at
                _track(state, seen, stopped_priority)
            continue
        if event_type == "InquiryReceived":
            continue   # redelivered
        version = _version(record, state.version)
        if version <= state.version:
            continue   # redelivered or replayed
        state.version = version
        state.due_signals(terms, at)   # what the monitor raises before applying the event
        state.apply_event(terms, event_type, record, at)
        last_at = max(last_at, at) if last_at else at
        _track(state, seen, stopped_priority)
    if state is None or received_at is None:
        return ReplayResult()
    as_of = (_instant(now) if now is not None else None) or last_at or received_at
    if as_of != last_at:
        state.due_signals(terms, as_of)   # what the monitor's timers raised by ``now``
    current = {id(c) for c in state.clocks.values()}
    results = [
        _result(clock, terms, as_of, stopped_priority.get(key, state.priority))
        for key, clock in seen.items()
        # A clock replaced while still open is forgotten by the monitor: no stop, no timer.
        if not clock.is_open or key in current
    ]
    return ReplayResult(
        inquiry_id=state.inquiry_id, agreement_id=state.agreement_id,
        agreement_version=state.agreement_version, priority=state.priority,
        kind=state.kind, received_at=received_at, as_of=as_of,
        hold_reason=state.hold_reason, closed=state.closed, clocks=tuple(results),
        next_deadline=_next_deadline(results),
    )


def next_deadline(timeline: Sequence[tuple[str, dict[str, Any]]], terms: AgreementTerms, *,
                  agreement_version: int = 0) -> Deadline | None:
    """Shortcut for queue views: the earliest breach due among running clocks, or None."""
    return replay(timeline, terms, agreement_version=agreement_version).next_deadline


# ----- receipt (as InquiryClockEvents._received, under the given terms) -----


def _received(record: dict[str, Any], terms: AgreementTerms, at: datetime,
              agreement_version: int) -> InquiryClocks:
    return InquiryClocks.received(
        inquiry_id=str(record.get("aggregate_id", "")),
        agreement_id=str(record.get("agreement_id", "")), agreement_version=agreement_version,
        terms=terms, priority=str(record.get("priority", "")), kind=str(record.get("kind", "")),
        at=at, category=str(record.get("category", "")),
        department=str(record.get("department", "")),
        subject=str(record.get("subject", ""))[:200], version=_version(record, 0) or 1)


# ----- reading the clocks -----


def _track(state: InquiryClocks, seen: dict[int, Clock], stopped_priority: dict[int, str]
           ) -> None:
    """Remember new clock cycles (a reopen replaces the dict entry) and stop priorities."""
    for clock in state.clocks.values():
        seen.setdefault(id(clock), clock)
    for key, clock in seen.items():
        if not clock.is_open and key not in stopped_priority:
            stopped_priority[key] = state.priority


def _result(clock: Clock, terms: AgreementTerms, as_of: datetime, priority: str
            ) -> ClockResult:
    calendar = terms.calendar
    if not clock.is_open:
        # As the monitor's Stop: a breach time only when the outcome says it was passed.
        passed = clock.elapsed > clock.target_seconds
        return ClockResult(
            target=str(clock.target), cycle=clock.cycle, priority=priority,
            outcome=clock.outcome, elapsed_seconds=clock.elapsed,
            target_seconds=clock.target_seconds, started_at=clock.started_at,
            stopped_at=clock.stopped_at, breached_at=clock.breached_at if passed else None,
            paused=False, due_at=None)
    elapsed = clock.elapsed_at(calendar, as_of)
    due = breached = None
    if clock.elapsed > clock.target_seconds:
        breached = clock.breached_at or clock.since or as_of   # passed before its last change
        due = breached if clock.is_running else None
    elif clock.is_running:
        due = clock.due_at(calendar, 100)
        if due is not None and elapsed > clock.target_seconds:
            breached = due
    return ClockResult(
        target=str(clock.target), cycle=clock.cycle, priority=priority, outcome="",
        elapsed_seconds=elapsed, target_seconds=clock.target_seconds,
        started_at=clock.started_at, stopped_at=None, breached_at=breached,
        paused=clock.paused, due_at=due)


def _next_deadline(clocks: Sequence[ClockResult]) -> Deadline | None:
    running = [c for c in clocks if c.is_open and c.due_at is not None]
    if not running:
        return None
    first = min(running, key=lambda c: (c.due_at, c.target))
    assert first.due_at is not None
    return Deadline(first.target, first.cycle, first.due_at)


# ----- record fields -----


def _instant(value: object) -> datetime | None:
    """An aware UTC datetime from ISO text or a datetime; None if there is none."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _version(record: dict[str, Any], last: int) -> int:
    """The event's aggregate version; one without a readable version comes next."""
    try:
        return int(record["aggregate_version"])
    except (KeyError, TypeError, ValueError):
        return last + 1


__all__ = ["CLOCK_EVENTS", "ClockResult", "Deadline", "ReplayResult",
           "next_deadline", "replay", "terms_from_json"]
