"""``madoguchi watch``: a console for on-call staff that follows the SLA monitor's alerts.

It opens the monitor's ``WatchAlerts`` stream and prints one line per feed item (warning,
breach, reminder, escalation, acknowledgement, resolution, and with ``--include-stops`` the
clock stops) in Asia/Tokyo time::

    2026-11-23 14:02:11 JST  BREACH   P2 FIRST_RESPONSE  区民相談チーム  inquiry 3f2a9c1d…
      住民票の写しを至急郵送…  (due 14:02:10)          (one line on the console)

When the monitor goes away (``UNAVAILABLE``), or closes the stream, the console waits with
a growing backoff and reconnects with ``after_position`` set to the last item it printed:
the monitor replays what happened meanwhile from its event log, so nothing is missed and
nothing is printed twice. Before the first item there is no position yet; the stream then
starts "live" (position 0), so only items raised after it connected are shown.

``AlertStream`` (the resume logic) and ``format_item`` are free of I/O, so they are
tested with a fake stream; ``run_watch`` wires them to a gRPC channel.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import grpc

from madoguchi.api.sla.v1 import sla_monitor_pb2 as pb
from madoguchi.api.sla.v1 import sla_monitor_pb2_grpc
from madoguchi.rpc.channels import open_channel

TOKYO = ZoneInfo("Asia/Tokyo")
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE})
TEAM_WIDTH = 14          # display columns (a kanji counts two)
SUBJECT_WIDTH = 24
ID_CHARS = 8
RPC_TIMEOUT_SECONDS = 5.0
TEAM_REFRESH_SECONDS = 60.0

# Exit codes of ``madoguchi watch``.
EXIT_OK = 0              # --until-breach saw a breach, or the --timeout ran out without it
EXIT_NO_BREACH = 1       # --until-breach, and the --timeout ran out first
EXIT_ERROR = 2           # the monitor refused the request (e.g. INVALID_ARGUMENT)
EXIT_INTERRUPTED = 130   # Ctrl-C


# --------------------------------------------------------------------------------------
# Formatting (pure)
# --------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide and full-width characters (kanji, kana) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns (ending in "…" when cut) and padded to it."""
    text = " ".join(text.split())
    if display_width(text) > width:
        kept, used = [], 0
        for ch in text:
            w = display_width(ch)
            if used + w > width - 1:
                break
            kept.append(ch)
            used += w
        text = "".join(kept) + "…"
    return text + " " * (width - display_width(text))


def local_time(stamp: Any) -> datetime | None:
    """A protobuf ``Timestamp`` as an aware Asia/Tokyo datetime (None when unset)."""
    if stamp is None or (stamp.seconds == 0 and stamp.nanos == 0):
        return None
    return stamp.ToDatetime(tzinfo=UTC).astimezone(TOKYO)


def _clock(at: datetime | None, day_of: datetime | None) -> str:
    """HH:MM:SS, with the date in front when it is not the day of ``day_of``."""
    if at is None:
        return "?"
    if day_of is not None and at.date() != day_of.date():
        return f"{at:%m-%d %H:%M:%S}"
    return f"{at:%H:%M:%S}"


def _detail(item: Any, at: datetime | None) -> str:
    due = _clock(local_time(item.due_at), at)
    kind = item.kind
    if kind == "WARNING":
        return f"{item.percent}% of target at {due}"
    if kind == "BREACH":
        return f"due {due}"
    if kind == "REMINDER":
        return f"reminder {item.number}, due {due}"
    if kind == "ESCALATION":
        return f"escalated to level {item.level}"
    if kind == "ACKNOWLEDGED":
        return f"by {item.by}" if item.by else "acknowledged"
    if kind == "RESOLVED":
        return " by ".join(part for part in (item.outcome or "resolved", item.by) if part)
    if kind == "STOPPED":
        return item.outcome or "stopped"
    if kind == "MONITOR_BLIND":
        return f"the monitor cannot follow its stream since {due}"
    if kind == "MONITOR_RECOVERED":
        return "the monitor sees again"
    return ""


def format_item(item: Any, team_names: Mapping[str, str] | None = None) -> str:
    """One console line for a ``FeedItem``: local time, kind, priority, target, team, inquiry."""
    at = local_time(item.at)
    stamp = f"{at:%Y-%m-%d %H:%M:%S} {at.tzname()}" if at else "????-??-?? ??:??:?? JST"
    target = item.target or "-"
    if item.cycle > 1:
        target += f"#{item.cycle}"
    team = (team_names or {}).get(item.team) or item.team or "-"
    inquiry = f"inquiry {item.inquiry_id[:ID_CHARS]}…" if item.inquiry_id else "inquiry -"
    subject = fit(item.subject, SUBJECT_WIDTH) if item.subject else " " * SUBJECT_WIDTH
    return (f"{stamp}  {item.kind:<8} {item.priority or '--'} {target:<14}  "
            f"{fit(team, TEAM_WIDTH)}  {inquiry}  {subject}  ({_detail(item, at)})")


def team_names_from_json(on_call_json: str) -> dict[str, str]:
    """Team id → display name from the monitor's on-call set-up (``GetOnCall``)."""
    try:
        data = json.loads(on_call_json or "{}")
    except ValueError:
        return {}
    teams = data.get("teams", []) if isinstance(data, dict) else []
    return {str(t["id"]): str(t.get("name") or t["id"]) for t in teams
            if isinstance(t, dict) and t.get("id")}


def resolve_team(team: str, names: Mapping[str, str]) -> str:
    """The team id for ``--team``, which may also be given by its display name."""
    if not team or team in names:
        return team
    for team_id, name in names.items():
        if name == team:
            return team_id
    return team


def ensure_utf8(stream: TextIO) -> None:
    """Make a text stream write UTF-8, whatever the locale says (Japanese must print)."""
    encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
    if encoding != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")


# --------------------------------------------------------------------------------------
# Following the stream across reconnects (no I/O of its own)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """Delays between reconnection attempts: initial, doubling, capped at maximum."""

    initial: float = 0.5
    maximum: float = 10.0
    factor: float = 2.0

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` consecutive failures (0: the first one)."""
        return min(self.maximum, self.initial * self.factor ** max(0, failures))


def _status(error: grpc.RpcError) -> tuple[grpc.StatusCode | None, str]:
    if isinstance(error, grpc.Call):
        return error.code(), error.details() or ""
    code = getattr(error, "code", None)
    return (code() if callable(code) else None), str(error)


class AlertStream:
    """Feed items across reconnects: each position once, in order, none skipped.

    ``open_stream(after_position, timeout)`` opens one ``WatchAlerts`` call (timeout: the
    seconds left until ``deadline``, or None) and returns an iterable of ``FeedItem``; a
    gRPC call object also has ``cancel()``, which ``close`` uses. On a retryable status
    (``UNAVAILABLE``) or when the server ends the stream, the stream is reopened after a
    backoff with ``after_position`` = the last item handed out, and items at or below it
    (a replay overlapping what was seen) are dropped. Other statuses are raised. Iteration
    ends at ``deadline`` (a ``clock()`` value) or after ``close()``.
    """

    def __init__(self, open_stream: Callable[[int, float | None], Iterable[Any]], *,
                 after: int = 0, deadline: float | None = None,
                 backoff: Backoff | None = None,
                 on_retry: Callable[[str, float, int], None] | None = None,
                 sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 retryable: frozenset[grpc.StatusCode] = RETRYABLE) -> None:
        if after < 0:
            raise ValueError("after must not be negative")
        self.open_stream = open_stream
        self.position = after
        self.deadline = deadline
        self.backoff = backoff or Backoff()
        self.on_retry = on_retry or (lambda reason, delay, position: None)
        self.clock = clock
        self.retryable = retryable
        self.reconnects = 0
        self._closed = threading.Event()
        self._sleep = sleep or self._closed.wait
        self._call: Any = None

    def remaining(self) -> float | None:
        """Seconds left until the deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - self.clock()

    def close(self) -> None:
        """Stop iterating (from any thread): cancels the open call."""
        self._closed.set()
        call = self._call
        if call is not None and hasattr(call, "cancel"):
            call.cancel()

    def __iter__(self) -> Iterator[Any]:
        failures = 0
        while not self._closed.is_set():
            remaining = self.remaining()
            if remaining is not None and remaining <= 0:
                return
            opened = self.clock()
            try:
                self._call = self.open_stream(self.position, remaining)
                if self.position == 0:
                    self.position = _start_position(self._call)
                for item in self._call:
                    failures = 0
                    if item.position <= self.position:
                        continue          # already handed out before a reconnect
                    self.position = item.position
                    yield item
                reason = "the monitor closed the stream"
            except grpc.RpcError as error:
                code, details = _status(error)
                if self._closed.is_set():
                    return
                if code == grpc.StatusCode.DEADLINE_EXCEEDED and self.deadline is not None:
                    return
                if code not in self.retryable:
                    raise
                reason = f"{code.name if code else 'error'}: {details.split(';')[0][:100]}"
            finally:
                call, self._call = self._call, None
                if call is not None and hasattr(call, "cancel"):
                    call.cancel()     # no-op once it ended; frees it when we stop early
            if self.clock() - opened >= self.backoff.maximum:
                failures = 0              # it had been up a while: start the backoff anew
            delay = self.backoff.delay(failures)
            failures += 1
            remaining = self.remaining()
            if remaining is not None and remaining <= delay:
                return
            self.reconnects += 1
            self.on_retry(reason, delay, self.position)
            self._sleep(delay)


def _start_position(call: Any) -> int:
    """Where a live-only stream starts (the server's ``madoguchi-feed-position`` header).

    Resuming from there after a disconnect that came before the first item misses nothing.
    """
    metadata = getattr(call, "initial_metadata", None)
    if not callable(metadata):
        return 0
    for key, value in metadata() or ():
        if key == "madoguchi-feed-position" and str(value).isdigit():
            return int(value)
    return 0


# --------------------------------------------------------------------------------------
# The console
# --------------------------------------------------------------------------------------


class TeamNames:
    """Team display names from the monitor, fetched on demand and refreshed on a miss."""

    def __init__(self, stub: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self.stub = stub
        self.clock = clock
        self.names: dict[str, str] = {}
        self._fetched_at: float | None = None

    def refresh(self) -> dict[str, str]:
        self._fetched_at = self.clock()
        try:
            reply = self.stub.GetOnCall(pb.GetOnCallRequest(), timeout=RPC_TIMEOUT_SECONDS)
        except grpc.RpcError:
            return self.names
        self.names = team_names_from_json(reply.on_call_json) or self.names
        return self.names

    def lookup(self, team: str) -> dict[str, str]:
        """The names, re-fetched (at most once a minute) when ``team`` is not among them."""
        if team and team not in self.names and (
                self._fetched_at is None
                or self.clock() - self._fetched_at >= TEAM_REFRESH_SECONDS):
            self.refresh()
        return self.names


def watch_stub(channel: grpc.Channel) -> Any:
    return sla_monitor_pb2_grpc.SlaMonitorServiceStub(channel)


def stream_opener(stub: Any, *, team: str = "", include_stops: bool = False
                  ) -> Callable[[int, float | None], Any]:
    """``open_stream`` for ``AlertStream`` on a real ``SlaMonitorServiceStub``."""

    def open_stream(after: int, timeout: float | None) -> Any:
        request = pb.WatchAlertsRequest(team=team, after_position=after,
                                        include_stops=include_stops)
        return stub.WatchAlerts(request, timeout=timeout)

    return open_stream


def _silence(stream: TextIO) -> None:
    """Point a closed pipe's descriptor at /dev/null, so exiting does not fail to flush."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run_watch(address: str, *, team: str = "", include_stops: bool = False,
              until_breach: bool = False, timeout: float | None = None, after: int = 0,
              out: TextIO = sys.stdout, err: TextIO = sys.stderr,
              backoff: Backoff | None = None) -> int:
    """Print the monitor's feed until Ctrl-C, the timeout, or (``until_breach``) a breach.

    Returns an exit code: 0 after a breach with ``until_breach`` or when the timeout ends a
    plain watch, 1 when the timeout ends an ``until_breach`` watch without one, 2 when the
    monitor refuses the request, 130 on Ctrl-C.
    """
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be positive")
    deadline = None if timeout is None else time.monotonic() + timeout
    channel = open_channel(address)
    stub = watch_stub(channel)
    names = TeamNames(stub)
    team_id = resolve_team(team, names.refresh())
    shown = "every team"
    if team_id:
        shown = f"team {team_id}"
        if team_id in names.names:
            shown += f" ({names.names[team_id]})"
        elif names.names:
            known = ", ".join(f"{k} ({v})" for k, v in sorted(names.names.items()))
            print(f"監視 note: the monitor knows no team {team_id!r} (teams: {known}); "
                  "watching it anyway", file=err, flush=True)

    def on_retry(reason: str, delay: float, position: int) -> None:
        where = f"after position {position}" if position else "live (nothing shown yet)"
        print(f"監視 SLA monitor {address}: {reason}; reconnecting in {delay:.1f} s, "
              f"resuming {where}", file=err, flush=True)

    stream = AlertStream(stream_opener(stub, team=team_id, include_stops=include_stops),
                         after=after, deadline=deadline, backoff=backoff, on_retry=on_retry)
    print(f"監視 watching SLA alerts at {address}, {shown}"
          f"{', with clock stops' if include_stops else ''}"
          f"{', until the first breach' if until_breach else ''} (Ctrl-C to stop)",
          file=err, flush=True)
    code = EXIT_NO_BREACH if until_breach else EXIT_OK
    printed = after
    try:
        for item in stream:
            print(format_item(item, names.lookup(item.team)), file=out, flush=True)
            printed = item.position
            if until_breach and item.kind == "BREACH":
                code = EXIT_OK
                break
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except BrokenPipeError:           # e.g. piped into head: the reader has gone
        _silence(out)
        code = EXIT_OK
    except grpc.RpcError as error:
        status, details = _status(error)
        print(f"監視 SLA monitor {address} refused the watch: "
              f"{status.name if status else 'error'}: {details}", file=err, flush=True)
        code = EXIT_ERROR
    finally:
        stream.close()
        channel.close()
    if code == EXIT_NO_BREACH:
        print(f"監視 no breach within {timeout:g} s", file=err, flush=True)
    if printed:
        print(f"監視 last position {printed} (resume with --after {printed})", file=err,
              flush=True)
    return code
