"""Free loopback ports for processes a test or benchmark starts itself.

A port from ``bind(("127.0.0.1", 0))`` is free only until its socket closes, and the
kernel may hand the same number out again before anyone listens on it: two services
of one launcher were once given the same port. Remembering what this process has
handed out, and never giving it out twice, rules that out within a process; a claim
file per port (created exclusively, in a shared temporary folder) rules it out between
processes that pick ports at the same time, such as parallel test workers.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from pathlib import Path

_issued: set[int] = set()
_lock = threading.Lock()
CLAIMS = Path(tempfile.gettempdir()) / "madoguchi-port-claims"
CLAIM_SECONDS = 3600.0   # a claim older than this is stale (its process is long gone)


def _claim(port: int) -> bool:
    """True if no other process claimed ``port`` within the last hour."""
    CLAIMS.mkdir(exist_ok=True)
    path = CLAIMS / str(port)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            if time.time() - path.stat().st_mtime < CLAIM_SECONDS:
                return False
            path.touch()   # stale: take it over
            return True
        except OSError:
            return False
    os.close(fd)
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now and that no process here has handed out lately."""
    with _lock:
        while True:
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = int(probe.getsockname()[1])
            if port not in _issued and _claim(port):
                _issued.add(port)
                return port
