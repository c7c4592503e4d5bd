#!/usr/bin/env python3
"""SLA monitor benchmark: N open clocks, deadlines spread over minutes, alert latency.

What it does, in order (details and the meaning of every figure: bench/README.md):

1. starts the embedded broker on a free port (unless ``--bootstrap``), creates unique
   topics, and starts the monitor as its own process (``python -m madoguchi_cli serve
   sla_monitor``) with a fresh data directory (SQLite) or ``--database-url``, seeded with
   one default 24×7 agreement (``bench-24x7``, no warning thresholds);
2. produces ``--clocks / 2`` ``InquiryReceived`` records straight to the inquiries topic,
   Avro-encoded exactly as intake publishes them (each inquiry opens two clocks:
   FIRST_RESPONSE, and RESOLUTION with a one-week target that stays open);
3. waits until the monitor has applied every record (gRPC ``GetInquiryClocks`` answers
   for the highest-offset inquiry of every partition; each partition is applied in
   offset order) and counts the open clocks in the monitor's database;
4. the FIRST_RESPONSE deadlines fall uniformly (seeded) in a window of ``--spread``
   seconds that starts ``--lead`` seconds after the first record was produced, i.e.
   after the load; a consumer (no group, all partitions) reads the signals topic and,
   for every ``SlaBreached``, takes (time received) − ``due_at`` as the alert latency.

Progress goes to stderr; the last line on stdout is one JSON object with the results.
Exit status: 0 every expected breach arrived exactly once, 1 breaches missing or
duplicated (or the load overran the window), 2 bad usage or a database that is not
empty, 3 the monitor or the broker did not start, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

# Allow `python bench/sla.py` from a checkout without installing the package.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from kafka import KafkaProducer, TopicPartition  # noqa: E402
from latency_stats import ms, percentile, summarize  # noqa: E402  (bench/, beside this script)
from run_support import (  # noqa: E402
    CITIZEN_SUBJECTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    Interrupted,
    StoppableThread,
    TopicReader,
    add_common_arguments,
    broker_for,
    catch_interrupts,
    closing_fields,
    cpu_seconds,
    event_type_of,
    log,
    opening_fields,
    print_result,
    read_proc_status,
    redact,
    reject,
    remove_temp,
    restore_handlers,
    source_commit,
    window_slices,
)

from madoguchi.api.sla.v1 import sla_monitor_pb2, sla_monitor_pb2_grpc  # noqa: E402
from madoguchi.broker import EmbeddedBroker, terminate  # noqa: E402
from madoguchi.eventstream.avro import default_catalog  # noqa: E402
from madoguchi.eventstream.records import event_headers, event_id_for  # noqa: E402
from madoguchi.eventstream.topics import ensure_topics  # noqa: E402
from madoguchi.rpc.channels import open_channel  # noqa: E402
from madoguchi.storage.urls import parse_database_url  # noqa: E402

AGREEMENT_ID = "bench-24x7"
RESOLUTION_MINUTES = 7 * 24 * 60       # one week: stays open during any run
INQUIRY_NAMESPACE = uuid.UUID("6f1d7c1e-2f0b-4d5e-9a39-6d8f0e2b9a11")  # as intake's
P99_TARGET_MS = 1000.0
ASSUMED_APPLY_RATE = 1000.0            # inquiries/s the auto lead plans for (see README)

# The first six subjects of the citizens' desk: the ones this bench has always drawn from.
SUBJECTS = CITIZEN_SUBJECTS[:6]


# --------------------------------------------------------------------------------------
# The monitor process
# --------------------------------------------------------------------------------------


def seed_document(first_response_minutes: int) -> dict[str, Any]:
    every_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {
        "_about": "bench/sla.py: one default 24x7 agreement, no warnings, no on-call set-up",
        "agreements": [{
            "agreement_id": AGREEMENT_ID,
            "default": True,
            "terms": {
                "name": "Benchmark: 24x7, breaches only",
                "customer": "bench",
                "calendar": {"time_zone": "Asia/Tokyo",
                             "weekly_hours": {d: ["00:00-24:00"] for d in every_day},
                             "holiday_country": "", "closures": []},
                "targets": [{"priority": p, "first_response_minutes": first_response_minutes,
                             "resolution_minutes": RESOLUTION_MINUTES, "update_minutes": 0}
                            for p in ("P1", "P2", "P3", "P4", "P5")],
                "warning_percents": [],
                "reminder_minutes": 0,
            },
        }],
    }


class RssSampler(StoppableThread):
    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__("rss-sampler")
        self.pid = pid
        self.interval = interval
        self.max_kb = 0

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.max_kb = max(self.max_kb, read_proc_status(self.pid).get("VmRSS", 0))


class Monitor:
    """``python -m madoguchi_cli serve sla_monitor`` with its own environment and log file."""

    def __init__(self, env: dict[str, str], log_file: Path) -> None:
        self.env = env
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None
        self.address = ""

    def start(self) -> None:
        out = open(self.log_file, "ab")  # noqa: SIM115 (the child keeps it)
        try:
            # Own session: Ctrl-C in the terminal reaches the bench only, which then stops
            # the monitor with SIGTERM, the way the launcher does.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "madoguchi_cli", "serve", "sla_monitor"],
                cwd=_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            out.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log_text(self) -> str:
        try:
            return self.log_file.read_text("utf-8", errors="replace")
        except OSError:
            return ""

    def wait_ready(self, timeout: float) -> None:
        """Until the gRPC server is up and the consumer holds its partitions."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the monitor exited ({self.process.returncode}); "
                                   f"see {self.log_file}")
            text = self.log_text()
            ready = re.search(r"sla_monitor ready on (\S+)", text)
            if ready and ": assigned " in text:
                self.address = ready.group(1)
                return
            time.sleep(0.1)
        raise TimeoutError(f"the monitor was not ready within {timeout:g} s; see {self.log_file}")

    def stop(self, timeout: float = 30.0) -> None:
        process, self.process = self.process, None
        terminate(process, timeout, on_kill=lambda: log(
            f"the monitor did not stop within {timeout:g} s: killing it"))


# --------------------------------------------------------------------------------------
# Load: InquiryReceived records as intake publishes them
# --------------------------------------------------------------------------------------


def inquiry_record(rng: random.Random, index: int, occurred_at: datetime, recorded_at: datetime,
                   run_id: str) -> dict[str, Any]:
    """What intake's ``to_record`` gives for a ``ReceiveInquiry`` of a phone question."""
    key = f"bench-sla-{run_id}-{index}"
    inquiry_id = uuid.uuid5(INQUIRY_NAMESPACE, "inquiry:" + key)
    category, department, subject, body = rng.choice(SUBJECTS)
    return {
        "event_id": event_id_for(inquiry_id, 1),
        "aggregate_id": inquiry_id,
        "aggregate_version": 1,
        "recorded_at": recorded_at,
        "occurred_at": occurred_at,
        "actor": f"bench-agent-{index % 16:02d}",
        "correlation_id": "",
        "idempotency_key": key,
        "channel": "PHONE",
        "kind": "QUESTION",
        "contact": {"name": f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
                    "phone": f"03-{rng.randrange(1000, 10000)}-{rng.randrange(1000, 10000)}",
                    "email": "", "preferred_language": "ja"},
        "subject": subject,
        "body": body,
        "category": category,
        "department": department,
        "impact": "MEDIUM",
        "urgency": "MEDIUM",
        "priority": "P3",
        "agreement_id": AGREEMENT_ID,
        "contacted_at": occurred_at,
        "external_ref": "",
    }


@dataclass
class Load:
    inquiry_ids: set[str] = field(default_factory=set)
    due: dict[str, float] = field(default_factory=dict)      # inquiry id -> epoch seconds
    last_of_partition: dict[int, tuple[int, str]] = field(default_factory=dict)
    produce_seconds: float = 0.0


def produce(bootstrap: str, topic: str, inquiries: int, window_start: float, spread: float,
            target_seconds: int, seed: int) -> Load:
    catalog = default_catalog()
    schema_ref = catalog.schema_ref("InquiryReceived")
    rng = random.Random(seed)
    run_id = uuid.uuid4().hex[:12]
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), client_id="bench-sla-load",
                             acks="all", linger_ms=5, batch_size=256 * 1024,
                             max_request_size=4 * 1024 * 1024, retries=0)
    load = Load()
    futures: list[tuple[Any, str]] = []
    started = time.monotonic()
    last_report = started
    try:
        for i in range(inquiries):
            due = window_start + rng.random() * spread
            occurred_at = datetime.fromtimestamp(due - target_seconds, UTC)
            record = inquiry_record(rng, i, occurred_at, datetime.now(UTC), run_id)
            inquiry_id = str(record["aggregate_id"])
            load.inquiry_ids.add(inquiry_id)
            load.due[inquiry_id] = due
            value = catalog.encode("InquiryReceived", record)
            headers = event_headers("InquiryReceived", record, schema_ref)
            futures.append((producer.send(topic, key=inquiry_id.encode(), value=value,
                                          headers=headers), inquiry_id))
            now = time.monotonic()
            if now - last_report >= 5.0:
                log(f"producing: {i + 1}/{inquiries} InquiryReceived")
                last_report = now
        producer.flush(timeout=120)
        for future, inquiry_id in futures:
            meta = future.get(timeout=30)
            current = load.last_of_partition.get(meta.partition)
            if current is None or meta.offset > current[0]:
                load.last_of_partition[meta.partition] = (meta.offset, inquiry_id)
    finally:
        producer.close(timeout=10)
    load.produce_seconds = time.monotonic() - started
    return load


# --------------------------------------------------------------------------------------
# Knowing the load is applied, and counting open clocks
# --------------------------------------------------------------------------------------


def wait_applied(address: str, load: Load, monitor: Monitor, timeout: float,
                 db: DbReader) -> bool:
    """Until GetInquiryClocks knows the last inquiry of every partition."""
    channel = open_channel(address)
    stub = sla_monitor_pb2_grpc.SlaMonitorServiceStub(channel)
    pending = {p: inquiry for p, (_, inquiry) in load.last_of_partition.items()}
    deadline = time.monotonic() + timeout
    last_report = time.monotonic()
    try:
        while pending:
            for partition, inquiry_id in list(pending.items()):
                try:
                    stub.GetInquiryClocks(
                        sla_monitor_pb2.GetInquiryClocksRequest(inquiry_id=inquiry_id),
                        timeout=10)
                    del pending[partition]
                except grpc.RpcError as error:
                    if error.code() not in (grpc.StatusCode.NOT_FOUND,  # type: ignore[attr-defined]
                                            grpc.StatusCode.UNAVAILABLE,
                                            grpc.StatusCode.DEADLINE_EXCEEDED):
                        raise
            if not pending:
                return True
            assert monitor.process is not None
            if monitor.process.poll() is not None:
                raise RuntimeError(f"the monitor exited; see {monitor.log_file}")
            now = time.monotonic()
            if now > deadline:
                return False
            if now - last_report >= 5.0:
                rows = db.rows()
                log(f"applying: {len(load.last_of_partition) - len(pending)}/"
                    f"{len(load.last_of_partition)} partitions done"
                    + (f", {rows}/{len(load.inquiry_ids)} inquiries stored"
                       if rows is not None else ""))
                last_report = now
            time.sleep(0.05)
        return True
    finally:
        channel.close()


class DbReader:
    """Read-only look at the monitor's clock table (SQLite file or PostgreSQL)."""

    _SQLITE_OPEN = ("SELECT COUNT(*) FROM sla_inquiry_clocks, json_each(state_json, '$.clocks') "
                    "WHERE json_extract(value, '$.stopped_at') IS NULL")
    _PG_OPEN = ("SELECT COUNT(*) FROM sla_inquiry_clocks, "
                "jsonb_array_elements(state_json::jsonb -> 'clocks') AS c "
                "WHERE c ->> 'stopped_at' IS NULL")

    def __init__(self, url: str) -> None:
        self.url = parse_database_url(url)

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.kind == "sqlite":
            assert self.url.path is not None
            if not self.url.path.exists():
                return []
            conn = sqlite3.connect(f"file:{self.url.path}?mode=ro", uri=True, timeout=30)
            try:
                return list(conn.execute(sql).fetchall())
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.url.psycopg_conninfo(), autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = on")
            if self.url.schema:
                conn.execute(f'SET search_path TO "{self.url.schema}"')
            return list(conn.execute(sql).fetchall())

    def table_exists(self) -> bool:
        if self.url.kind == "sqlite":
            rows = self._query("SELECT COUNT(*) FROM sqlite_master "
                               "WHERE name = 'sla_inquiry_clocks'")
            return bool(rows and rows[0][0])
        rows = self._query("SELECT to_regclass('sla_inquiry_clocks') IS NOT NULL")
        return bool(rows and rows[0][0])

    def rows(self) -> int | None:
        try:
            if not self.table_exists():
                return 0
            return int(self._query("SELECT COUNT(*) FROM sla_inquiry_clocks")[0][0])
        except Exception:
            return None

    def open_clocks(self) -> int:
        sql = self._SQLITE_OPEN if self.url.kind == "sqlite" else self._PG_OPEN
        return int(self._query(sql)[0][0])

    def is_fresh(self) -> bool:
        """Neither the monitor's event store nor its clock table holds anything yet.

        A used database would keep its agreement terms (the seed never overwrites them),
        fire its old clocks and republish its old events: the figures would be wrong.
        """
        if self.url.kind == "sqlite":
            assert self.url.path is not None
            if not self.url.path.exists():
                return True
        for table in ("sla_monitor_events", "sla_inquiry_clocks"):
            if self.url.kind == "sqlite":
                exists = self._query(f"SELECT COUNT(*) FROM sqlite_master WHERE name = '{table}'")
            else:
                exists = self._query(f"SELECT to_regclass('{table}') IS NOT NULL")
            if exists and exists[0][0] and self._query(f"SELECT EXISTS (SELECT 1 FROM {table})"
                                                       )[0][0]:
                return False
        return True


# --------------------------------------------------------------------------------------
# Measuring: the signals topic
# --------------------------------------------------------------------------------------


@dataclass
class Received:
    at: float              # time.time() right after the poll that returned it
    kafka_ts_ms: int       # producer (relay) timestamp of the record
    event_type: str
    value: bytes


class SignalCollector(TopicReader):
    """Reads every partition of the signals topic from the beginning; decodes later.

    It also reads the probe topic: records the bench itself produces (``KafkaProbe``),
    whose latency is the broker round trip without the monitor.
    """

    def __init__(self, bootstrap: str, topic: str, partitions: int, expected: int,
                 probe_topic: str, fetch_sessions: bool = False) -> None:
        super().__init__("signals", bootstrap, "bench-sla-signals",
                         [*(TopicPartition(topic, p) for p in range(partitions)),
                          TopicPartition(probe_topic, 0)],
                         fetch_sessions=fetch_sessions)
        self.topic = topic
        self.probe_topic = probe_topic
        self.expected = expected
        self.messages: list[Received] = []
        self.probes: list[tuple[float, float]] = []   # (sent, latency) of each probe record
        self.breaches = 0

    def handle(self, batches: dict[TopicPartition, list[Any]], now: float) -> None:
        for tp, records in batches.items():
            if tp.topic == self.probe_topic:
                self.probes.extend((m.timestamp / 1000.0, now - m.timestamp / 1000.0)
                                   for m in records)
                continue
            for m in records:
                event_type = event_type_of(m)
                self.messages.append(Received(now, m.timestamp, event_type, m.value))
                if event_type == "SlaBreached":
                    self.breaches += 1
        if self.breaches >= self.expected:
            self.done.set()


class KafkaProbe(StoppableThread):
    """A small record every 100 ms from the bench to the probe topic (acks=all, like the relay).

    Read by the same consumer as the alerts: its latency is what the broker and the bench's
    consumer add on their own on this machine at this moment, without the monitor.
    """

    def __init__(self, bootstrap: str, topic: str, interval: float = 0.1) -> None:
        super().__init__("kafka-probe")
        self.topic = topic
        self.interval = interval
        self._producer = KafkaProducer(bootstrap_servers=bootstrap.split(","),
                                       client_id="bench-sla-probe", acks="all", linger_ms=0)

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                self._producer.send(self.topic, b"probe",
                                    timestamp_ms=int(time.time() * 1000))
        finally:
            self._producer.close(timeout=5)


def timeline(window_start: float, spread: float, slices: int, dues: list[float],
             latencies: list[float], probes: list[tuple[float, float]],
             cpu_samples: list[tuple[float, dict[str, float]]]) -> list[dict[str, Any]]:
    """Per slice of the deadline window: alerts, latency p99, probe p99, CPU of each process."""
    rows = []
    for start, end, row in window_slices(window_start, spread, slices):
        lat = sorted(v for d, v in zip(dues, latencies, strict=True) if start <= d < end)
        probe = sorted(v for sent, v in probes if start <= sent < end)
        row.update({"alerts": len(lat), "p99_ms": ms(percentile(lat, 99)),
                    "max_ms": ms(lat[-1] if lat else None),
                    "probe_p99_ms": ms(percentile(probe, 99))})
        inside = [(t, c) for t, c in cpu_samples if start - 1 <= t <= end + 1]
        if len(inside) >= 2:
            (t0, c0), (t1, c1) = inside[0], inside[-1]
            for name in c0:
                row[f"{name}_cpu_percent"] = round(100 * (c1[name] - c0[name]) / (t1 - t0), 1)
        rows.append(row)
    return rows


def analyse(messages: list[Received], load: Load) -> dict[str, Any]:
    catalog = default_catalog()
    latencies: list[float] = []
    dues: list[float] = []        # due_at of each latency, for the timeline
    internal: list[float] = []    # raised (occurred_at) - due_at
    pickup: list[float] = []      # relay's send() (the record's timestamp) - raised
    deliver: list[float] = []     # received - relay's send(): producer, broker, fetch
    due_shift: list[float] = []   # due_at in the event - the deadline the bench planned
    by_inquiry: dict[str, set[str]] = defaultdict(set)
    seen_events: set[str] = set()
    redelivered = 0
    other_types: Counter[str] = Counter()
    foreign = 0
    unexpected_targets: Counter[str] = Counter()
    for m in messages:
        if m.event_type != "SlaBreached":
            other_types[m.event_type or "?"] += 1
            continue
        _, record = catalog.decode(m.value)
        inquiry_id = str(record["inquiry_id"])
        if inquiry_id not in load.inquiry_ids:
            foreign += 1
            continue
        if record["target"] != "FIRST_RESPONSE":
            unexpected_targets[str(record["target"])] += 1
            continue
        event_id = str(record["event_id"])
        if event_id in seen_events:
            redelivered += 1   # the same event again (relay retry): not a second alert
            continue
        seen_events.add(event_id)
        by_inquiry[inquiry_id].add(event_id)
        due = record["due_at"].timestamp()
        raised = record["occurred_at"].timestamp()
        sent = m.kafka_ts_ms / 1000.0
        latencies.append(m.at - due)
        dues.append(due)
        internal.append(raised - due)
        pickup.append(sent - raised)
        deliver.append(m.at - sent)
        due_shift.append(due - load.due[inquiry_id])
    duplicates = sum(len(ids) - 1 for ids in by_inquiry.values())
    return {
        "latencies": latencies,
        "dues": dues,
        "internal": internal,
        "pickup": pickup,
        "deliver": deliver,
        "due_shift": due_shift,
        "breached_inquiries": len(by_inquiry),
        "duplicates": duplicates,
        "redelivered": redelivered,
        "other_events": dict(other_types),
        "foreign_breaches": foreign,
        "unexpected_targets": dict(unexpected_targets),
    }


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------





def monitor_env(args: argparse.Namespace, data_dir: Path, bootstrap: str, topics: dict[str, str],
                seed_file: Path) -> dict[str, str]:
    # Only what the bench sets: no MADOGUCHI_* from the caller's shell leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env.update({
        "MADOGUCHI_DATA_DIR": str(data_dir),
        "MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "MADOGUCHI_HOST": "127.0.0.1",
        "MADOGUCHI_SLA_MONITOR_PORT": "0",
        "MADOGUCHI_SLA_MONITOR_METRICS_PORT": "0",
        "MADOGUCHI_TOPIC_INQUIRIES": topics["inquiries"],
        "MADOGUCHI_TOPIC_SLA_SIGNALS": topics["signals"],
        "MADOGUCHI_TOPIC_SLA_AGREEMENTS": topics["agreements"],
        "MADOGUCHI_TOPIC_PARTITIONS": str(args.partitions),
        "MADOGUCHI_KAFKA_FETCH_MAX_WAIT_MS": "5",
        "MADOGUCHI_SLA_SEED_FILE": str(seed_file),
        "MADOGUCHI_SLA_WEBHOOK_SECRET": "bench-sla-webhook-secret",
        "MADOGUCHI_LOG_LEVEL": args.log_level,
        "PYTHONUNBUFFERED": "1",
    })
    if args.database_url:
        env["MADOGUCHI_SLA_MONITOR_DATABASE_URL"] = args.database_url
    return env


def run(args: argparse.Namespace) -> int:
    inquiries = math.ceil(args.clocks / 2)
    expected_clocks = inquiries * 2
    lead = args.lead if args.lead is not None else math.ceil(20 + inquiries / ASSUMED_APPLY_RATE)
    # Whole business minutes; occurred_at = due - target must not lie in the future.
    first_response_minutes = math.ceil((lead + args.spread) / 60) + 1
    target_seconds = first_response_minutes * 60

    loadavg_before = os.getloadavg()[0]
    commit = source_commit()   # the monitor process imports the same checkout
    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-bench-sla-"))
    data_dir = tmp / "data"
    database_url = args.database_url or f"sqlite:///{data_dir / 'sla_monitor.db'}"
    store = "postgres" if database_url.startswith("postgres") else "sqlite"
    db = DbReader(database_url)
    if not db.is_fresh():
        log(f"error: {redact(database_url)} is not empty; the bench needs a fresh database (its "
            "stored agreement terms would win over the bench's, old clocks would fire)")
        shutil.rmtree(tmp, ignore_errors=True)
        return 2

    broker: EmbeddedBroker | None = None
    monitor: Monitor | None = None
    collector: SignalCollector | None = None
    sampler: RssSampler | None = None
    probe: KafkaProbe | None = None
    interrupted = False
    previous_handlers = catch_interrupts()
    result: dict[str, Any] | None = None
    code = 0
    try:
        broker, bootstrap = broker_for(args.bootstrap, tmp)
        if not bootstrap:
            return 3
        suffix = uuid.uuid4().hex[:10]
        topics = {name: f"bench.sla.{suffix}.{name}"
                  for name in ("inquiries", "signals", "agreements")}
        ensure_topics(bootstrap, list(topics.values()), args.partitions, "bench-sla-admin")
        probe_topic = f"bench.sla.{suffix}.probe"
        ensure_topics(bootstrap, [probe_topic], 1, "bench-sla-admin")

        seed_file = tmp / "seed.json"
        seed_file.write_text(json.dumps(seed_document(first_response_minutes), indent=2))
        monitor = Monitor(monitor_env(args, data_dir, bootstrap, topics, seed_file),
                          tmp / "monitor.log")
        monitor.start()
        try:
            monitor.wait_ready(args.start_timeout)
        except (RuntimeError, TimeoutError) as error:
            log(f"error: {error}")
            log(monitor.log_text()[-3000:])
            return 3
        log(f"monitor pid {monitor.pid} ready on {monitor.address} ({store}, data {tmp})")
        time.sleep(1.0)
        cpu_idle_start, idle_start = cpu_seconds(monitor.pid), time.monotonic()
        time.sleep(3.0)   # an idle monitor: its background CPU and memory
        idle_cpu_pct = 100 * (cpu_seconds(monitor.pid) - cpu_idle_start) / (
            time.monotonic() - idle_start)
        rss_idle_kb = read_proc_status(monitor.pid).get("VmRSS", 0)
        sampler = RssSampler(monitor.pid)
        sampler.start()

        collector = SignalCollector(bootstrap, topics["signals"], args.partitions, inquiries,
                                    probe_topic, fetch_sessions=args.fetch_sessions)
        collector.start()
        if not collector.ready.wait(30):
            raise RuntimeError("the signals consumer did not start")

        log(f"loading {inquiries} inquiries = {expected_clocks} clocks; FIRST_RESPONSE target "
            f"{first_response_minutes} min, deadlines in [{lead}s, {lead + args.spread:g}s) "
            f"from now, RESOLUTION {RESOLUTION_MINUTES} min")
        load_started = time.time()
        cpu_before_load = cpu_seconds(monitor.pid)
        window_start = load_started + lead
        load = produce(bootstrap, topics["inquiries"], inquiries, window_start, args.spread,
                       target_seconds, args.seed)
        log(f"produced {inquiries} records in {load.produce_seconds:.1f} s; waiting for the "
            "monitor to apply them")
        applied = wait_applied(monitor.address, load, monitor,
                               max(0.0, window_start + args.spread - time.time()), db)
        load_done = time.time()
        load_seconds = load_done - load_started
        cpu_load = cpu_seconds(monitor.pid) - cpu_before_load
        rss_loaded_kb = read_proc_status(monitor.pid).get("VmRSS", 0)
        if not applied:
            log("error: the monitor did not apply the load before the last deadline")
        open_clocks = db.open_clocks()
        overran = load_done - window_start
        planned_early = sum(1 for d in load.due.values() if d < load_done)
        log(f"loaded in {load_seconds:.1f} s ({inquiries / load_seconds:.0f} inquiries/s, monitor "
            f"CPU {cpu_load:.1f} s): {open_clocks} open clocks, monitor RSS "
            f"{rss_loaded_kb / 1024:.0f} MB (idle {rss_idle_kb / 1024:.0f} MB)")
        if overran > 0:
            log(f"warning: the load finished {overran:.1f} s after the first deadline "
                f"({planned_early} deadlines passed during the load): raise --lead")
        else:
            log(f"first deadline in {-overran:.1f} s, last in {-overran + args.spread:.1f} s")

        # CPU of each process while the alerts fall due: who uses the two cores.
        pids = {"monitor": monitor.pid, "bench": os.getpid()}
        if broker is not None and broker.process is not None:
            pids["broker"] = broker.process.pid
        cpu_at_start: dict[str, float] | None = None
        cpu_samples: list[tuple[float, dict[str, float]]] = []
        last_cpu_sample = 0.0
        alerts_started = 0.0
        give_up = window_start + args.spread + args.timeout
        last_report = 0.0
        while not collector.done.wait(0.5):
            now = time.time()
            if now >= window_start and now - last_cpu_sample >= 2.0:
                cpu_samples.append((now, {name: cpu_seconds(pid) for name, pid in pids.items()}))
                last_cpu_sample = now
            if cpu_at_start is None and now >= window_start:
                cpu_at_start = {name: cpu_seconds(pid) for name, pid in pids.items()}
                alerts_started = time.monotonic()
                probe = KafkaProbe(bootstrap, probe_topic)
                probe.start()
            if now >= give_up:
                log(f"timeout: {collector.breaches}/{inquiries} breaches after the last deadline"
                    f" + {args.timeout:g} s")
                break
            assert monitor.process is not None
            if monitor.process.poll() is not None:
                log(f"error: the monitor exited; see {monitor.log_file}")
                break
            if now - last_report >= 5.0:
                due_so_far = sum(1 for d in load.due.values() if d <= now) if now >= window_start \
                    else 0
                log(f"alerts: {collector.breaches}/{inquiries} received, {due_so_far} due so "
                    f"far, monitor RSS {read_proc_status(monitor.pid).get('VmRSS', 0) / 1024:.0f}"
                    " MB")
                last_report = now
        if collector.error is not None:
            raise collector.error
        # Duplicates would come a little later: keep reading for a moment.
        time.sleep(args.settle)
        if probe is not None:
            probe.stop()
            probe.join(10)
        collector.stop()
        collector.join(10)
        cpu_percent: dict[str, float | None] = {name: None for name in pids}
        if cpu_at_start is not None:
            elapsed = time.monotonic() - alerts_started
            cpu_percent = {name: round(100 * (cpu_seconds(pid) - cpu_at_start[name]) / elapsed, 1)
                           for name, pid in pids.items()}
        sampler.stop()
        rss_max_kb = max(sampler.max_kb, read_proc_status(monitor.pid).get("VmHWM", 0))

        found = analyse(list(collector.messages), load)
        missing = inquiries - found["breached_inquiries"]
        rss_mb = round(rss_loaded_kb / 1024, 1)
        result = {
            **opening_fields(args, load_started, commit, store),
            "inquiries": inquiries,
            "open_clocks": open_clocks,
            "open_clocks_expected": expected_clocks,
            "rss_mb": rss_mb,
            "rss_idle_mb": round(rss_idle_kb / 1024, 1),
            "rss_max_mb": round(rss_max_kb / 1024, 1),
            "rss_mb_per_100k_clocks": round(
                (rss_loaded_kb - rss_idle_kb) / 1024 * 100_000 / max(1, open_clocks), 1),
            "load_seconds": round(load_seconds, 2),
            "produce_seconds": round(load.produce_seconds, 2),
            "load_inquiries_per_s": round(inquiries / load_seconds, 1),
            "load_applied": applied,
            "monitor_cpu_load_s": round(cpu_load, 1),
            "lead_seconds": lead,
            "load_overran_window_s": round(max(0.0, overran), 2),
            "deadlines_passed_during_load": planned_early,
            "spread_seconds": args.spread,
            "first_response_minutes": first_response_minutes,
            "resolution_minutes": RESOLUTION_MINUTES,
            "warning_percents": [],
            "alert_kinds": ["SlaBreached"],
            "bench_fetch_sessions": args.fetch_sessions,
            "breaches_expected": inquiries,
            "breaches_received": found["breached_inquiries"],
            "missing": missing,
            "duplicates": found["duplicates"],
            "redelivered": found["redelivered"],
            "unexpected_breaches": found["unexpected_targets"],
            "other_events": found["other_events"],
            **summarize(found["latencies"], "alert_latency_"),
            "max_alert_latency_ms": ms(max(found["latencies"], default=None)),
            **summarize(found["internal"], "monitor_internal_"),
            **summarize(found["pickup"], "relay_pickup_"),
            **summarize(found["deliver"], "kafka_deliver_"),
            **summarize([v for _, v in collector.probes], "kafka_probe_"),
            "due_at_error_max_ms": ms(max((abs(x) for x in found["due_shift"]), default=None)),
            **{f"{name}_cpu_percent_during_alerts": cpu_percent.get(name)
               for name in ("monitor", "broker", "bench")},
            "monitor_idle_cpu_percent": round(idle_cpu_pct, 1),
            "p99_target_ms": P99_TARGET_MS,
            "timeline": timeline(window_start, args.spread, 6, found["dues"], found["latencies"],
                                 list(collector.probes), cpu_samples),
            **closing_fields(loadavg_before),
        }
        p99 = result["alert_latency_p99_ms"]
        result["p99_target_met"] = p99 is not None and p99 < P99_TARGET_MS and missing == 0
        log(f"done: {found['breached_inquiries']}/{inquiries} breaches, {found['duplicates']} "
            f"duplicates, latency p50 {result['alert_latency_p50_ms']} ms, p99 {p99} ms, max "
            f"{result['max_alert_latency_ms']} ms (monitor-internal p99 "
            f"{result['monitor_internal_p99_ms']} ms); RSS {rss_mb} MB")
        ok = applied and missing == 0 and found["duplicates"] == 0 and overran <= 0
        code = 0 if ok else 1
    except (KeyboardInterrupt, Interrupted):
        interrupted = True
        log("interrupted: stopping")
        code = 130
    finally:
        restore_handlers(previous_handlers)
        try:
            if probe is not None:
                probe.stop()
            if collector is not None:
                collector.stop()
            if sampler is not None:
                sampler.stop()
            if monitor is not None:
                monitor.stop()
            if broker is not None:
                broker.stop()
        finally:
            remove_temp(tmp, args.keep, "monitor.log, broker.log, data/")
    print_result(result, interrupted, args.label)
    return code


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="SLA monitor benchmark: N open clocks, alert latency, memory "
                    "(see bench/README.md)")
    parser.add_argument("--clocks", type=int, default=100_000,
                        help="open clocks to load (two per inquiry; default 100000)")
    parser.add_argument("--spread", type=float, default=120.0,
                        help="seconds over which the FIRST_RESPONSE deadlines fall (default 120)")
    parser.add_argument("--lead", type=int, default=None,
                        help="seconds from the start of the load to the first possible "
                             f"deadline (default 20 + inquiries/{ASSUMED_APPLY_RATE:g})")
    parser.add_argument("--database-url",
                        help="the monitor's database (e.g. a fresh PostgreSQL database); "
                             "default: a SQLite file in the temp directory")
    add_common_arguments(parser)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="how long after the last deadline to wait for breaches (default 60)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds to keep reading after the last breach, for duplicates")
    parser.add_argument("--start-timeout", type=float, default=60.0,
                        help="seconds to wait for the monitor to start (default 60)")
    parser.add_argument("--fetch-sessions", action="store_true",
                        help="let the bench's signals consumer use incremental fetch sessions "
                             "(kafka-python's default; makes the embedded broker CPU-bound)")
    parser.add_argument("--log-level", default="INFO", help="the monitor's log level")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp directory (monitor.log, broker.log, SQLite file)")
    args = parser.parse_args(argv)
    reject(parser,
           (args.clocks < 2, "--clocks must be at least 2"),
           (args.spread <= 0, "--spread must be positive"),
           (args.lead is not None and args.lead < 1, "--lead must be at least 1"))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
