#!/usr/bin/env python3
"""Supplier path benchmark: escalation → engagement → supplier breach → penalty, end to end.

What it does, in order (details and the meaning of every figure: bench/README.md):

1. starts the embedded broker on a free port (unless ``--bootstrap``), and intake, the
   supplier service and the SLA monitor **in this process** (as
   tests/integration/test_supplier_path.py does), on unique topics and a fresh temp data
   directory with SQLite files (or fresh PostgreSQL databases: ``--database-url-prefix``);
2. registers a default customer agreement with long targets (only supplier clocks
   breach), a supplier, and a contract on a 24×7 calendar with ``acknowledge_minutes`` 1,
   no warnings and a FIXED penalty without a cap;
3. escalates ``--engagements`` inquiries to that supplier through intake's gRPC API
   (``ReceiveInquiry``, then ``EscalateInquiry`` target SUPPLIER) from ``--clients``
   threads. Each escalation's ``occurred_at`` is set so that its ACKNOWLEDGE deadline
   (escalation + 60 s on the 24×7 calendar) falls uniformly in ``[lead, lead + spread)``
   seconds after the load began: the monitor's timers raise the breaches in real time;
4. reads the engagements and signals topics with a plain consumer (no group, all
   partitions) and takes, per engagement: open latency (EscalateInquiry reply →
   ``EngagementOpened`` received), breach latency (``due_at`` → supplier ``SlaBreached``
   received) and penalty latency (``due_at`` → ``PenaltyAccrued`` received); finally the
   month total from the supplier service's ``GetPenalties``.

Progress goes to stderr; the last line on stdout is one JSON object with the results.
Exit status: 0 every engagement was opened, breached and charged exactly once and the
total is right; 1 anything missing, duplicated or wrong (or deadlines passed before their
engagement was opened: raise ``--lead``); 2 bad usage or a database that is not empty;
3 the broker or a service did not start; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc

# Allow `python bench/supplier.py` from a checkout without installing the package; the
# services are imported from the checkout too.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from kafka import TopicPartition  # noqa: E402
from latency_stats import ms, percentile, summarize  # noqa: E402  (bench/, beside this script)
from run_support import (  # noqa: E402
    FAMILY_NAMES,
    GIVEN_NAMES,
    InProcessServices,
    Interrupted,
    TopicReader,
    add_common_arguments,
    add_in_process_arguments,
    broker_for,
    catch_interrupts,
    closing_fields,
    configure_logging,
    cpu_seconds,
    database_urls,
    event_type_of,
    fresh_databases,
    in_process_settings,
    log,
    log_problems,
    opening_fields,
    print_result,
    reject,
    remove_temp,
    restore_handlers,
    service_topics,
    source_commit,
    start_threads,
    ts,
    vm_hwm_mb,
    window_slices,
)

from madoguchi.api.intake.v1 import intake_pb2, intake_pb2_grpc  # noqa: E402
from madoguchi.api.sla.v1 import sla_monitor_pb2, sla_monitor_pb2_grpc  # noqa: E402
from madoguchi.api.supplier.v1 import supplier_pb2, supplier_pb2_grpc  # noqa: E402
from madoguchi.broker import EmbeddedBroker  # noqa: E402
from madoguchi.config import Settings  # noqa: E402
from madoguchi.eventstream.avro import default_catalog  # noqa: E402
from madoguchi.rpc.channels import open_channel  # noqa: E402

AGREEMENT_ID = "bench-supplier-customers"
SUPPLIER_ID = "bench-sakura-facility"
CONTRACT_ID = "BENCH-SFM-24X7"
CATEGORY = "道路"
DEPARTMENT = "道路課"
ACKNOWLEDGE_MINUTES = 1
ACKNOWLEDGE_SECONDS = ACKNOWLEDGE_MINUTES * 60
RESOLVE_MINUTES = 7 * 24 * 60          # one week: the RESOLVE clock stays open
# Intake accepts occurred_at up to 300 s ahead (Limits.FUTURE_SKEW_SECONDS); keep a margin.
MAX_FUTURE_SECONDS = 290
CUSTOMER_FIRST_RESPONSE_MINUTES = 24 * 60
CUSTOMER_RESOLUTION_MINUTES = 7 * 24 * 60
SERVICES = ("intake", "sla_monitor", "supplier")
ALWAYS_OPEN = {"time_zone": "Asia/Tokyo", "holiday_country": "",
               "weekly_hours": {d: ["00:00-24:00"] for d in
                                ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
WANTED = frozenset({"EngagementOpened", "SlaBreached", "PenaltyAccrued"})

SUBJECTS = (
    ("街路灯が点灯しない",
     "三丁目の交差点付近の街路灯が三日前から夜になっても点灯しません。歩行者が危ないです。"),
    ("道路照明が点滅している",
     "市道沿いの道路照明が一晩中点滅しています。故障ではないかと思います。"),
    ("トンネル照明の一部が消えている",
     "北トンネルの照明が入口側で数本消えていて、中が暗く感じます。"),
    ("公園前の街灯が昼も点いている",
     "中央公園前の街灯が昼間もずっと点灯したままです。点検をお願いします。"),
    ("歩道橋の照明が割れている",
     "駅前歩道橋の照明カバーが割れて破片が落ちそうです。早めに対応してください。"),
)


# --------------------------------------------------------------------------------------
# The system: intake, supplier service and SLA monitor in this process
# --------------------------------------------------------------------------------------


class SupplierPath(InProcessServices):
    """Intake, the supplier service and the SLA monitor on one broker, each its own store."""

    def __init__(self, settings: Settings, suffix: str) -> None:
        # Imported here: the services' modules are heavy, and --help should not need them.
        from services.intake.main import IntakeService
        from services.sla_monitor.main import SlaMonitorService
        from services.supplier.main import SupplierService

        super().__init__(settings)
        self.intake = IntakeService(settings, address="127.0.0.1:0")
        self.monitor = SlaMonitorService(settings, address="127.0.0.1:0",
                                         group_id=f"bench-sla-{suffix}")
        self.supplier = SupplierService(settings, address="127.0.0.1:0",
                                        group_id=f"bench-supplier-{suffix}")

    def start(self) -> None:
        self.start_services(self.intake, self.monitor, self.supplier)
        self.intake_address = self.intake.grpc.address
        supplier_channel = self.channel(self.supplier.grpc.address)
        self.management = supplier_pb2_grpc.SupplierManagementServiceStub(supplier_channel)
        self.sla = sla_monitor_pb2_grpc.SlaMonitorServiceStub(
            self.channel(self.monitor.grpc.address))

    def consumers(self) -> dict[str, Any]:
        return {"intake engagements": self.intake.consumer,
                "monitor inquiries": self.monitor.consumer,
                "monitor engagements": self.monitor.engagement_consumer,
                "supplier": self.supplier.consumer}

    def register_parties(self, penalty_amount: int) -> None:
        """The customer agreement (long targets), the supplier and its 24×7 contract."""
        customer_terms = {
            "name": "Benchmark: customers, long targets", "customer": "bench",
            "calendar": ALWAYS_OPEN,
            "targets": [{"priority": p,
                         "first_response_minutes": CUSTOMER_FIRST_RESPONSE_MINUTES,
                         "resolution_minutes": CUSTOMER_RESOLUTION_MINUTES,
                         "update_minutes": 0} for p in ("P1", "P2", "P3", "P4", "P5")],
            "warning_percents": [],
            "reminder_minutes": 0,
        }
        self.sla.RegisterAgreement(sla_monitor_pb2.RegisterAgreementRequest(
            agreement_id=AGREEMENT_ID, make_default=True, actor="bench",
            terms_json=json.dumps(customer_terms, ensure_ascii=False)), timeout=30)
        self.management.RegisterSupplier(supplier_pb2.RegisterSupplierRequest(
            supplier_id=SUPPLIER_ID, name="さくら設備保守株式会社 (bench)",
            services=["道路照明保守"],
            contacts=[supplier_pb2.Contact(name="保守受付センター", role="ESCALATION",
                                           email="uketsuke@sakura-fm.example.jp")]),
            timeout=30)
        today = datetime.now(UTC).date()
        contract = {
            "title": "道路照明保守業務委託 (bench, 24×7)",
            "valid_from": (today - timedelta(days=30)).isoformat(),
            "valid_until": (today + timedelta(days=300)).isoformat(),
            "covers": [CATEGORY],
            "calendar": ALWAYS_OPEN,
            "targets": [{"priority": "", "acknowledge_minutes": ACKNOWLEDGE_MINUTES,
                         "resolve_minutes": RESOLVE_MINUTES}],
            "warning_percents": [],
            "reminder_minutes": 0,
            "penalty": {"rule": "FIXED", "amount": penalty_amount, "currency": "JPY",
                        "monthly_cap": 0},
            "expiry_warning_days": 30,
        }
        self.management.RegisterContract(supplier_pb2.RegisterContractRequest(
            contract_id=CONTRACT_ID, supplier_id=SUPPLIER_ID,
            terms_json=json.dumps(contract, ensure_ascii=False)), timeout=30)

    def penalty_total(self) -> tuple[int, int, list[str]]:
        """(total after cap, lines, months) of the supplier's penalties, all months."""
        months = self.management.GetPenalties(supplier_pb2.GetPenaltiesRequest(
            supplier_id=SUPPLIER_ID), timeout=60).months
        return (sum(int(m.total) for m in months), sum(len(m.lines) for m in months),
                sorted(f"{m.contract_id}/{m.month}" for m in months))


# --------------------------------------------------------------------------------------
# Load: receive and escalate through intake's gRPC API
# --------------------------------------------------------------------------------------


@dataclass
class Escalation:
    index: int
    due: float                       # planned ACKNOWLEDGE deadline (epoch seconds)
    inquiry_id: str = ""
    replied_at: float = 0.0          # EscalateInquiry reply received (epoch seconds)
    call_seconds: float = 0.0        # ReceiveInquiry + EscalateInquiry
    escalate_seconds: float = 0.0    # EscalateInquiry alone
    error: str = ""


@dataclass
class Load:
    escalations: list[Escalation]
    run_id: str
    rpc_timeout: float
    next_index: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    done_count: int = 0

    def take(self) -> Escalation | None:
        with self.lock:
            if self.stop.is_set() or self.next_index >= len(self.escalations):
                return None
            item = self.escalations[self.next_index]
            self.next_index += 1
            return item

    def finished(self) -> None:
        with self.lock:
            self.done_count += 1


def escalate_one(stub: intake_pb2_grpc.IntakeServiceStub, item: Escalation, run_id: str,
                 rng: random.Random, timeout: float) -> None:
    escalated_at = datetime.fromtimestamp(item.due - ACKNOWLEDGE_SECONDS, UTC)
    subject, body = rng.choice(SUBJECTS)
    started = time.perf_counter()
    reply = stub.ReceiveInquiry(intake_pb2.ReceiveInquiryRequest(
        idempotency_key=f"bench-supplier-{run_id}-{item.index}",
        channel=intake_pb2.PHONE, kind=intake_pb2.INCIDENT,
        contact=intake_pb2.Contact(
            name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
            phone=f"03-{rng.randrange(1000, 10000)}-{rng.randrange(1000, 10000)}",
            preferred_language="ja"),
        subject=subject, body=body, category=CATEGORY, department=DEPARTMENT,
        impact=intake_pb2.MEDIUM, urgency=intake_pb2.MEDIUM, agreement_id=AGREEMENT_ID,
        contacted_at=ts(escalated_at - timedelta(minutes=5)),
        actor=f"bench-agent-{item.index % 16:02d}"), timeout=timeout)
    inquiry_id = str(reply.inquiry.inquiry_id)
    item.inquiry_id = inquiry_id
    escalate_started = time.perf_counter()
    stub.EscalateInquiry(intake_pb2.EscalateInquiryRequest(
        context=intake_pb2.CommandContext(inquiry_id=inquiry_id, actor="dept-doro-01",
                                          occurred_at=ts(escalated_at)),
        target=intake_pb2.SUPPLIER, to_supplier_id=SUPPLIER_ID,
        reason="街路灯の修理を保守業者に依頼"), timeout=timeout)
    item.replied_at = time.time()
    finished = time.perf_counter()
    item.call_seconds = finished - started
    item.escalate_seconds = finished - escalate_started


def run_client(address: str, load: Load, client: int, seed: int) -> None:
    rng = random.Random(seed * 1000 + client)
    channel = open_channel(address)
    stub = intake_pb2_grpc.IntakeServiceStub(channel)
    try:
        while (item := load.take()) is not None:
            try:
                escalate_one(stub, item, load.run_id, rng, load.rpc_timeout)
            except grpc.RpcError as error:
                code = error.code()  # type: ignore[attr-defined]
                item.error = code.name if code is not None else "UNKNOWN"
                log(f"client {client}: escalation {item.index} failed: {item.error} "
                    f"{error.details()}")  # type: ignore[attr-defined]
            load.finished()
    finally:
        channel.close()


# --------------------------------------------------------------------------------------
# Measuring: the engagements and signals topics
# --------------------------------------------------------------------------------------


@dataclass
class Received:
    at: float              # time.time() right after the poll that returned it
    kafka_ts_ms: int       # producer (relay) timestamp of the record
    event_type: str
    record: dict[str, Any]


class Collector(TopicReader):
    """Reads every partition of both topics from the beginning; decodes what it needs."""

    def __init__(self, bootstrap: str, topics: list[str], partitions: int,
                 expected: int) -> None:
        super().__init__("bench-reader", bootstrap, "bench-supplier-reader",
                         [TopicPartition(t, p) for t in topics for p in range(partitions)])
        self.expected = expected
        self.messages: list[Received] = []
        self.other: Counter[str] = Counter()
        self.opened: set[str] = set()            # inquiry ids
        self.breached: set[str] = set()          # engagement ids (supplier breaches)
        self.charged: set[str] = set()           # engagement ids (penalties)
        self._catalog = default_catalog()

    def handle(self, batches: dict[TopicPartition, list[Any]], now: float) -> None:
        for records in batches.values():
            for m in records:
                event_type = event_type_of(m)
                if event_type not in WANTED:
                    self.other[event_type or "?"] += 1
                    continue
                decoded_type, record = self._catalog.decode(m.value)
                self.messages.append(Received(now, m.timestamp, decoded_type, record))
                self._count(decoded_type, record)
        if (len(self.opened) >= self.expected and len(self.breached) >= self.expected
                and len(self.charged) >= self.expected):
            self.done.set()

    def _count(self, event_type: str, record: dict[str, Any]) -> None:
        if event_type == "EngagementOpened":
            self.opened.add(str(record["inquiry_id"]))
        elif event_type == "SlaBreached":
            context = record.get("context") or {}
            if context.get("scope") == "SUPPLIER":
                self.breached.add(str(context.get("engagement_id", "")))
        elif event_type == "PenaltyAccrued" and int(record["amount_accrued"]) > 0:
            self.charged.add(str(record["engagement_id"]))


def analyse(messages: list[Received], escalations: list[Escalation],
            penalty_amount: int) -> dict[str, Any]:
    """Match the received events to the escalations; latencies in seconds."""
    by_inquiry = {e.inquiry_id: e for e in escalations if e.inquiry_id and not e.error}
    seen: set[str] = set()
    redelivered = 0
    engagement_of: dict[str, str] = {}                     # engagement id -> inquiry id
    engagements_per_inquiry: dict[str, set[str]] = defaultdict(set)
    opened_at: dict[str, float] = {}                       # inquiry id -> first arrival
    coverage: Counter[str] = Counter()
    breach_events: dict[str, set[str]] = defaultdict(set)   # engagement -> event ids
    breach_first: dict[str, tuple[float, float, float, int]] = {}  # at, due, raised, kafka ts
    breach_targets: Counter[str] = Counter()
    customer_breaches = 0
    penalty_events: dict[str, set[str]] = defaultdict(set)
    penalty_first: dict[str, float] = {}
    penalty_amounts: Counter[int] = Counter()
    reversals = 0
    foreign = 0
    for m in messages:
        record = m.record
        event_id = str(record["event_id"])
        if event_id in seen:
            redelivered += 1   # the same event again (relay retry): not a second fact
            continue
        seen.add(event_id)
        if m.event_type == "EngagementOpened":
            inquiry_id = str(record["inquiry_id"])
            engagement_id = str(record["engagement_id"])
            if inquiry_id not in by_inquiry:
                foreign += 1
                continue
            engagement_of[engagement_id] = inquiry_id
            engagements_per_inquiry[inquiry_id].add(engagement_id)
            opened_at.setdefault(inquiry_id, m.at)
            coverage[str(record["coverage"])] += 1
        elif m.event_type == "SlaBreached":
            context = record.get("context") or {}
            if context.get("scope") != "SUPPLIER":
                customer_breaches += 1
                continue
            engagement_id = str(context.get("engagement_id", ""))
            breach_targets[str(record["target"])] += 1
            if record["target"] != "ACKNOWLEDGE":
                continue
            breach_events[engagement_id].add(event_id)
            if engagement_id not in breach_first:
                breach_first[engagement_id] = (m.at, record["due_at"].timestamp(),
                                               record["occurred_at"].timestamp(),
                                               m.kafka_ts_ms)
        elif m.event_type == "PenaltyAccrued":
            engagement_id = str(record["engagement_id"])
            amount = int(record["amount_accrued"])
            penalty_amounts[amount] += 1
            if amount <= 0:
                reversals += 1
                continue
            penalty_events[engagement_id].add(event_id)
            penalty_first.setdefault(engagement_id, m.at)

    open_latency = [opened_at[i] - by_inquiry[i].replied_at for i in opened_at]
    breach_latency: list[float] = []
    breach_raise: list[float] = []      # monitor: raised (occurred_at) - due_at
    breach_pickup: list[float] = []     # relay send() (Kafka timestamp) - raised
    breach_deliver: list[float] = []    # received - Kafka timestamp
    penalty_latency: list[float] = []
    penalty_after_breach: list[float] = []
    due_error: list[float] = []
    dues: list[float] = []              # per breach latency, for the timeline
    penalty_dues: list[float] = []
    opened_after_deadline = 0
    for engagement_id, inquiry_id in engagement_of.items():
        planned = by_inquiry[inquiry_id].due
        if opened_at.get(inquiry_id, 0.0) > planned:
            opened_after_deadline += 1
        breach = breach_first.get(engagement_id)
        due = planned
        if breach is not None:
            at, due, raised, kafka_ms = breach
            breach_latency.append(at - due)
            dues.append(due)
            breach_raise.append(raised - due)
            breach_pickup.append(kafka_ms / 1000.0 - raised)
            breach_deliver.append(at - kafka_ms / 1000.0)
            due_error.append(due - planned)
        charged = penalty_first.get(engagement_id)
        if charged is not None:
            penalty_latency.append(charged - due)
            penalty_dues.append(due)
            if breach is not None:
                penalty_after_breach.append(charged - breach[0])
    unknown_breaches = sum(1 for e in breach_events if e not in engagement_of)
    unknown_penalties = sum(1 for e in penalty_events if e not in engagement_of)
    return {
        "opened": len(opened_at),
        "opened_duplicates": sum(len(s) - 1 for s in engagements_per_inquiry.values()),
        "coverage": dict(coverage),
        "opened_after_deadline": opened_after_deadline,
        "breaches": sum(1 for e in breach_events if e in engagement_of),
        "breach_duplicates": sum(len(s) - 1 for s in breach_events.values()),
        "breach_targets": dict(breach_targets),
        "customer_breaches": customer_breaches,
        "penalties": sum(1 for e in penalty_events if e in engagement_of),
        "penalty_duplicates": sum(len(s) - 1 for s in penalty_events.values()),
        "penalty_reversals": reversals,
        "penalty_amounts": {str(k): v for k, v in sorted(penalty_amounts.items())},
        "penalty_events_total": sum(k * v for k, v in penalty_amounts.items()),
        "wrong_amounts": sum(v for k, v in penalty_amounts.items() if k != penalty_amount),
        "unknown_engagements": unknown_breaches + unknown_penalties,
        "foreign_openings": foreign,
        "redelivered": redelivered,
        "open": open_latency,
        "breach": breach_latency,
        "breach_raise": breach_raise,
        "breach_pickup": breach_pickup,
        "breach_deliver": breach_deliver,
        "penalty": penalty_latency,
        "penalty_after_breach": penalty_after_breach,
        "due_error": due_error,
        "dues": dues,
        "penalty_dues": penalty_dues,
    }


def timeline(window_start: float, spread: float, slices: int, found: dict[str, Any]
             ) -> list[dict[str, Any]]:
    """Per slice of the deadline window: breaches and penalties, their p99 and max."""
    rows = []
    for start, end, row in window_slices(window_start, spread, slices):
        breach = sorted(v for d, v in zip(found["dues"], found["breach"], strict=True)
                        if start <= d < end)
        penalty = sorted(v for d, v in zip(found["penalty_dues"], found["penalty"], strict=True)
                         if start <= d < end)
        rows.append({**row,
                     "breaches": len(breach), "breach_p99_ms": ms(percentile(breach, 99)),
                     "breach_max_ms": ms(breach[-1] if breach else None),
                     "penalties": len(penalty), "penalty_p99_ms": ms(percentile(penalty, 99)),
                     "penalty_max_ms": ms(penalty[-1] if penalty else None)})
    return rows


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------





def run(args: argparse.Namespace) -> int:
    n = args.engagements
    loadavg_before = os.getloadavg()[0]
    commit = source_commit()
    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-bench-supplier-"))
    data_dir = tmp / "data"
    data_dir.mkdir()
    urls = database_urls(args.database_url_prefix, data_dir, SERVICES)
    store = "postgres" if args.database_url_prefix else "sqlite"
    if args.database_url_prefix and not fresh_databases(
            urls, SERVICES, "stored agreements, contracts and clocks would change what is "
            "measured"):
        shutil.rmtree(tmp, ignore_errors=True)
        return 2

    broker: EmbeddedBroker | None = None
    system: SupplierPath | None = None
    collector: Collector | None = None
    load: Load | None = None
    threads: list[threading.Thread] = []
    interrupted = False
    previous_handlers = catch_interrupts()
    result: dict[str, Any] | None = None
    code = 0
    try:
        broker, bootstrap = broker_for(args.bootstrap, tmp)
        if not bootstrap:
            return 3
        suffix = uuid.uuid4().hex[:10]
        prefix = f"bench.supplier.{suffix}"
        topics = service_topics(bootstrap, prefix, args.partitions, "bench-supplier-admin")
        settings = in_process_settings(args, data_dir, bootstrap, topics, urls,
                                       webhook_secret="bench-supplier-webhook-secret")

        try:
            system = SupplierPath(settings, suffix)
            system.start()
        except Exception as error:
            log(f"error: the services did not start: {error!r}")
            return 3
        missing = system.wait_assigned(args.start_timeout)
        if missing:
            log(f"error: no partitions within {args.start_timeout:g} s for: "
                f"{', '.join(missing)}")
            return 3
        log(f"intake on {system.intake_address}, supplier service and SLA monitor started "
            f"in this process ({store}, data {tmp}); topics {prefix}.*, "
            f"{args.partitions} partitions")
        system.register_parties(args.penalty_amount)
        time.sleep(args.settle)   # the monitor's configuration refresh picks the agreement up
        log(f"registered agreement {AGREEMENT_ID} (default), supplier {SUPPLIER_ID}, contract "
            f"{CONTRACT_ID}: 24×7, acknowledge {ACKNOWLEDGE_MINUTES} min, FIXED "
            f"{args.penalty_amount} JPY, no cap")

        collector = Collector(bootstrap, [topics.supplier_engagements, topics.sla_signals],
                              args.partitions, n)
        collector.start()
        if not collector.ready.wait(30):
            raise RuntimeError("the bench's consumer did not start")

        rng = random.Random(args.seed)
        offsets = [args.lead + rng.random() * args.spread for _ in range(n)]
        log(f"escalating {n} inquiries with {args.clients} clients; ACKNOWLEDGE deadlines in "
            f"[{args.lead:g}s, {args.lead + args.spread:g}s) from now")
        pid = os.getpid()
        broker_pid = broker.process.pid if broker is not None and broker.process else None
        cpu_start = cpu_seconds(pid)
        load_started = time.time()
        window_start = load_started + args.lead
        load = Load([Escalation(i, load_started + off) for i, off in enumerate(offsets)],
                    run_id=uuid.uuid4().hex[:12], rpc_timeout=args.rpc_timeout)
        threads = start_threads("bench-client", args.clients, run_client,
                                lambda c: (system.intake_address, load, c, args.seed))
        last_report = time.monotonic()
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(0.2)
            if time.monotonic() - last_report >= 5.0:
                log(f"escalating: {load.done_count}/{n} done, {len(collector.opened)} "
                    "engagements opened")
                last_report = time.monotonic()
        escalations = load.escalations
        ok_items = [e for e in escalations if not e.error and e.replied_at]
        load_done = max((e.replied_at for e in ok_items), default=time.time())
        load_seconds = load_done - load_started
        cpu_load = cpu_seconds(pid) - cpu_start
        errors = Counter(e.error for e in escalations if e.error)
        future_dated = sum(1 for e in ok_items if e.due - ACKNOWLEDGE_SECONDS > e.replied_at)
        overran = load_done - window_start
        log(f"escalated {len(ok_items)}/{n} in {load_seconds:.1f} s "
            f"({len(ok_items) / max(load_seconds, 1e-9):.1f}/s), {sum(errors.values())} errors; "
            f"{len(collector.opened)} engagements opened so far")
        if overran > 0:
            log(f"warning: the load finished {overran:.1f} s after the first deadline: "
                "raise --lead")
        else:
            log(f"first deadline in {-overran:.1f} s, last in {-overran + args.spread:.1f} s")

        cpu_window_start = cpu_window_t = None
        broker_window_start = 0.0
        give_up = window_start + args.spread + args.timeout
        last_report = 0.0
        expected = len(ok_items)
        collector.expected = expected
        while not collector.done.wait(0.5):
            now = time.time()
            if cpu_window_start is None and now >= window_start:
                cpu_window_start, cpu_window_t = cpu_seconds(pid), time.monotonic()
                broker_window_start = cpu_seconds(broker_pid) if broker_pid else 0.0
            if now >= give_up:
                log(f"timeout {args.timeout:g} s after the last deadline: "
                    f"{len(collector.opened)} opened, {len(collector.breached)} breaches, "
                    f"{len(collector.charged)} penalties of {expected}")
                break
            if now - last_report >= 5.0:
                due = sum(1 for e in ok_items if e.due <= now)
                log(f"waiting: {len(collector.opened)} opened, {len(collector.breached)} "
                    f"supplier breaches, {len(collector.charged)} penalties of {expected}; "
                    f"{due} deadlines passed")
                last_report = now
        if collector.error is not None:
            raise collector.error
        cpu_percent: dict[str, float | None] = {"process": None, "broker": None}
        if cpu_window_start is not None and cpu_window_t is not None:
            elapsed = max(time.monotonic() - cpu_window_t, 1e-9)
            cpu_percent["process"] = round(
                100 * (cpu_seconds(pid) - cpu_window_start) / elapsed, 1)
            if broker_pid:
                cpu_percent["broker"] = round(
                    100 * (cpu_seconds(broker_pid) - broker_window_start) / elapsed, 1)
        # Duplicates would come a little later: keep reading for a moment.
        time.sleep(args.settle)
        collector.stop()
        collector.join(10)
        total, lines, months = system.penalty_total()

        found = analyse(list(collector.messages), escalations, args.penalty_amount)
        expected_total = n * args.penalty_amount
        open_s, breach_s, penalty_s = found["open"], found["breach"], found["penalty"]
        result = {
            **opening_fields(args, load_started, commit, store, in_process=True),
            "clients": args.clients,
            "engagements": n,
            "escalations_accepted": len(ok_items),
            "escalation_errors": sum(errors.values()),
            "errors_by_code": dict(errors),
            "load_seconds": round(load_seconds, 2),
            "escalations_per_s": round(len(ok_items) / max(load_seconds, 1e-9), 1),
            "process_cpu_percent_load": round(100 * cpu_load / max(load_seconds, 1e-9), 1),
            **summarize([e.call_seconds for e in ok_items], "receive_escalate_call_"),
            **summarize([e.escalate_seconds for e in ok_items], "escalate_call_"),
            **summarize(open_s, "open_"),
            **summarize(breach_s, "breach_"),
            **summarize(penalty_s, "penalty_"),
            **summarize(found["breach_raise"], "breach_raise_"),
            **summarize(found["breach_pickup"], "breach_relay_pickup_"),
            **summarize(found["breach_deliver"], "breach_kafka_deliver_"),
            **summarize(found["penalty_after_breach"], "penalty_after_breach_"),
            "opened": found["opened"],
            "opened_duplicates": found["opened_duplicates"],
            "coverage": found["coverage"],
            "breaches": found["breaches"],
            "breach_duplicates": found["breach_duplicates"],
            "breach_targets": found["breach_targets"],
            "customer_breaches": found["customer_breaches"],
            "penalties": found["penalties"],
            "penalty_duplicates": found["penalty_duplicates"],
            "penalty_reversals": found["penalty_reversals"],
            "penalty_amount": args.penalty_amount,
            "penalty_amounts": found["penalty_amounts"],
            "penalty_events_total": found["penalty_events_total"],
            "penalty_total": total,
            "penalty_total_expected": expected_total,
            "penalty_lines": lines,
            "penalty_months": months,
            "redelivered": found["redelivered"],
            "unknown_engagements": found["unknown_engagements"],
            "other_events": dict(collector.other),
            "lead_seconds": args.lead,
            "spread_seconds": args.spread,
            "acknowledge_minutes": ACKNOWLEDGE_MINUTES,
            "load_overran_window_s": round(max(0.0, overran), 2),
            "opened_after_deadline": found["opened_after_deadline"],
            "future_dated_escalations": future_dated,
            "due_at_error_max_ms": ms(max((abs(x) for x in found["due_error"]), default=None)),
            "process_cpu_percent_window": cpu_percent["process"],
            "broker_cpu_percent_window": cpu_percent["broker"],
            "process_rss_max_mb": vm_hwm_mb(pid),
            "timeline": timeline(window_start, args.spread, 6, found),
            **closing_fields(loadavg_before),
        }
        problems = []
        if result["escalations_accepted"] != n:
            problems.append(f"{n - result['escalations_accepted']} escalations failed")
        for name in ("opened", "breaches", "penalties"):
            if result[name] != n:
                problems.append(f"{name} {result[name]} of {n}")
        for name in ("opened_duplicates", "breach_duplicates", "penalty_duplicates",
                     "penalty_reversals", "customer_breaches", "unknown_engagements"):
            if result[name]:
                problems.append(f"{name} {result[name]}")
        if found["wrong_amounts"]:
            problems.append(f"{found['wrong_amounts']} penalties not of {args.penalty_amount}")
        if total != expected_total:
            problems.append(f"GetPenalties total {total} != {expected_total}")
        if found["opened_after_deadline"]:
            problems.append(f"{found['opened_after_deadline']} engagements opened after their "
                            "deadline (the load overran the window: raise --lead)")
        result["problems"] = problems
        result["ok"] = not problems
        log(f"done: {found['opened']}/{n} opened, {found['breaches']} supplier breaches, "
            f"{found['penalties']} penalties, total {total} JPY (expected {expected_total}); "
            f"open p50/p99 {result['open_p50_ms']}/{result['open_p99_ms']} ms, breach "
            f"{result['breach_p50_ms']}/{result['breach_p99_ms']} ms, penalty "
            f"{result['penalty_p50_ms']}/{result['penalty_p99_ms']} ms")
        code = log_problems(problems)
    except (KeyboardInterrupt, Interrupted):
        interrupted = True
        log("interrupted: stopping")
        code = 130
    finally:
        restore_handlers(previous_handlers)
        try:
            if load is not None:
                load.stop.set()
            for t in threads:
                t.join(args.rpc_timeout)
            if collector is not None:
                collector.stop()
                collector.join(10)
            if system is not None:
                log("stopping the services")
                system.stop()
            if broker is not None:
                broker.stop()
        finally:
            remove_temp(tmp, args.keep, "broker.log, data/")
    print_result(result, interrupted, args.label)
    return code


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Supplier path benchmark: escalation → engagement → supplier breach → "
                    "penalty, all services in this process (see bench/README.md)")
    parser.add_argument("--engagements", type=int, default=500,
                        help="inquiries to escalate to the supplier (default 500)")
    parser.add_argument("--clients", type=int, default=8,
                        help="concurrent gRPC clients of intake (default 8)")
    parser.add_argument("--spread", type=float, default=60.0,
                        help="seconds over which the ACKNOWLEDGE deadlines fall (default 60)")
    parser.add_argument("--lead", type=float, default=20.0,
                        help="seconds from the start of the load to the first possible "
                             "deadline (default 20)")
    parser.add_argument("--penalty-amount", type=int, default=5000,
                        help="the contract's FIXED penalty per breach, JPY (default 5000)")
    parser.add_argument("--database-url-prefix",
                        help="PostgreSQL instead of SQLite: each service's URL is this prefix "
                             "+ its name (intake, sla_monitor, supplier), or the prefix with "
                             "{service} replaced, e.g. postgresql://u:pw@127.0.0.1:5432/"
                             "bench_{service} (a socket: postgresql://u@:5432/bench_{service}"
                             "?host=/run/postgresql); the databases must exist and be empty")
    add_common_arguments(parser)
    parser.add_argument("--fetch-max-wait-ms", type=int, default=5,
                        help="the services' consumer fetch wait (default 5)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="how long after the last deadline to wait (default 60)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds to wait after registering, and to keep reading at the end "
                             "for duplicates (default 2)")
    add_in_process_arguments(parser)
    args = parser.parse_args(argv)
    prefix = args.database_url_prefix
    reject(parser,
           (args.engagements < 1, "--engagements must be at least 1"),
           (args.clients < 1, "--clients must be at least 1"),
           (args.spread <= 0, "--spread must be positive"),
           (args.lead < 1, "--lead must be at least 1"),
           # occurred_at = deadline − 60 s; intake accepts times at most 300 s ahead.
           (args.lead + args.spread - ACKNOWLEDGE_SECONDS > MAX_FUTURE_SECONDS,
            f"--lead + --spread must be at most {MAX_FUTURE_SECONDS + ACKNOWLEDGE_SECONDS} s "
            "(later escalation times would lie too far in the future for intake)"),
           (args.penalty_amount < 1, "--penalty-amount must be at least 1"),
           (args.partitions < 1, "--partitions must be at least 1"),
           (bool(prefix) and not prefix.startswith("postgres"),
            "--database-url-prefix must be a postgresql:// URL"))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.log_level)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
