"""The house rules hold: no service imports another, the shared kernel imports no service,
layers point one way (import-linter's contracts in pyproject.toml), and
docs/architecture.md shows the real import graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept() -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "BROKEN" not in done.stdout


def test_the_architecture_page_shows_the_real_import_graph() -> None:
    done = subprocess.run([sys.executable, "scripts/import_graph.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
