"""``madoguchi up``: start the broker (unless configured) and every service, watch, stop.

Services run as their own processes in their own sessions, so Ctrl-C reaches only the
launcher, which then stops them in a safe order: intake first (its relay drains to the
broker), then the consumers, then the broker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from madoguchi.broker import EmbeddedBroker
from madoguchi.config import SERVICES, Settings

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
    with grpc.insecure_channel(address) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError:
            return False
        return response.status == health_pb2.HealthCheckResponse.SERVING


class Launcher:
    def __init__(self, settings: Settings, services: tuple[str, ...] = SERVICES) -> None:
        self.settings = settings
        self.services = services
        self.broker: EmbeddedBroker | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
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
            self.broker = EmbeddedBroker(self.settings.embedded_kafka_port,
                                         log_file=self.settings.data_dir / "broker.log")
            self.broker.start()
            self.say(f"embedded Kafka-protocol broker (tansu) on {self.broker.bootstrap} "
                     f"(cluster {self.broker.cluster_id}, in memory)")
            env["MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS"] = self.broker.bootstrap
        else:
            self.say(f"using Kafka at {self.settings.kafka_bootstrap}")
        env["PYTHONUNBUFFERED"] = "1"
        for name in self.services:
            process = subprocess.Popen(
                [sys.executable, "-m", "madoguchi", "serve", name], env=env,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            )
            self.processes[name] = process
            assert process.stdout is not None
            threading.Thread(target=_pump, args=(name, process.stdout, self._print_lock),
                             daemon=True).start()
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

    def watch(self) -> int:
        """Block until a signal or a part exits; return the exit code for the launcher."""
        while not self._stop.wait(0.5):
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.say(f"{name} exited unexpectedly ({process.returncode}); stopping all")
                    return 1
            if self.broker is not None and not self.broker.running:
                self.say("the embedded broker exited unexpectedly; stopping all")
                return 1
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
