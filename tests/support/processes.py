"""Services as real processes (``python -m madoguchi_cli serve <name>``), for kill -9 tests."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from madoguchi_cli.launcher import check_health
from tests.support.system import eventually


class Service:
    """One service process; ``env`` holds its whole configuration."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.env, self.log = name, env, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.env[f'MADOGUCHI_{self.name.upper()}_PORT']}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "madoguchi_cli", "serve", self.name], env=self.env,
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        eventually(lambda: check_health(self.address), timeout=60)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
