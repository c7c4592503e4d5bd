"""``madoguchi up``: start the broker (unless configured) and every service, supervise, stop.

Services run as their own processes in their own sessions, so Ctrl-C reaches only the
launcher, which then stops them in a safe order: intake first (its relay drains to the
broker), then the consumers, then the broker. While running, it supervises: a service
or an embedded broker that exits unexpectedly is started again with backoff
(``madoguchi_cli.supervision``), each restart logged and counted (``madoguchi status`` shows
the counts); after too many crashes in a row it gives up loudly and stops everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO

from madoguchi.broker import EmbeddedBroker
from madoguchi.config import SERVICES, Settings
from madoguchi_cli.status_report import health_of
from madoguchi_cli.supervision import RestartPolicy

COLORS = {"intake": "36", "projections": "35", "sla_monitor": "33", "supplier": "32",
          "broker": "34"}


def _prefix(name: str) -> str:
    label = f"{name:<12}|"
    if sys.stdout.isatty():
        return f"\x1b[{COLORS.get(name, '0')}m{label}\x1b[0m "
    return label + " "


def _pump(name: str, stream: IO[bytes], lock: threading.Lock) -> None:
    prefix = _prefix(name)
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", errors="replace").rstrip("\n")
        with lock:
            print(prefix + line, flush=True)


def check_health(address: str, timeout: float = 1.0) -> bool:
    return health_of(address, timeout) == "SERVING"


class Launcher:
    def __init__(self, settings: Settings, services: tuple[str, ...] = SERVICES) -> None:
        self.settings = settings
        self.services = services
        self.broker: EmbeddedBroker | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.policies: dict[str, RestartPolicy] = {}
        self._started_at: dict[str, float] = {}
        self._restart_at: dict[str, float] = {}   # part -> when to start it again
        self._env: dict[str, str] = {}
        self._print_lock = threading.Lock()
        self._stop = threading.Event()

    def say(self, text: str) -> None:
        with self._print_lock:
            print(_prefix("madoguchi") + text, flush=True)

    def start(self, health_timeout: float = 60.0) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["MADOGUCHI_DATA_DIR"] = str(self.settings.data_dir)
        if not self.settings.kafka_bootstrap:
            self._start_broker()
            assert self.broker is not None
            env["MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS"] = self.broker.bootstrap
        else:
            self.say(f"using Kafka at {self.settings.kafka_bootstrap}")
        env["PYTHONUNBUFFERED"] = "1"
        self._env = env
        self._save_state()
        for name in self.services:
            self._spawn(name)
        deadline = time.monotonic() + health_timeout
        waiting = set(self.services)
        while waiting and not self.stopping:
            for name in sorted(waiting):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited with {self.processes[name].returncode}")
                if check_health(self.settings.address(name)):
                    waiting.discard(name)
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"not healthy after {health_timeout} s: {sorted(waiting)}")
            time.sleep(0.2)
        if self.stopping:
            return
        self.say("all services healthy:")
        for name in self.services:
            metrics = self.settings.metrics_ports.get(name, 0)
            where = (f", metrics http://{self.settings.host}:{metrics}/metrics"
                     if metrics else "")
            self.say(f"  {name:<12} gRPC {self.settings.address(name)} "
                     f"(health + reflection on{where})")
        self.say(f"  data         {self.settings.data_dir}")
        self.say("try: madoguchi demo    stop: Ctrl-C")

    def handle_signals(self) -> None:
        """Ctrl-C and SIGTERM, also during start-up, lead to an orderly stop."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self._stop.set())

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _start_broker(self) -> None:
        """The embedded broker: in memory, so each start is a new, empty cluster."""
        self.broker = EmbeddedBroker(self.settings.embedded_kafka_port,
                                     log_file=self.settings.data_dir / "broker.log")
        self.broker.start()
        self._started_at["broker"] = time.monotonic()
        self.say(f"embedded Kafka-protocol broker (tansu) on {self.broker.bootstrap} "
                 f"(cluster {self.broker.cluster_id}, in memory)")

    def _spawn(self, name: str) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "madoguchi_cli", "serve", name], env=self._env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.processes[name] = process
        self._started_at[name] = time.monotonic()
        assert process.stdout is not None
        threading.Thread(target=_pump, args=(name, process.stdout, self._print_lock),
                         daemon=True).start()

    def _exited(self) -> list[tuple[str, int | None]]:
        """Parts that ended on their own and are not already waiting for a restart."""
        gone = [(name, p.returncode) for name, p in self.processes.items()
                if p.poll() is not None and name not in self._restart_at]
        if (self.broker is not None and not self.broker.running
                and "broker" not in self._restart_at):
            process = self.broker.process
            gone.append(("broker", process.returncode if process is not None else None))
        return gone

    def _schedule_restart(self, name: str, code: int | None, now: float) -> bool:
        """Plan the restart of a part that exited; False when it is time to give up."""
        policy = self.policies.setdefault(name, RestartPolicy())
        delay = policy.crashed(now, now - self._started_at.get(name, now))
        if delay is None:
            self.say(f"{name} exited ({code}) {policy.burst + 1} times within "
                     f"{policy.window:.0f} s; giving up and stopping all")
            return False
        self.say(f"{name} exited unexpectedly ({code}); restart {policy.restarts} "
                 f"in {delay:.0f} s")
        self._restart_at[name] = now + delay
        self._save_state()
        return True

    def _restart_due(self, now: float) -> None:
        for name, when in sorted(self._restart_at.items(), key=lambda kv: kv[1]):
            if when > now:
                continue
            try:
                if name == "broker":
                    self._start_broker()
                else:
                    self._spawn(name)
            except OSError as error:
                self.say(f"{name} did not start again: {error}")
                self._restart_at[name] = now + 2.0
                continue
            del self._restart_at[name]
            self.say(f"{name} started again")

    def _save_state(self) -> None:
        """Restart counts for ``madoguchi status``."""
        state = {"restarts": {n: p.restarts for n, p in self.policies.items()},
                 "pid": os.getpid()}
        path = self.settings.data_dir / "launcher-state.json"
        with contextlib.suppress(OSError):
            path.write_text(json.dumps(state))

    def watch(self) -> int:
        """Supervise until a signal (0) or a part crashing too often (1)."""
        while not self._stop.wait(0.5):
            now = time.monotonic()
            for name, code in self._exited():
                if not self._schedule_restart(name, code, now):
                    return 1
            self._restart_due(now)
        return 0

    def stop(self) -> None:
        self.say("stopping…")
        order = [n for n in ("intake", "supplier", "sla_monitor", "projections")
                 if n in self.processes]
        for name in order:
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    self.say(f"{name} did not stop in 30 s; killing it")
                    process.kill()
                    process.wait()
            self.say(f"{name} stopped ({process.returncode})")
        if self.broker is not None:
            self.broker.stop()
            self.say("broker stopped")
        with contextlib.suppress(OSError):
            (self.settings.data_dir / "launcher-state.json").unlink()


def up(settings: Settings) -> int:
    launcher = Launcher(settings)
    launcher.handle_signals()
    try:
        launcher.start()
        if launcher.stopping:
            return 0
        return launcher.watch()
    except (RuntimeError, TimeoutError, OSError) as error:
        launcher.say(f"start failed: {error}")
        return 1
    finally:
        launcher.stop()
