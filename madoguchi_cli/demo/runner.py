"""Sends the day's scenarios to intake in time order, skipping steps a re-run finds stored."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import grpc

from madoguchi.api.intake.v1 import intake_pb2, intake_pb2_grpc
from madoguchi_cli.demo.live_plan import LIVE_LABELS, live_expectation
from madoguchi_cli.demo.requests import build_request, inquiry_versions
from madoguchi_cli.demo.scenario import RPC_TIMEOUT_SECONDS, TOKYO, WORKERS, Action, Scenario, Step
from madoguchi_cli.watch import (
    fit,
)

_OPEN_STATUSES = frozenset({
    intake_pb2.RECEIVED, intake_pb2.RESPONDED, intake_pb2.ASSIGNED, intake_pb2.ESCALATED,
    intake_pb2.ON_HOLD,
})
_RESOLVED_STATUSES = frozenset({intake_pb2.RESOLVED, intake_pb2.CLOSED})


@dataclass
class _State:
    """What the runner knows about one scenario's inquiry."""

    inquiry_id: str = ""
    stored_version: int = 0           # the version found when ReceiveInquiry was replayed
    inquiry: Any = None               # the latest intake_pb2.Inquiry seen
    error: str = ""


class Runner:
    """Sends the scenarios' steps in time order; each inquiry's steps stay in order."""

    def __init__(self, stub: intake_pb2_grpc.IntakeServiceStub, scenarios: list[Scenario],
                 out: TextIO) -> None:
        self.stub = stub
        self.scenarios = scenarios
        self.out = out
        self.states = [_State() for _ in scenarios]
        self.versions = [inquiry_versions(s) for s in scenarios]
        self.lock = threading.Lock()
        self.counts = {"calls": 0, "stored": 0, "replayed": 0, "failed": 0}
        self.hour: dict[str, int] = {}
        self.errors: list[str] = []

    def _count(self, name: str, bucket: dict[str, int] | None = None) -> None:
        with self.lock:
            target = self.counts if bucket is None else bucket
            target[name] = target.get(name, 0) + 1

    def run(self) -> dict[str, int]:
        order = sorted(
            ((step.at, s.index, n) for s in self.scenarios for n, step in enumerate(s.steps)),
        )
        previous: dict[int, Future[None]] = {}
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="demo") as pool:
            position = 0
            while position < len(order):
                hour = order[position][0].astimezone(TOKYO).hour
                batch: list[Future[None]] = []
                self.hour = {}
                while position < len(order) and \
                        order[position][0].astimezone(TOKYO).hour == hour:
                    _, index, n = order[position]
                    future = pool.submit(self._run_step, index, n, previous.get(index))
                    previous[index] = future
                    batch.append(future)
                    position += 1
                wait(batch)
                for future in batch:   # a bug in the demo itself: do not hide it
                    if future.exception() is not None:
                        raise future.exception()  # type: ignore[misc]
                self._print_hour(hour)
        return self._summary()

    def _run_step(self, index: int, n: int, before: Future[None] | None) -> None:
        # The pool takes tasks in submission order, so ``before`` is running or done.
        if before is not None:
            before.result()
        scenario, state = self.scenarios[index], self.states[index]
        step = scenario.steps[n]
        if state.error:
            return
        version = self.versions[index][n]
        if version is not None and version <= state.stored_version:
            self._count("replayed")   # stored by an earlier run: the inquiry's version says so
            self._count(step.action)
            self._count(step.action, self.hour)
            return
        request = build_request(scenario, step, state.inquiry_id)
        method: Callable[..., Any] = getattr(self.stub, step.action.value)
        try:
            reply = method(request, timeout=RPC_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            details = error.details() if isinstance(error, grpc.Call) else str(error)
            state.error = f"#{index} {step.action.value} ({step.key}): {code} {details}"
            with self.lock:
                self.counts["failed"] += 1
                self.errors.append(state.error)
            return
        self._count("calls")
        self._count("replayed" if reply.replayed else "stored")
        self._count(step.action)
        self._count(step.action, self.hour)
        if step.action == Action.RECEIVE_INQUIRY:
            state.inquiry_id = reply.inquiry.inquiry_id
            if reply.replayed:
                state.stored_version = reply.inquiry.version
        if step.action != Action.RECORD_CONTACT_ATTEMPT:
            state.inquiry = reply.inquiry

    def _print_hour(self, hour: int) -> None:
        h = self.hour
        print(f"  {hour:02d}時台  受付 received {h.get(Action.RECEIVE_INQUIRY, 0):3d}  "
              f"解決 resolved {h.get(Action.RESOLVE, 0):3d}  "
              f"エスカレーション escalated {h.get(Action.ESCALATE, 0):2d}  "
              f"通話記録 call records {h.get(Action.RECORD_CONTACT_ATTEMPT, 0):3d}",
              file=self.out, flush=True)

    def _summary(self) -> dict[str, int]:
        inquiries = [st.inquiry for st in self.states if st.inquiry is not None]
        return {
            "inquiries": len(inquiries),
            "attempts": self.counts.get(Action.RECORD_CONTACT_ATTEMPT, 0),
            "abandoned": sum(1 for s in self.scenarios if not s.creates_inquiry),
            "resolved": sum(1 for i in inquiries if i.status in _RESOLVED_STATUSES),
            "closed": sum(1 for i in inquiries if i.status == intake_pb2.CLOSED),
            "escalated": sum(1 for i in inquiries if i.escalation_count > 0),
            "open": sum(1 for i in inquiries if i.status in _OPEN_STATUSES),
            "calls": self.counts["calls"],
            "stored": self.counts["stored"],
            "replayed": self.counts["replayed"],
            "failed": self.counts["failed"],
        }


# --------------------------------------------------------------------------------------
# Live: send now, watch the SLA monitor
# --------------------------------------------------------------------------------------


def rpc_error(error: grpc.RpcError) -> str:
    if isinstance(error, grpc.Call):
        code = error.code()
        return f"{code.name if code else 'error'} {error.details() or ''}".strip()
    return str(error)


def _describe(step: Step) -> str:
    p = step.params
    match step.action:
        case Action.RECEIVE_INQUIRY:
            return "受付 received"
        case Action.RECORD_FIRST_RESPONSE:
            return f"初回応答 first response ({p['channel']})"
        case Action.RESOLVE:
            return f"解決 resolved ({p['resolution_code']})"
        case Action.PUT_ON_HOLD:
            return f"保留 on hold {p['reason']}: {p['note']}"
    return step.action.value


class LiveSender:
    """Sends the live scenarios: the receipts at once, later steps when they fall due."""

    def __init__(self, stub: intake_pb2_grpc.IntakeServiceStub, scenarios: list[Scenario],
                 say: Callable[[str], None]) -> None:
        self.stub = stub
        self.scenarios = scenarios
        self.say = say
        self.states = [_State() for _ in scenarios]
        self.versions = [inquiry_versions(s) for s in scenarios]
        self.counts = {"stored": 0, "replayed": 0, "failed": 0}
        self.errors: list[str] = []
        self.stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _send(self, index: int, n: int) -> bool:
        scenario, state, step = self.scenarios[index], self.states[index], \
            self.scenarios[index].steps[n]
        if state.error:
            return False
        version = self.versions[index][n]
        if version is not None and version <= state.stored_version:
            self.counts["replayed"] += 1     # stored by an earlier try of this run
            return True
        method: Callable[..., Any] = getattr(self.stub, step.action.value)
        try:
            reply = method(build_request(scenario, step, state.inquiry_id),
                           timeout=RPC_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            state.error = f"{LIVE_LABELS[scenario.outcome]} {step.action.value} " \
                          f"({step.key}): {rpc_error(error)}"
            self.counts["failed"] += 1
            self.errors.append(state.error)
            self.say(f"  エラー error: {state.error}")
            return False
        self.counts["replayed" if reply.replayed else "stored"] += 1
        if step.action == Action.RECEIVE_INQUIRY:
            state.inquiry_id = reply.inquiry.inquiry_id
            if reply.replayed:
                state.stored_version = reply.inquiry.version
        state.inquiry = reply.inquiry
        return True

    def receive_all(self) -> dict[str, str]:
        """Send every receipt now; return inquiry id → the scenario's letter (A, B, C)."""
        ids: dict[str, str] = {}
        for index, scenario in enumerate(self.scenarios):
            if not self._send(index, 0):
                continue
            state = self.states[index]
            ids[state.inquiry_id] = LIVE_LABELS[scenario.outcome][0]
            priority = intake_pb2.Priority.Name(state.inquiry.priority)
            self.say(f"  {fit(LIVE_LABELS[scenario.outcome], 20)} {scenario.channel:<8} "
                     f"{priority} {scenario.subject}  inquiry {state.inquiry_id[:8]}…\n"
                     f"  {'':<20} → {live_expectation(scenario)}")
        return ids

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow_ups, name="demo-live",
                                        daemon=True)
        self._thread.start()

    def _follow_ups(self) -> None:
        order = sorted((step.at, index, n) for index, scenario in enumerate(self.scenarios)
                       for n, step in enumerate(scenario.steps) if n > 0)
        for at, index, n in order:
            delay = (at - datetime.now(UTC)).total_seconds()
            if delay > 0 and self.stop.wait(delay):
                return
            if self._send(index, n):
                scenario = self.scenarios[index]
                self.say(f"  {at.astimezone(TOKYO):%H:%M:%S} {LIVE_LABELS[scenario.outcome]}: "
                         f"{_describe(scenario.steps[n])}")

    def pending(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()


