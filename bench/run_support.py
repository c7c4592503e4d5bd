"""Plumbing the benchmark scripts share (bench/projections.py, bench/supplier.py and
bench/sla.py import it): progress lines, redacted URLs, the commit measured, CPU time and
peak memory from /proc, SIGTERM as an interruption, the options and usage checks they have
in common, the temp directory, the embedded broker, databases, topics and settings of
services run in the bench's own process, client threads, stoppable threads and a reader of
whole topics, the sample citizens and their subjects, the slices of a deadline window for
timelines, and the fields that open and close every result."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from kafka import KafkaConsumer, TopicPartition

from madoguchi.broker import EmbeddedBroker
from madoguchi.config import AlertSettings, Settings, Topics
from madoguchi.eventstream.topics import ensure_topics
from madoguchi.localports import free_port
from madoguchi.rpc.channels import open_channel
from madoguchi.storage.urls import parse_database_url

_ROOT = Path(__file__).resolve().parent.parent
_BEGIN = time.monotonic()

# Citizens of the sample load (family name, given name), as a municipal desk meets them.
FAMILY_NAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
GIVEN_NAMES = ("太郎", "花子", "健一", "美咲", "大輔", "由美", "翔太", "陽子", "直樹", "恵")
# (category, department, subject, body): a municipal citizens' desk.
CITIZEN_SUBJECTS = (
    ("住民票", "市民課", "住民票の写しの取得方法について",
     "転職先に提出するため住民票の写しが必要です。本人確認書類は何が必要ですか。"),
    ("ごみ収集", "環境課", "粗大ごみの出し方",
     "引っ越しでタンスとベッドを処分したいです。粗大ごみの申込み方法と料金を教えてください。"),
    ("戸籍", "市民課", "戸籍謄本の請求について",
     "相続手続きのため、父の出生から死亡までの戸籍謄本が必要です。どこに請求すればよいですか。"),
    ("国民健康保険", "保険年金課", "保険証の再発行",
     "保険証を紛失してしまいました。再発行の手続きと期間を知りたいです。"),
    ("市税", "税務課", "住民税の納付書が届かない",
     "住民税の納付書がまだ届いていません。納期限に間に合うか心配です。"),
    ("子育て支援", "子育て支援課", "児童手当の申請について",
     "先月子どもが生まれました。児童手当の申請期限と必要書類を教えてください。"),
    ("道路", "道路課", "歩道の段差で転びそうになった",
     "駅前の歩道に大きな段差があり、高齢の母が転びそうになりました。補修をお願いします。"),
    ("公園", "公園緑地課", "公園の遊具が壊れている",
     "中央公園のブランコの鎖が外れかけています。子どもが使うので危ないです。"),
)


def log(message: str) -> None:
    """A progress line on stderr, with the seconds since the script started."""
    print(f"[{time.monotonic() - _BEGIN:7.1f}s] {message}", file=sys.stderr, flush=True)


def redact(url: str) -> str:
    """A database URL without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}{sep}{userinfo.partition(':')[0]}:***@{host}{slash}{tail}"


def source_commit() -> str:
    """The checkout's HEAD commit (read only), so figures can be tied to the code measured."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=_ROOT,
                              capture_output=True, text=True, timeout=5,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def ts(moment: datetime) -> Timestamp:
    """A protobuf Timestamp of an aware datetime."""
    value = Timestamp()
    value.FromDatetime(moment)
    return value


# --------------------------------------------------------------------------------------
# /proc: CPU time and memory
# --------------------------------------------------------------------------------------


def stat_cpu_seconds(stat_file: str) -> float | None:
    """User + system CPU seconds from a /proc ``stat`` file (a process's or one thread's);
    None when it cannot be read (the process or thread is gone)."""
    try:
        with open(stat_file) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads, finished ones included)."""
    seconds = stat_cpu_seconds(f"/proc/{pid}/stat")
    return 0.0 if seconds is None else seconds


def read_proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (empty when it is gone)."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    name, value = line.split(":", 1)
                    found[name] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident memory of a process in MB (None when it cannot be read)."""
    kb = read_proc_status(pid).get("VmHWM")
    return None if kb is None else round(kb / 1024, 1)


# --------------------------------------------------------------------------------------
# Interruptions, options, the temp directory, the result
# --------------------------------------------------------------------------------------


class Interrupted(Exception):
    """Ctrl-C or SIGTERM: stop what was started, print what was measured so far."""


def on_sigterm(*_: Any) -> None:
    raise Interrupted("SIGTERM")


def catch_interrupts() -> tuple[Any, Any]:
    """SIGTERM raises ``Interrupted`` and SIGINT ``KeyboardInterrupt`` (also when a shell
    started the bench in the background, which ignores SIGINT there). Returns the previous
    handlers, for ``restore_handlers``."""
    previous_term = signal.signal(signal.SIGTERM, on_sigterm)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    return previous_term, previous_int


def restore_handlers(previous: tuple[Any, Any]) -> None:
    """Undo ``catch_interrupts``."""
    signal.signal(signal.SIGTERM, previous[0])
    signal.signal(signal.SIGINT, previous[1])


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every benchmark takes: the broker, its partitions, the seed, a label."""
    parser.add_argument("--bootstrap",
                        help="use this Kafka (host:port) instead of starting the embedded broker")
    parser.add_argument("--partitions", type=int, default=6,
                        help="partitions of the bench's topics (default 6, as configured)")
    parser.add_argument("--seed", type=int, default=1, help="seed for deadlines and content")
    parser.add_argument("--label", default="", help="copied into the JSON result")


def add_in_process_arguments(parser: argparse.ArgumentParser) -> None:
    """The last options of a bench that runs the services in its own process."""
    parser.add_argument("--rpc-timeout", type=float, default=30.0,
                        help="deadline of every gRPC call (default 30)")
    parser.add_argument("--start-timeout", type=float, default=60.0,
                        help="seconds to wait for the services' consumers (default 60)")
    parser.add_argument("--log-level", default="WARNING",
                        help="log level of the services (to stderr; default WARNING)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp directory (broker.log, SQLite files)")


def reject(parser: argparse.ArgumentParser, *rules: tuple[bool, str]) -> None:
    """Usage error (exit 2) with the message of the first rule whose condition holds."""
    for bad, message in rules:
        if bad:
            parser.error(message)


def configure_logging(level: str) -> None:
    """The services' log records on stderr, at ``level``."""
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def remove_temp(tmp: Path, keep: bool, contents: str) -> None:
    """Remove the run's temp directory, or say where it is (``--keep``)."""
    if keep:
        log(f"kept {tmp} ({contents})")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def window_slices(window_start: float, spread: float, slices: int
                  ) -> Iterator[tuple[float, float, dict[str, Any]]]:
    """Equal slices of a deadline window: (start, end, a timeline row with the slice's
    offsets from the window's start)."""
    width = spread / slices
    for i in range(slices):
        yield (window_start + i * width, window_start + (i + 1) * width,
               {"from_s": round(i * width, 1), "to_s": round((i + 1) * width, 1)})


def opening_fields(args: argparse.Namespace, started_at: float, commit: str, store: str,
                   store_version: str | None = None, in_process: bool = False
                   ) -> dict[str, Any]:
    """The first fields of a result: the run (label, start, commit), its store and broker."""
    return {
        "label": args.label,
        "started_at": datetime.fromtimestamp(started_at, UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "store": store,
        **({"store_version": store_version} if store_version is not None else {}),
        "broker": "external" if args.bootstrap else "embedded",
        **({"in_process": True} if in_process else {}),
        "partitions": args.partitions,
    }


def closing_fields(loadavg_before: float) -> dict[str, Any]:
    """The last fields of a finished run's result: the Python and the machine it ran on."""
    return {
        "interrupted": False,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_1m_before": round(loadavg_before, 2),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
    }


def log_problems(problems: list[str]) -> int:
    """Each problem as a progress line; the exit status: 0 without any, else 1."""
    for problem in problems:
        log(f"problem: {problem}")
    return 1 if problems else 0


def print_result(result: dict[str, Any] | None, interrupted: bool, label: str) -> None:
    """The last stdout line: the result, or a marker that the run was interrupted."""
    if result is not None:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    elif interrupted:
        print(json.dumps({"label": label, "interrupted": True}), flush=True)


# --------------------------------------------------------------------------------------
# The broker, the services' databases, topics and settings
# --------------------------------------------------------------------------------------


def broker_for(bootstrap: str | None, tmp: Path) -> tuple[EmbeddedBroker | None, str]:
    """(broker, bootstrap): the given Kafka, or the embedded broker started on a free port
    (logging to ``tmp/broker.log``); the bootstrap is empty when that broker did not start
    (logged, and stopped again)."""
    if bootstrap:
        return None, bootstrap
    broker = EmbeddedBroker(free_port(), log_file=tmp / "broker.log")
    try:
        broker.start()
    except (OSError, TimeoutError) as error:
        log(f"error: the embedded broker did not start: {error}")
        broker.stop()
        return None, ""
    log(f"embedded broker on {broker.bootstrap}")
    return broker, broker.bootstrap


def database_urls(prefix: str | None, data_dir: Path, services: Sequence[str]
                  ) -> dict[str, str]:
    """One URL per service: SQLite files in the temp directory, or for ``services`` the
    PostgreSQL template (``prefix`` + name, or ``{service}`` in it replaced)."""
    urls = {name: f"sqlite:///{data_dir / name}.db"
            for name in ("intake", "projections", "sla_monitor", "supplier")}
    if prefix:
        for name in services:
            urls[name] = prefix.replace("{service}", name) if "{service}" in prefix \
                else prefix + name
    return urls


def postgres_is_empty(url: str) -> bool:
    """True when the database (its schema) holds no tables yet."""
    import psycopg

    parsed = parse_database_url(url)
    with psycopg.connect(parsed.psycopg_conninfo(), autocommit=True) as conn:
        row = conn.execute("SELECT COUNT(*) FROM information_schema.tables "
                           "WHERE table_schema = %s", (parsed.schema or "public",)).fetchone()
        return row is not None and int(row[0]) == 0


def fresh_databases(urls: dict[str, str], services: Sequence[str], why: str) -> bool:
    """Whether the services' PostgreSQL databases can be used and are empty; logs the first
    that cannot or is not (``why``: what a used one would spoil)."""
    for name in services:
        try:
            empty = postgres_is_empty(urls[name])
        except Exception as error:
            log(f"error: cannot use {redact(urls[name])}: {error}")
            return False
        if not empty:
            log(f"error: {redact(urls[name])} is not empty; the bench needs fresh databases "
                f"({why})")
            return False
    return True


def service_topics(bootstrap: str, prefix: str, partitions: int, client_id: str,
                   dead_letters: bool = False) -> Topics:
    """Unique topics under ``prefix`` for the services (the projections' dead letters only
    when asked), created on the broker."""
    names = {"inquiries": f"{prefix}.inquiries",
             "contact_attempts": f"{prefix}.contact-attempts",
             "sla_signals": f"{prefix}.signals",
             "sla_agreements": f"{prefix}.agreements",
             "supplier_engagements": f"{prefix}.engagements",
             "supplier_registry": f"{prefix}.registry"}
    if dead_letters:
        names["projections_dead_letters"] = f"{prefix}.dead-letters"
    ensure_topics(bootstrap, list(names.values()), partitions, client_id)
    return Topics(**names)


def in_process_settings(args: argparse.Namespace, data_dir: Path, bootstrap: str,
                        topics: Topics, urls: dict[str, str], webhook_secret: str) -> Settings:
    """Settings of services started in this process: loopback, free ports, metrics off."""
    return Settings(
        data_dir=data_dir,
        kafka_bootstrap=bootstrap,
        embedded_kafka_port=0,
        host="127.0.0.1",
        ports={"intake": 0, "projections": 0, "sla_monitor": 0, "supplier": 0},
        database_urls=urls,
        metrics_ports={},          # metrics endpoints off
        topics=topics,
        topic_partitions=args.partitions,
        fetch_max_wait_ms=args.fetch_max_wait_ms,
        log_level=args.log_level,
        alerts=AlertSettings(seed_file="none", webhook_secret=webhook_secret),
    )


class InProcessServices:
    """Services started in this process (as tests/integration does), the gRPC channels the
    bench opened to them, and stopping both again."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.channels: list[grpc.Channel] = []
        self.services: list[Any] = []

    def start_services(self, *services: Any) -> None:
        for service in services:
            service.start()
            self.services.append(service)

    def consumers(self) -> dict[str, Any]:
        """The consumers that must hold partitions before the load starts, by name."""
        raise NotImplementedError

    def wait_assigned(self, timeout: float) -> list[str]:
        """Names of the consumers still without partitions after ``timeout`` (empty: all)."""
        consumers = self.consumers()
        deadline = time.monotonic() + timeout
        for consumer in consumers.values():
            consumer.assigned.wait(max(0.0, deadline - time.monotonic()))
        return [name for name, c in consumers.items() if not c.assigned.is_set()]

    def channel(self, address: str) -> grpc.Channel:
        channel = open_channel(address)
        self.channels.append(channel)
        return channel

    def stop(self) -> None:
        for channel in self.channels:
            channel.close()
        # Reverse order of start: the services that consume stop before intake stops.
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception as error:  # keep stopping the others
                log(f"warning: stopping {type(service).__name__} failed: {error!r}")
        self.services.clear()


# --------------------------------------------------------------------------------------
# Threads and reading topics
# --------------------------------------------------------------------------------------


def start_threads(name: str, count: int, target: Callable[..., None],
                  args_of: Callable[[int], tuple[Any, ...]]) -> list[threading.Thread]:
    """``count`` daemon threads ``name-0``, ``name-1``, … running ``target(*args_of(i))``,
    started."""
    threads = [threading.Thread(target=target, name=f"{name}-{i}", args=args_of(i),
                                daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    return threads


class StoppableThread(threading.Thread):
    """A daemon thread that runs until ``stop``."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()


class TopicReader(StoppableThread):
    """Reads partitions from the beginning with a plain consumer (no group, no commits,
    little fetch wait, large polls) until ``stop``, or with ``to_end`` until it has read
    up to the ends they had when it started; ``handle`` takes each poll's records.
    ``ready``: it is about to poll; ``done``: it has finished (failed: ``error``), or set
    by ``handle`` once it has seen what it waits for."""

    def __init__(self, name: str, bootstrap: str, client_id: str,
                 partitions: Sequence[TopicPartition], to_end: bool = False,
                 fetch_sessions: bool = False) -> None:
        super().__init__(name)
        self.ready = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self._partitions = list(partitions)
        self._to_end = to_end
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap.split(","), group_id=None, client_id=client_id,
            enable_auto_commit=False, auto_offset_reset="earliest", fetch_max_wait_ms=5,
            max_poll_records=2000,
            # tansu 0.6 (the embedded broker) spends more and more CPU on a long-lived
            # incremental fetch session once it has served some 30 000 small batches: up to
            # a whole core, which a 2-core machine then lacks (bench/README.md, SLA findings).
            enable_incremental_fetch_sessions=fetch_sessions)

    def handle(self, batches: dict[TopicPartition, list[Any]], now: float) -> None:
        """One poll's records by partition; ``now``: time.time() right after the poll."""
        raise NotImplementedError

    def run(self) -> None:
        try:
            self._consumer.assign(self._partitions)
            self._consumer.seek_to_beginning(*self._partitions)
            ends = self._consumer.end_offsets(self._partitions) if self._to_end else None
            self.ready.set()
            while not self._stop_event.is_set():
                batches = self._consumer.poll(timeout_ms=50)
                self.handle(batches, time.time())
                if ends is not None and all(self._consumer.position(tp) >= end
                                            for tp, end in ends.items()):
                    break
        except BaseException as error:  # reported by the main thread
            self.error = error
        finally:
            self.ready.set()
            self.done.set()
            self._consumer.close()


def event_type_of(record: Any) -> str:
    """The ``event_type`` header of a consumed record ("" without one)."""
    return next((v.decode() for k, v in (record.headers or []) if k == "event_type"), "")
