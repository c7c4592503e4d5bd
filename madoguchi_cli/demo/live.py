"""The live part: sends the live inquiries' steps when due and follows ``WatchAlerts``."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import monotonic
from typing import TextIO

import grpc

from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.api.sla.v1 import sla_monitor_pb2 as sla_pb2
from madoguchi.rpc.channels import open_channel
from madoguchi_cli.demo.live_plan import LIVE_LABELS, live_prefix, plan_live
from madoguchi_cli.demo.runner import LiveSender, rpc_error
from madoguchi_cli.demo.scenario import (
    LIVE_AGREEMENT,
    LIVE_FIRST_RESPONSE_SECONDS,
    LIVE_RESOLUTION_SECONDS,
    LIVE_WARNING_PERCENTS,
    MONITOR_READY_SECONDS,
    RPC_TIMEOUT_SECONDS,
    WATCH_SECONDS,
    Outcome,
)
from madoguchi_cli.watch import (
    AlertStream,
    TeamNames,
    format_item,
    stream_opener,
    watch_stub,
)


def _monitor_problem(address: str) -> str:
    """Why the live watch cannot run against the SLA monitor at ``address`` ("" if it can)."""
    channel = open_channel(address)
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=MONITOR_READY_SECONDS)
        except grpc.FutureTimeoutError:
            return f"no SLA monitor answers at {address}"
        try:
            agreement = watch_stub(channel).GetAgreement(
                sla_pb2.GetAgreementRequest(agreement_id=LIVE_AGREEMENT),
                timeout=RPC_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            if isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.NOT_FOUND:
                return (f"the SLA monitor at {address} has no agreement {LIVE_AGREEMENT} (it "
                        "is seeded on the embedded default); the live inquiries are measured "
                        "under the default agreement, which does not breach within minutes")
            return f"the SLA monitor at {address} did not answer: {rpc_error(error)}"
        if agreement.retired:
            return f"agreement {LIVE_AGREEMENT} is retired on the SLA monitor at {address}"
        return ""
    finally:
        channel.close()


@dataclass
class _WatchResult:
    breach_after: float | None = None       # seconds from the receipts to the first breach
    historical: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0


def _watch_live(address: str, live_ids: dict[str, str], received_at: datetime,
                seconds: float, say: Callable[[str], None]) -> _WatchResult:
    """Print the feed items of the live inquiries until the first breach or ``seconds``."""
    result = _WatchResult()
    channel = open_channel(address)
    stub = watch_stub(channel)
    names = TeamNames(stub)
    names.refresh()

    def on_retry(reason: str, delay: float, position: int) -> None:
        say(f"  監視 watch: {reason}; reconnecting in {delay:.1f} s"
            + (f", resuming after position {position}" if position else ""))

    stream = AlertStream(stream_opener(stub, include_stops=True),
                         deadline=monotonic() + seconds, on_retry=on_retry)
    try:
        for item in stream:
            letter = live_ids.get(item.inquiry_id)
            if letter is None:
                if item.kind in ("WARNING", "BREACH"):
                    result.historical[item.kind] += 1
                continue
            say(f"  ▶ {letter} {format_item(item, names.lookup(item.team))}")
            if item.kind == "BREACH":
                result.breach_after = (datetime.now(UTC) - received_at).total_seconds()
                break
    except grpc.RpcError as error:
        say(f"  監視 watch stopped: {rpc_error(error)}")
    finally:
        result.reconnects = stream.reconnects
        stream.close()
        channel.close()
    return result


def _hold_clock(address: str, inquiry_id: str, timeout: float = 5.0) -> str:
    """The on-hold inquiry's resolution clock as the monitor reports it ("" if unknown)."""
    with open_channel(address) as channel:
        stub = watch_stub(channel)
        until = monotonic() + timeout
        clocks = None
        while True:
            try:
                clocks = stub.GetInquiryClocks(
                    sla_pb2.GetInquiryClocksRequest(inquiry_id=inquiry_id),
                    timeout=RPC_TIMEOUT_SECONDS)
            except grpc.RpcError:
                clocks = None
            if (clocks is not None and clocks.hold_reason) or monotonic() >= until:
                break
            threading.Event().wait(0.5)    # the monitor may still be applying the hold
    if clocks is None:
        return ""
    for clock in clocks.clocks:
        if clock.target == "RESOLUTION" and clock.state != "STOPPED":
            return (f"解決 resolution clock {clock.state} at {clock.elapsed_seconds:.0f} s of "
                    f"{clock.target_seconds} s ({clocks.hold_reason or 'not on hold yet'})")
    return ""


def run_live(stub: intake_pb2_grpc.IntakeServiceStub, sla_monitor_address: str, *,
             watch: bool = True, watch_seconds: float = WATCH_SECONDS,
             out: TextIO = sys.stdout, now: datetime | None = None) -> dict[str, int]:
    """Send the live inquiries, watch the monitor for their alerts; return counts."""
    lock = threading.Lock()

    def say(text: str) -> None:
        with lock:
            print(text, file=out, flush=True)

    start = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    scenarios = plan_live(start)
    say(f"ライブ live: {len(scenarios)} 件 inquiries now under agreement {LIVE_AGREEMENT} "
        f"(初回応答 first response {LIVE_FIRST_RESPONSE_SECONDS // 60} min, 解決 resolution "
        f"{LIVE_RESOLUTION_SECONDS // 60} min, 警告 warnings at "
        f"{' and '.join(f'{p} %' for p in LIVE_WARNING_PERCENTS)})\n"
        f"  keys {live_prefix(start)}-*: the run's start time, so a retry within this run "
        "stores nothing twice; every run adds its own live inquiries")
    problem = _monitor_problem(sla_monitor_address) if watch else ""
    sender = LiveSender(stub, scenarios, say)
    counts = {"live_inquiries": 0, "live_stored": 0, "live_replayed": 0, "live_failed": 0,
              "live_breach": 0, "historical_alerts": 0}
    result = _WatchResult()
    try:
        live_ids = sender.receive_all()
        counts["live_inquiries"] = len(live_ids)
        sender.start()
        if not watch:
            say("  監視 watch skipped (--no-watch); sending the remaining live steps (about "
                "40 s). Follow the alerts with: madoguchi watch --until-breach")
        elif problem:
            say(f"  注意 note: {problem}. Skipping the watch; the live inquiries are in "
                "intake and the monitor measures them once it runs (madoguchi watch).")
        elif live_ids:
            say(f"監視 watching the SLA monitor at {sla_monitor_address} for their alerts, "
                f"until the first breach (at most {watch_seconds:g} s; --no-watch skips "
                "this) …")
            result = _watch_live(sla_monitor_address, live_ids, start, watch_seconds, say)
        if sender.pending():
            say("  … sending the remaining live steps")
        sender.join()
    except KeyboardInterrupt:
        sender.stop.set()
        say("  中断 interrupted: the remaining live steps were not sent")
        return {**counts, **{f"live_{k}": v for k, v in sender.counts.items()}}
    counts.update({f"live_{k}": v for k, v in sender.counts.items()})
    counts["historical_alerts"] = sum(result.historical.values())
    if result.breach_after is not None:
        counts["live_breach"] = 1
        say(f"  違反 breach {result.breach_after:.0f} s after receipt: the on-call team is "
            "alerted; its alert reminds every minute and escalates until acknowledged or "
            "answered. Follow it with: madoguchi watch")
    elif watch and not problem and live_ids:
        say(f"  監視 no breach within {watch_seconds:g} s (is the SLA monitor consuming the "
            "inquiry events? madoguchi status)")
    if result.historical:
        say(f"  過去分 historical: {result.historical['BREACH']} breaches and "
            f"{result.historical['WARNING']} warnings of earlier inquiries arrived during "
            "the watch (raised at once as the monitor caught up; not listed here)")
    on_hold = next((sender.states[s.index] for s in scenarios
                    if s.outcome == Outcome.LIVE_ON_HOLD), None)
    if watch and not problem and on_hold is not None and on_hold.inquiry_id:
        clock = _hold_clock(sla_monitor_address, on_hold.inquiry_id)
        if clock:
            say(f"  {LIVE_LABELS[Outcome.LIVE_ON_HOLD]}: {clock}")
    return counts


