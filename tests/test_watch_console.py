"""The on-call console (``madoguchi watch``): line format and resume logic.

The pure parts run on fakes. One test runs ``run_watch`` against a fake
``SlaMonitorService`` in this process (no monitor, broker or database), to check the
reconnect-and-resume path over real gRPC and the exit codes.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterator
from concurrent import futures
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from madoguchi.api.sla.v1 import sla_monitor_pb2 as pb
from madoguchi.api.sla.v1 import sla_monitor_pb2_grpc
from madoguchi_cli.watch import (
    EXIT_NO_BREACH,
    EXIT_OK,
    AlertStream,
    Backoff,
    display_width,
    ensure_utf8,
    fit,
    format_item,
    resolve_team,
    run_watch,
    team_names_from_json,
)

NAMES = {"citizen-desk": "区民相談チーム", "duty-supervisors": "当番係長"}
INQUIRY = "3f2a9c1d-5b7e-4c8a-9d0e-1f2a3b4c5d6e"
# 2026-11-23 14:02:11 in Tokyo is 05:02:11 UTC.
AT = datetime(2026, 11, 23, 5, 2, 11, tzinfo=UTC)


def item(position: int = 1, kind: str = "BREACH", *, at: datetime = AT,
         due_at: datetime | None = AT - timedelta(seconds=1), **fields: Any) -> pb.FeedItem:
    values: dict[str, Any] = {
        "position": position, "kind": kind, "alert_id": "a-1", "inquiry_id": INQUIRY,
        "target": "FIRST_RESPONSE", "cycle": 1, "team": "citizen-desk", "priority": "P2",
        "agreement_id": "demo-fast", "subject": "住民票の写しを至急郵送してほしい"}
    values.update(fields)
    message = pb.FeedItem(**values)
    message.at.FromDatetime(at)
    if due_at is not None:
        message.due_at.FromDatetime(due_at)
    return message


# ----- line format -----


def test_a_breach_line_reads_in_tokyo_time_with_team_name_and_due_time() -> None:
    line = format_item(item(), NAMES)
    assert line == ("2026-11-23 14:02:11 JST  BREACH   P2 FIRST_RESPONSE  区民相談チーム  "
                    "inquiry 3f2a9c1d…  住民票の写しを至急郵送…   (due 14:02:10)")


@pytest.mark.parametrize(("kind", "fields", "detail"), [
    ("WARNING", {"percent": 50}, "(50% of target at 14:02:10)"),
    ("REMINDER", {"number": 2}, "(reminder 2, due 14:02:10)"),
    ("ESCALATION", {"level": 1}, "(escalated to level 1)"),
    ("ACKNOWLEDGED", {"by": "sato"}, "(by sato)"),
    ("RESOLVED", {"outcome": "ANSWERED", "by": "sla-monitor"}, "(ANSWERED by sla-monitor)"),
    ("RESOLVED", {"outcome": "MANUAL"}, "(MANUAL)"),
    ("STOPPED", {"outcome": "MET", "team": ""}, "(MET)"),
])
def test_each_kind_has_its_detail(kind: str, fields: dict[str, Any], detail: str) -> None:
    line = format_item(item(kind=kind, **fields), NAMES)
    assert line.startswith(f"2026-11-23 14:02:11 JST  {kind:<8} P2 FIRST_RESPONSE  ")
    assert line.endswith(detail)


def test_a_due_time_on_another_day_carries_its_date() -> None:
    # A historical breach, raised when the monitor caught up a day later.
    line = format_item(item(due_at=AT - timedelta(days=1, hours=3)), NAMES)
    assert line.endswith("(due 11-22 11:02:11)")


def test_unknown_teams_missing_fields_and_later_cycles() -> None:
    line = format_item(item(team="night-shift", priority="", subject="", cycle=2,
                            target="UPDATE"))
    assert " -- UPDATE#2 " in line and "night-shift" in line
    assert "inquiry 3f2a9c1d…" in line
    assert format_item(item(team="")).split("FIRST_RESPONSE")[1].lstrip().startswith("-")


def test_columns_line_up_for_japanese_text() -> None:
    lines = [format_item(item(team=t, subject=s), NAMES) for t, s in [
        ("citizen-desk", "住民票の写しを至急郵送してほしい"),
        ("duty-supervisors", "道路の陥没を見つけました"),
        ("x", "short"),
    ]]
    starts = {display_width(line[:line.index("inquiry")]) for line in lines}
    details = {display_width(line[:line.index("(")]) for line in lines}
    assert len(starts) == 1 and len(details) == 1


def test_fit_counts_wide_characters_twice() -> None:
    assert display_width("区民abc") == 7
    assert fit("区民相談チーム", 14) == "区民相談チーム"
    cut = fit("住民票の写しを至急郵送してほしい", 10)
    assert cut == "住民票の… " and display_width(cut) == 10
    assert fit("a\nb", 5) == "a b  "


def test_team_names_and_team_option() -> None:
    on_call = ('{"teams": [{"id": "citizen-desk", "name": "区民相談チーム"}, '
               '{"id": "duty-supervisors"}], "people": []}')
    names = team_names_from_json(on_call)
    assert names == {"citizen-desk": "区民相談チーム", "duty-supervisors": "duty-supervisors"}
    assert team_names_from_json("not json") == {} and team_names_from_json("") == {}
    assert resolve_team("区民相談チーム", names) == "citizen-desk"
    assert resolve_team("citizen-desk", names) == "citizen-desk"
    assert resolve_team("unknown", names) == "unknown" and resolve_team("", names) == ""


def test_output_is_utf8_whatever_the_locale() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="latin-1")
    ensure_utf8(stream)
    stream.write(format_item(item(), NAMES))
    stream.flush()
    assert "区民相談チーム" in raw.getvalue().decode("utf-8")


# ----- resume logic -----


class Unavailable(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE) -> None:
        super().__init__("connection lost")
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code


class FakeMonitor:
    """Plays scripted connections: each a list of positions, then an error or a clean end."""

    def __init__(self, *connections: tuple[list[int], BaseException | None]) -> None:
        self.connections = list(connections)
        self.opened: list[tuple[int, float | None]] = []

    def open(self, after: int, timeout: float | None) -> Iterator[pb.FeedItem]:
        self.opened.append((after, timeout))
        positions, error = self.connections.pop(0)

        def stream() -> Iterator[pb.FeedItem]:
            for position in positions:
                yield item(position)
            if error is not None:
                raise error

        return stream()


def test_reconnects_resume_after_the_last_item_without_repeats() -> None:
    monitor = FakeMonitor(
        ([3, 5], Unavailable()),            # the monitor goes away
        ([], Unavailable()),                # still away
        ([5, 7], None),                     # back: replays from 5 (inclusive, say) then ends
        ([9], Unavailable(grpc.StatusCode.PERMISSION_DENIED)),
    )
    sleeps: list[float] = []
    retries: list[tuple[str, float, int]] = []
    stream = AlertStream(monitor.open, sleep=sleeps.append,
                         on_retry=lambda *args: retries.append(args),
                         backoff=Backoff(initial=0.5, maximum=10.0))
    seen: list[int] = []
    with pytest.raises(Unavailable):        # a status that is not retryable is raised
        seen.extend(i.position for i in stream)
    assert seen == [3, 5, 7, 9]
    assert [after for after, _ in monitor.opened] == [0, 5, 5, 7]
    assert sleeps == [0.5, 1.0, 0.5]        # backoff grows, and starts anew after items
    assert [r[2] for r in retries] == [5, 5, 7]
    assert retries[0][0].startswith("UNAVAILABLE") and "closed" in retries[2][0]
    assert stream.position == 9 and stream.reconnects == 3


def test_resume_from_a_given_position_and_the_backoff_cap() -> None:
    monitor = FakeMonitor(*[([], Unavailable())] * 6, ([12], Unavailable(
        grpc.StatusCode.INVALID_ARGUMENT)))
    sleeps: list[float] = []
    stream = AlertStream(monitor.open, after=11, sleep=sleeps.append,
                         backoff=Backoff(initial=1.0, maximum=8.0))
    with pytest.raises(Unavailable):
        list(stream)
    assert {after for after, _ in monitor.opened} == {11}
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_the_deadline_ends_the_watch() -> None:
    now = [100.0]
    monitor = FakeMonitor(([1], Unavailable()), ([2], Unavailable(
        grpc.StatusCode.DEADLINE_EXCEEDED)))

    def sleep(seconds: float) -> None:
        now[0] += seconds

    stream = AlertStream(monitor.open, deadline=130.0, clock=lambda: now[0], sleep=sleep)
    assert [i.position for i in stream] == [1, 2]
    assert [timeout for _, timeout in monitor.opened] == [30.0, 29.5]

    # A backoff that would outlast the deadline ends it at once.
    now[0] = 129.9
    late = AlertStream(FakeMonitor(([], Unavailable())).open, deadline=130.0,
                       clock=lambda: now[0], sleep=sleep)
    assert list(late) == [] and now[0] == 129.9


def test_close_stops_iteration_and_cancels_the_call() -> None:
    class Call:
        cancelled = False

        def __iter__(self) -> Iterator[pb.FeedItem]:
            yield item(1)
            yield item(2)

        def cancel(self) -> None:
            Call.cancelled = True

    stream = AlertStream(lambda after, timeout: Call())
    for feed_item in stream:
        assert feed_item.position == 1
        break
    assert Call.cancelled and stream.position == 1
    stream.close()
    assert list(stream) == []


def test_negative_positions_are_refused() -> None:
    with pytest.raises(ValueError):
        AlertStream(lambda after, timeout: [], after=-1)


# ----- the console against a fake monitor over real gRPC -----


class FakeServicer(sla_monitor_pb2_grpc.SlaMonitorServiceServicer):
    """First watch: two items, then UNAVAILABLE. Later watches: replay after the position."""

    def __init__(self, feed: list[pb.FeedItem]) -> None:
        self.feed = feed
        self.requests: queue.Queue[pb.WatchAlertsRequest] = queue.Queue()
        self.calls = 0

    def GetOnCall(self, request: Any, context: grpc.ServicerContext) -> pb.OnCallSetup:
        return pb.OnCallSetup(on_call_json='{"teams": [{"id": "citizen-desk", '
                                           '"name": "区民相談チーム"}]}')

    def WatchAlerts(self, request: Any, context: grpc.ServicerContext
                    ) -> Iterator[pb.FeedItem]:
        self.requests.put(request)
        self.calls += 1
        wanted = [i for i in self.feed if i.position > request.after_position
                  and (not request.team or i.team == request.team)]
        if self.calls == 1:
            yield from wanted[:2]
            context.abort(grpc.StatusCode.UNAVAILABLE, "monitor restarting")
        yield from wanted
        while context.is_active():   # then quiet, like a live stream
            threading.Event().wait(0.05)


@pytest.fixture
def fake_monitor() -> Iterator[tuple[str, FakeServicer]]:
    feed = [item(1, "WARNING", percent=50), item(4, "WARNING", percent=90),
            item(6, "BREACH"), item(8, "REMINDER", number=1)]
    servicer = FakeServicer(feed)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    sla_monitor_pb2_grpc.add_SlaMonitorServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}", servicer
    finally:
        server.stop(grace=0)


def test_run_watch_reconnects_resumes_and_stops_at_the_first_breach(
        fake_monitor: tuple[str, FakeServicer]) -> None:
    address, servicer = fake_monitor
    out, err = io.StringIO(), io.StringIO()
    code = run_watch(address, team="区民相談チーム", until_breach=True, timeout=20, out=out,
                     err=err, backoff=Backoff(initial=0.05, maximum=1.0))
    assert code == EXIT_OK, err.getvalue()
    lines = out.getvalue().splitlines()
    assert [line.split()[3] for line in lines] == ["WARNING", "WARNING", "BREACH"]
    assert all("区民相談チーム" in line for line in lines)
    first, second = servicer.requests.get_nowait(), servicer.requests.get_nowait()
    assert (first.team, first.after_position) == ("citizen-desk", 0)
    assert (second.team, second.after_position) == ("citizen-desk", 4)
    assert "UNAVAILABLE" in err.getvalue() and "resuming after position 4" in err.getvalue()
    assert "--after 6" in err.getvalue()


def test_run_watch_until_breach_times_out_with_exit_1(
        fake_monitor: tuple[str, FakeServicer]) -> None:
    address, _ = fake_monitor
    out, err = io.StringIO(), io.StringIO()
    code = run_watch(address, until_breach=True, timeout=1.0, after=6, out=out, err=err,
                     backoff=Backoff(initial=0.05, maximum=1.0))
    assert code == EXIT_NO_BREACH
    assert [line.split()[3] for line in out.getvalue().splitlines()] == ["REMINDER"]
    assert "no breach within 1 s" in err.getvalue()
