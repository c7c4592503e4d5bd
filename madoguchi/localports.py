"""Free loopback ports for processes a test or benchmark starts itself.

A port from ``bind(("127.0.0.1", 0))`` is free only until its socket closes, and the
kernel may hand the same number out again before anyone listens on it: two services
of one launcher were once given the same port. Remembering what this process has
handed out, and never giving it out twice, rules that out.
"""

from __future__ import annotations

import socket
import threading

_issued: set[int] = set()
_lock = threading.Lock()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now and that this process has not handed out before."""
    with _lock:
        while True:
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = int(probe.getsockname()[1])
            if port not in _issued:
                _issued.add(port)
                return port
