#!/usr/bin/env python3
"""Intake benchmark: concurrent ReceiveInquiry load plus end-to-end visibility in projections.

Drives ``--clients`` threads, each with its own gRPC channel, against an already running
Madoguchi (``madoguchi up``). Every call is a new inquiry (fresh uuid4 idempotency key). A
reply means the inquiry is durable, so the call latency is the write-path latency.

For every ``--e2e-sample``-th accepted reply, a separate pool of poller threads asks the
projections service for the new inquiry every 2 ms until it is visible (``NOT_FOUND``
until then); the time from the accepted reply to the first successful read is the
end-to-end latency. The pollers never block the load threads: the load threads only push
the inquiry id onto a heap.

Progress goes to stderr; the last line on stdout is one JSON object with the results.
Exit status: 0 when at most 1% of the measured requests (and of the e2e samples) failed,
1 when more failed or nothing was measured, 2 on bad usage, 3 when a service cannot be
reached, 130 when interrupted.

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import heapq
import ipaddress
import itertools
import json
import math
import os
import platform
import random
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

# Allow `python bench/intake.py` from a checkout without installing the package.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from latency_stats import ms, percentile, summarize  # noqa: E402  (bench/, beside this script)

from madoguchi.api.intake.v1 import intake_pb2, intake_pb2_grpc  # noqa: E402
from madoguchi.api.projections.v1 import projections_pb2, projections_pb2_grpc  # noqa: E402
from madoguchi.rpc.channels import open_channel  # noqa: E402

DEFAULT_INTAKE_PORT = 50051
DEFAULT_PROJECTIONS_PORT = 50052
MAX_ERROR_RATE = 0.01

# A separate subchannel pool per channel, so each client really has its own connection
# (grpc otherwise shares subchannels between channels with the same target and options).
CHANNEL_OPTIONS: list[tuple[str, int]] = [("grpc.use_local_subchannel_pool", 1)]

# Poll errors that mean "try again" rather than "this sample failed".
RETRYABLE_POLL_CODES = frozenset(
    {
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }
)


# --------------------------------------------------------------------------------------
# Realistic inquiries (municipal service desk)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Topic:
    category: str
    department: str
    subjects: tuple[str, ...]
    bodies: tuple[str, ...]


TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "住民票",
        "市民課",
        ("住民票の写しの取得方法について", "住民票をコンビニで取得したい", "住民票の郵送請求"),
        (
            "転職先に提出するため住民票の写しが必要です。本人確認書類は何が必要ですか。",
            "マイナンバーカードでコンビニ交付を利用したいのですが、暗証番号を忘れました。",
            "遠方に住んでいるため、住民票を郵送で請求したいです。手数料の支払方法を教えてください。",
        ),
    ),
    _Topic(
        "ごみ収集",
        "環境課",
        ("粗大ごみの出し方", "ごみの収集日を知りたい", "資源ごみが回収されていない"),
        (
            "引っ越しでタンスとベッドを処分したいです。粗大ごみの申込み方法と料金を教えてください。",
            "4月から転入しました。燃えるごみとプラスチックの収集日はいつですか。",
            "今朝出した資源ごみが回収されずに残っています。確認をお願いします。",
        ),
    ),
    _Topic(
        "戸籍",
        "市民課",
        ("戸籍謄本の請求について", "婚姻届の提出時間"),
        (
            "相続手続きのため、父の出生から死亡までの戸籍謄本が必要です。どこに請求すればよいですか。",
            "休日に婚姻届を提出できますか。必要な書類も教えてください。",
        ),
    ),
    _Topic(
        "国民健康保険",
        "保険年金課",
        ("国民健康保険の加入手続き", "保険証の再発行"),
        (
            "会社を退職しました。国民健康保険への加入手続きに必要なものを教えてください。",
            "保険証を紛失してしまいました。再発行の手続きと期間を知りたいです。",
        ),
    ),
    _Topic(
        "市税",
        "税務課",
        ("住民税の納付書が届かない", "固定資産税の口座振替"),
        (
            "住民税の納付書がまだ届いていません。納期限に間に合うか心配です。",
            "固定資産税を口座振替にしたいのですが、申込み方法を教えてください。",
        ),
    ),
    _Topic(
        "子育て支援",
        "子育て支援課",
        ("児童手当の申請について", "保育園の入園申込み"),
        (
            "先月子どもが生まれました。児童手当の申請期限と必要書類を教えてください。",
            "来年度の保育園入園を希望しています。申込みの締切はいつですか。",
        ),
    ),
)

FAMILY_NAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
GIVEN_NAMES = ("太郎", "花子", "健一", "美咲", "大輔", "由美", "翔太", "陽子", "直樹", "恵")


def make_request(rng: random.Random, client: int) -> intake_pb2.ReceiveInquiryRequest:
    """A new phone question with a fresh idempotency key, contacted now (UTC)."""
    topic = rng.choice(TOPICS)
    contacted_at = Timestamp()
    contacted_at.GetCurrentTime()  # UTC
    return intake_pb2.ReceiveInquiryRequest(
        idempotency_key=str(uuid.uuid4()),
        channel=intake_pb2.PHONE,
        kind=intake_pb2.QUESTION,
        contact=intake_pb2.Contact(
            name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
            phone=f"03-{rng.randrange(1000, 10000)}-{rng.randrange(1000, 10000)}",
            preferred_language="ja",
        ),
        subject=rng.choice(topic.subjects),
        body=rng.choice(topic.bodies),
        category=topic.category,
        department=topic.department,
        impact=intake_pb2.MEDIUM,
        urgency=intake_pb2.MEDIUM,
        agreement_id="bench",
        contacted_at=contacted_at,
        actor=f"bench-agent-{client:02d}",
    )


# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# End-to-end prober: a heap of pending inquiries served by its own thread pool
# --------------------------------------------------------------------------------------


@dataclass(order=True)
class _Probe:
    due: float
    seq: int
    inquiry_id: str = field(compare=False)
    replied_at: float = field(compare=False)
    deadline: float = field(compare=False)


class E2EProber:
    """Polls projections GetInquiry for each submitted inquiry until it becomes visible.

    ``submit`` only pushes onto a heap (cheap, never blocks on the network), so the load
    threads are not slowed by the polling. Each poller thread has its own channel.
    """

    def __init__(
        self,
        target: str,
        workers: int,
        interval_s: float,
        timeout_s: float,
        rpc_timeout_s: float,
    ) -> None:
        self._target = target
        self._interval = interval_s
        self._timeout = timeout_s
        self._rpc_timeout = rpc_timeout_s
        self._heap: list[_Probe] = []
        self._cond = threading.Condition()
        self._closed = False
        self._in_flight = 0
        self._seq = itertools.count()
        self.samples = 0
        self.latencies: list[float] = []
        self.timeouts = 0
        self.unfinished = 0  # still pending when the run ended (drain limit or Ctrl-C)
        self.errors = 0
        self.error_codes: Counter[str] = Counter()
        self.polls = 0
        self.lags: list[float] = []  # how late each poll started compared with its due time
        self._threads = [
            threading.Thread(target=self._worker, name=f"e2e-{i}", daemon=True)
            for i in range(workers)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def submit(self, inquiry_id: str, replied_at: float) -> None:
        probe = _Probe(
            due=replied_at,
            seq=next(self._seq),
            inquiry_id=inquiry_id,
            replied_at=replied_at,
            deadline=replied_at + self._timeout,
        )
        with self._cond:
            self.samples += 1
            heapq.heappush(self._heap, probe)
            self._cond.notify()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._in_flight

    @property
    def done(self) -> int:
        with self._cond:
            return len(self.latencies) + self.timeouts + self.errors

    def drain(self, limit_s: float) -> None:
        """Wait until every submitted probe is finished, at most ``limit_s`` seconds."""
        end = time.perf_counter() + limit_s
        while self.pending and time.perf_counter() < end:
            time.sleep(0.01)

    def close(self) -> None:
        """Stop the pollers; probes still pending are counted as unfinished."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=self._rpc_timeout + 1.0)
        with self._cond:
            self.unfinished += len(self._heap) + self._in_flight
            self._heap.clear()
            self._in_flight = 0

    def _next(self) -> _Probe | None:
        with self._cond:
            while not self._closed:
                if self._heap:
                    wait = self._heap[0].due - time.perf_counter()
                    if wait <= 0:
                        probe = heapq.heappop(self._heap)
                        self._in_flight += 1
                        self.lags.append(-wait)
                        return probe
                    self._cond.wait(wait)
                else:
                    self._cond.wait()
            return None

    def _finish(self, probe: _Probe, *, seen_at: float | None = None, error: str = "") -> None:
        with self._cond:
            self._in_flight -= 1
            if seen_at is not None:
                self.latencies.append(seen_at - probe.replied_at)
            elif error:
                self.errors += 1
                self.error_codes[error] += 1
            else:
                self.timeouts += 1

    def _retry(self, probe: _Probe, sent_at: float) -> None:
        probe.due = sent_at + self._interval
        probe.seq = next(self._seq)
        with self._cond:
            self._in_flight -= 1
            heapq.heappush(self._heap, probe)
            self._cond.notify()

    def _worker(self) -> None:
        channel = open_channel(self._target, options=CHANNEL_OPTIONS)
        stub = projections_pb2_grpc.InquiryQueryServiceStub(channel)
        try:
            while (probe := self._next()) is not None:
                self._poll(stub, probe)
        finally:
            channel.close()

    def _poll(self, stub: projections_pb2_grpc.InquiryQueryServiceStub, probe: _Probe) -> None:
        sent_at = time.perf_counter()
        remaining = probe.deadline - sent_at
        if remaining <= 0:
            self._finish(probe)  # timeout
            return
        with self._cond:
            self.polls += 1
        try:
            view = stub.GetInquiry(
                projections_pb2.GetInquiryRequest(inquiry_id=probe.inquiry_id),
                timeout=min(self._rpc_timeout, remaining),
            )
        except grpc.RpcError as exc:
            code = exc.code()  # type: ignore[attr-defined]
            if code in RETRYABLE_POLL_CODES:
                self._retry(probe, sent_at)
            else:
                self._finish(probe, error=code.name if code else "UNKNOWN")
            return
        seen_at = time.perf_counter()
        if view.inquiry_id != probe.inquiry_id:
            self._finish(probe, error="WRONG_INQUIRY")
        else:
            self._finish(probe, seen_at=seen_at)


# --------------------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------------------


@dataclass
class ClientStats:
    latencies: list[float] = field(default_factory=list)
    accepted: int = 0
    errors: int = 0
    replayed: int = 0
    warmup_calls: int = 0
    warmup_errors: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)
    last_end: float = 0.0


class LoadControl:
    """Shared schedule: warm-up end, measurement end, the request budget and sampling."""

    def __init__(
        self,
        measure_start: float,
        measure_end: float,
        requests: int | None,
        e2e_every: int,
        prober: E2EProber | None,
    ) -> None:
        self.measure_start = measure_start
        self.measure_end = measure_end  # hard end in both modes
        self.stop = threading.Event()
        self._budget = requests
        self._sent = 0
        self._accepted = 0
        self._lock = threading.Lock()
        self._e2e_every = e2e_every
        self._prober = prober

    def take_ticket(self) -> bool:
        """A measured request may be sent (always true in duration mode)."""
        if self._budget is None:
            return True
        with self._lock:
            if self._sent >= self._budget:
                self.stop.set()
                return False
            self._sent += 1
            return True

    def accepted(self, inquiry_id: str, replied_at: float) -> None:
        if self._prober is None or not self._e2e_every:
            return
        with self._lock:
            self._accepted += 1
            sample = self._accepted % self._e2e_every == 0
        if sample:
            self._prober.submit(inquiry_id, replied_at)


def run_client(
    index: int,
    target: str,
    control: LoadControl,
    stats: ClientStats,
    rpc_timeout_s: float,
    seed: int,
) -> None:
    rng = random.Random(seed * 1000 + index)
    channel = open_channel(target, options=CHANNEL_OPTIONS)
    stub = intake_pb2_grpc.IntakeServiceStub(channel)
    try:
        while not control.stop.is_set():
            request = make_request(rng, index)
            started = time.perf_counter()
            if started >= control.measure_end:
                break
            measured = started >= control.measure_start
            if measured and not control.take_ticket():
                break
            try:
                reply = stub.ReceiveInquiry(request, timeout=rpc_timeout_s)
            except grpc.RpcError as exc:
                ended = time.perf_counter()
                code = exc.code()  # type: ignore[attr-defined]
                if measured:
                    stats.errors += 1
                    stats.error_codes[code.name if code else "UNKNOWN"] += 1
                    stats.last_end = ended
                else:
                    stats.warmup_errors += 1
                if code == grpc.StatusCode.UNAVAILABLE:
                    control.stop.wait(0.05)  # do not spin against a server that is down
                continue
            ended = time.perf_counter()
            if not measured:
                stats.warmup_calls += 1
                continue
            stats.last_end = ended
            inquiry_id = reply.inquiry.inquiry_id
            if not inquiry_id:
                stats.errors += 1
                stats.error_codes["EMPTY_INQUIRY_ID"] += 1
                continue
            stats.latencies.append(ended - started)
            stats.accepted += 1
            if reply.replayed:
                stats.replayed += 1  # should never happen with fresh keys
            control.accepted(inquiry_id, ended)
    finally:
        channel.close()


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def _default_target(env_var: str, default_port: int) -> str:
    port = os.environ.get(env_var, "").strip() or str(default_port)
    return f"127.0.0.1:{port}"


def _host_of(target: str) -> str:
    host = target
    for scheme in ("dns:", "ipv4:", "ipv6:"):
        if host.startswith(scheme):
            host = host[len(scheme) :].rsplit("/", 1)[-1]
            break
    if host.startswith("["):
        return host[1 : host.find("]")]
    if host.count(":") == 1:
        return host.rsplit(":", 1)[0]
    return host


def is_loopback(target: str) -> bool:
    host = _host_of(target)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be zero or more, got {text!r}")
    return value


def _int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/intake.py",
        description=(
            "Benchmark Madoguchi intake: concurrent ReceiveInquiry calls, and end-to-end "
            "latency until each inquiry is visible in projections. Progress goes to stderr; "
            "the last stdout line is a JSON object with the results."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--intake",
        default=_default_target("MADOGUCHI_INTAKE_PORT", DEFAULT_INTAKE_PORT),
        help="intake gRPC address (port from MADOGUCHI_INTAKE_PORT if set)",
    )
    parser.add_argument(
        "--projections",
        default=_default_target("MADOGUCHI_PROJECTIONS_PORT", DEFAULT_PROJECTIONS_PORT),
        help="projections gRPC address (port from MADOGUCHI_PROJECTIONS_PORT if set)",
    )
    parser.add_argument(
        "--clients",
        type=_int_range(1, 512),
        default=8,
        help="concurrent client threads, each with its own channel",
    )
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument(
        "--duration",
        type=_positive_float,
        default=None,
        help="measured seconds (default 20 unless --requests is given)",
    )
    amount.add_argument(
        "--requests",
        type=_int_range(1, 100_000_000),
        default=None,
        help="measured requests in total instead of a duration",
    )
    parser.add_argument(
        "--max-duration",
        type=_positive_float,
        default=600.0,
        help="with --requests: stop measuring after this many seconds regardless",
    )
    parser.add_argument(
        "--warmup", type=_non_negative_float, default=2.0, help="seconds of load not counted"
    )
    parser.add_argument(
        "--e2e-sample",
        type=_int_range(0, 1_000_000),
        default=1,
        metavar="K",
        help="measure end-to-end for every K-th accepted request (0: off)",
    )
    parser.add_argument(
        "--e2e-pollers", type=_int_range(1, 256), default=4, help="poller threads for e2e"
    )
    parser.add_argument(
        "--e2e-interval-ms",
        type=_positive_float,
        default=2.0,
        help="delay between polls of one inquiry",
    )
    parser.add_argument(
        "--e2e-timeout",
        type=_positive_float,
        default=30.0,
        help="seconds until an inquiry not yet visible counts as an e2e failure",
    )
    parser.add_argument(
        "--rpc-timeout", type=_positive_float, default=10.0, help="deadline of each RPC, seconds"
    )
    parser.add_argument(
        "--connect-timeout",
        type=_positive_float,
        default=5.0,
        help="seconds to wait for the services to accept connections",
    )
    parser.add_argument(
        "--progress-interval",
        type=_positive_float,
        default=2.0,
        help="seconds between progress lines on stderr",
    )
    parser.add_argument("--label", default="", help="free text copied into the JSON result")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated content")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow non-loopback targets (by default only 127.0.0.0/8, ::1, localhost)",
    )
    args = parser.parse_args(argv)
    if args.duration is None and args.requests is None:
        args.duration = 20.0
    if not args.allow_remote:
        for name in ("intake", "projections"):
            target = getattr(args, name)
            if not is_loopback(target):
                parser.error(
                    f"--{name} {target} is not a loopback address; pass --allow-remote to "
                    "benchmark another host"
                )
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _wait_ready(target: str, timeout_s: float) -> bool:
    channel = open_channel(target, options=CHANNEL_OPTIONS)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout_s)
        return True
    except grpc.FutureTimeoutError:
        return False
    finally:
        channel.close()


def run(args: argparse.Namespace) -> int:
    e2e_on = args.e2e_sample > 0
    targets = [("intake", args.intake)] + ([("projections", args.projections)] if e2e_on else [])
    for name, target in targets:
        if not _wait_ready(target, args.connect_timeout):
            log(f"error: {name} at {target} not reachable within {args.connect_timeout:g}s")
            return 3

    prober: E2EProber | None = None
    if e2e_on:
        prober = E2EProber(
            args.projections,
            workers=args.e2e_pollers,
            interval_s=args.e2e_interval_ms / 1000.0,
            timeout_s=args.e2e_timeout,
            rpc_timeout_s=args.rpc_timeout,
        )
        prober.start()

    started_wall = datetime.now(UTC)
    begin = time.perf_counter()
    measure_start = begin + args.warmup
    window = args.duration if args.duration is not None else args.max_duration
    control = LoadControl(
        measure_start=measure_start,
        measure_end=measure_start + window,
        requests=args.requests,
        e2e_every=args.e2e_sample,
        prober=prober,
    )
    stats = [ClientStats() for _ in range(args.clients)]
    threads = [
        threading.Thread(
            target=run_client,
            args=(i, args.intake, control, stats[i], args.rpc_timeout, args.seed),
            name=f"client-{i}",
            daemon=True,
        )
        for i in range(args.clients)
    ]
    amount = f"{args.duration:g}s" if args.duration is not None else f"{args.requests} requests"
    log(
        f"bench: {args.clients} clients -> {args.intake}, warm-up {args.warmup:g}s, {amount}, "
        f"e2e every {args.e2e_sample or '-'} via {args.projections if e2e_on else '-'}"
    )
    for thread in threads:
        thread.start()

    interrupted = False
    last_report = begin
    last_accepted = 0
    try:
        while any(t.is_alive() for t in threads):
            now = time.perf_counter()
            if now >= control.measure_end:
                control.stop.set()
                break
            if now - last_report >= args.progress_interval:
                accepted = sum(s.accepted for s in stats)
                rate = (accepted - last_accepted) / (now - last_report)
                phase = "measure" if now >= measure_start else "warm-up"
                e2e = (
                    f" e2e done={prober.done} pending={prober.pending} timeouts={prober.timeouts}"
                    if prober
                    else ""
                )
                log(
                    f"[{now - begin:7.1f}s] {phase:7s} accepted={accepted} ({rate:.1f}/s) "
                    f"errors={sum(s.errors for s in stats)} "
                    f"warm-up={sum(s.warmup_calls for s in stats)}{e2e}"
                )
                last_report, last_accepted = now, accepted
            time.sleep(0.05)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: stopping")
    control.stop.set()
    for thread in threads:
        thread.join(timeout=args.rpc_timeout + 1.0)

    if prober is not None:
        if not interrupted:
            if prober.pending:
                log(f"waiting for {prober.pending} inquiries to appear in projections")
            try:
                prober.drain(args.e2e_timeout + args.rpc_timeout + 1.0)
            except KeyboardInterrupt:
                interrupted = True
        prober.close()

    result = build_result(args, stats, prober, measure_start, started_wall, interrupted)
    log(
        f"done: {result['accepted']} accepted, {result['errors']} errors, "
        f"{result['accepted_per_s']}/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"e2e p50 {result['e2e_p50_ms']} ms, e2e p99 {result['e2e_p99_ms']} ms"
    )
    lag_p99 = result["e2e_poll_lag_p99_ms"]
    if isinstance(lag_p99, float) and lag_p99 > 5 * args.e2e_interval_ms:
        log(
            f"warning: e2e polls started up to {lag_p99} ms late (p99): the pollers could not "
            "keep up, so e2e figures are inflated; use a larger --e2e-sample or --e2e-pollers"
        )
    print(json.dumps(result, ensure_ascii=False), flush=True)
    if interrupted:
        return 130
    return 0 if result["ok"] else 1


def build_result(
    args: argparse.Namespace,
    stats: list[ClientStats],
    prober: E2EProber | None,
    measure_start: float,
    started_wall: datetime,
    interrupted: bool,
) -> dict[str, object]:
    latencies = [value for s in stats for value in s.latencies]
    accepted = sum(s.accepted for s in stats)
    errors = sum(s.errors for s in stats)
    requests = accepted + errors
    error_codes: Counter[str] = Counter()
    for s in stats:
        error_codes.update(s.error_codes)
    last_end = max((s.last_end for s in stats), default=0.0)
    elapsed = max(0.0, last_end - measure_start) if requests else 0.0

    e2e_samples = prober.samples if prober else 0
    lags = sorted(prober.lags) if prober else []
    e2e_timeouts = prober.timeouts if prober else 0
    e2e_errors = prober.errors if prober else 0
    e2e_unfinished = prober.unfinished if prober else 0
    e2e_failed = e2e_timeouts + e2e_errors + e2e_unfinished

    error_rate = errors / requests if requests else None
    e2e_failure_rate = e2e_failed / e2e_samples if e2e_samples else None
    ok = (
        requests > 0
        and error_rate is not None
        and error_rate <= MAX_ERROR_RATE
        and (e2e_failure_rate is None or e2e_failure_rate <= MAX_ERROR_RATE)
    )
    truncated = args.requests is not None and requests < args.requests

    result: dict[str, object] = {
        "label": args.label,
        "started_at": started_wall.isoformat(timespec="seconds"),
        "intake": args.intake,
        "projections": args.projections if prober else None,
        "clients": args.clients,
        "mode": "duration" if args.duration is not None else "requests",
        "warmup_s": args.warmup,
        "duration_s": round(elapsed, 3),
        "requests": requests,
        "accepted": accepted,
        "errors": errors,
        "error_rate": None if error_rate is None else round(error_rate, 6),
        "errors_by_code": dict(error_codes),
        "replayed": sum(s.replayed for s in stats),
        "warmup_requests": sum(s.warmup_calls + s.warmup_errors for s in stats),
        "accepted_per_s": round(accepted / elapsed, 1) if elapsed > 0 else 0.0,
        **summarize(latencies, ""),
        "e2e_sample_every": args.e2e_sample,
        "e2e_samples": e2e_samples,
        "e2e_visible": len(prober.latencies) if prober else 0,
        "e2e_timeouts": e2e_timeouts,
        "e2e_unfinished": e2e_unfinished,
        "e2e_errors": e2e_errors,
        "e2e_errors_by_code": dict(prober.error_codes) if prober else {},
        **summarize(prober.latencies if prober else [], "e2e_"),
        "e2e_polls": prober.polls if prober else 0,
        "e2e_poll_interval_ms": args.e2e_interval_ms,
        "e2e_poll_lag_p50_ms": ms(percentile(lags, 50)),
        "e2e_poll_lag_p99_ms": ms(percentile(lags, 99)),
        "e2e_timeout_s": args.e2e_timeout,
        "truncated": truncated,
        "interrupted": interrupted,
        "ok": ok,
        "python": platform.python_version(),
        "grpcio": grpc.__version__,
    }
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
