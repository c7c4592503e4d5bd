"""Plumbing every benchmark script shares: progress lines, redacted URLs, the commit
measured, a process's CPU time, and SIGTERM as an interruption."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
_BEGIN = time.monotonic()


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads, finished ones included)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Interrupted(Exception):
    """Ctrl-C or SIGTERM: stop what was started, print what was measured so far."""


def on_sigterm(*_: Any) -> None:
    raise Interrupted("SIGTERM")


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every benchmark takes: the broker, its partitions, the seed, a label."""
    parser.add_argument("--bootstrap",
                        help="use this Kafka (host:port) instead of starting the embedded broker")
    parser.add_argument("--partitions", type=int, default=6,
                        help="partitions of the bench's topics (default 6, as configured)")
    parser.add_argument("--seed", type=int, default=1, help="seed for deadlines and content")
    parser.add_argument("--label", default="", help="copied into the JSON result")


def print_result(result: dict[str, Any] | None, interrupted: bool, label: str) -> None:
    """The last stdout line: the result, or a marker that the run was interrupted."""
    if result is not None:
        print(json.dumps(result, ensure_ascii=False), flush=True)
    elif interrupted:
        print(json.dumps({"label": label, "interrupted": True}), flush=True)
