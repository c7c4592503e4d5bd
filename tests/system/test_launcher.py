"""The README's run command: ``madoguchi up`` then ``madoguchi demo``, stop, start again.

Runs the real launcher as a user would: the embedded broker and each service as their
own processes, on SQLite files under a data directory.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from madoguchi.api.projections.v1 import projections_pb2 as qpb
from madoguchi.api.projections.v1 import projections_pb2_grpc
from madoguchi.api.sla.v1 import sla_monitor_pb2 as spb
from madoguchi.api.sla.v1 import sla_monitor_pb2_grpc
from madoguchi.rpc.channels import open_channel
from tests.conftest import free_port
from tests.support.system import eventually


def launcher_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MADOGUCHI_DATA_DIR": str(data_dir),
        "MADOGUCHI_EMBEDDED_KAFKA_PORT": str(free_port()),
        "MADOGUCHI_INTAKE_PORT": str(free_port()),
        "MADOGUCHI_PROJECTIONS_PORT": str(free_port()),
        "MADOGUCHI_INTAKE_METRICS_PORT": str(free_port()),
        "MADOGUCHI_PROJECTIONS_METRICS_PORT": str(free_port()),
        "MADOGUCHI_SLA_MONITOR_PORT": str(free_port()),
        "MADOGUCHI_SLA_MONITOR_METRICS_PORT": str(free_port()),
        "MADOGUCHI_SUPPLIER_PORT": str(free_port()),
        "MADOGUCHI_SUPPLIER_METRICS_PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS", None)
    return env


def start_up(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "madoguchi_cli", "up"], env=env,
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    eventually(lambda: "all services healthy" in log.read_text(encoding="utf-8")
               or process.poll() is not None, timeout=90)
    assert process.poll() is None, log.read_text(encoding="utf-8")
    return process


def stop_up(process: subprocess.Popen[bytes], log: Path) -> None:
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert process.wait(60) == 0, log.read_text(encoding="utf-8")


def total(env: dict[str, str], **filters: object) -> int:
    with open_channel(f"127.0.0.1:{env['MADOGUCHI_PROJECTIONS_PORT']}") as channel:
        stub = projections_pb2_grpc.InquiryQueryServiceStub(channel)
        return stub.ListInquiries(qpb.ListInquiriesRequest(**filters)).total_size  # type: ignore[arg-type]


def alert_ids(env: dict[str, str]) -> set[str]:
    address = f"127.0.0.1:{env['MADOGUCHI_SLA_MONITOR_PORT']}"
    with open_channel(address) as channel:
        stub = sla_monitor_pb2_grpc.SlaMonitorServiceStub(channel)
        listed = stub.ListAlerts(spb.ListAlertsRequest(page_size=500))
        return {a.alert_id for a in listed.alerts}


def madoguchi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "madoguchi_cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def check_reporting_commands(env: dict[str, str], tmp_path: Path, inquiries: int) -> None:
    """The reporting commands against the running system: CSV, report, rebuild."""
    csv_file = tmp_path / "kpis.csv"
    madoguchi(env, "query", "kpi_summary", "-p", "period=month", "--output", str(csv_file))
    with csv_file.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(int(r["received"]) for r in rows) == inquiries
    month = rows[-1]["period_key"]
    made = madoguchi(env, "report", "--agreement", "citizen-standard", "--month", month,
                     "--out", str(tmp_path / "reports")).stdout.split()
    html, pdf = Path(made[0]), Path(made[1])
    assert "区民サービス標準" in html.read_text(encoding="utf-8")
    assert pdf.read_bytes().startswith(b"%PDF")
    rebuilt = madoguchi(env, "projections", "rebuild").stdout
    assert "rebuilt generation 2" in rebuilt, rebuilt
    eventually(lambda: "2  ACTIVE" in madoguchi(env, "projections", "generations").stdout)
    assert total(env) == inquiries


def test_up_demo_stop_and_restart_lose_nothing(tmp_path: Path) -> None:
    env = launcher_env(tmp_path / "data")
    log = tmp_path / "up.log"
    process = start_up(env, log)
    try:
        demo = subprocess.run([sys.executable, "-m", "madoguchi_cli", "demo", "--size", "40",
                               "--watch-seconds", "120"],
                              env=env, capture_output=True, text=True, timeout=200)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert "失敗 0 failed" in demo.stdout
        # The live part: the console watch saw a warning, then the breach, of inquiry A.
        assert re.search(r"▶ A .* WARNING ", demo.stdout), demo.stdout
        assert re.search(r"▶ A .* BREACH ", demo.stdout), demo.stdout
        # The suppliers: the maintenance vendor acknowledged 2 h 25 min late, 2 started
        # hours at 10 000 yen each; the gap (no contract for ごみ) was reported, not dropped.
        assert "委託先SLA違反 supplier breach" in demo.stdout, demo.stdout
        assert "違約金 penalty 20,000 円" in demo.stdout, demo.stdout
        assert "NO_CONTRACT" in demo.stdout, demo.stdout
        alerts = alert_ids(env)
        assert alerts
        inquiries = eventually(lambda: total(env) >= 35 and total(env), timeout=60)
        time.sleep(1)
        assert total(env) == inquiries
        resolved = total(env, status=["RESOLVED", "CLOSED"])
        with sqlite3.connect(tmp_path / "data" / "projections.db") as db:
            old_clusters = {row[0] for row in db.execute("SELECT cluster_id FROM consumer_offsets")}
        metrics = urllib.request.urlopen(  # loopback only
            f"http://127.0.0.1:{env['MADOGUCHI_INTAKE_METRICS_PORT']}/metrics", timeout=5
        ).read().decode()
        assert 'method="ReceiveInquiry"' in metrics
        assert "madoguchi_relay_lag_events 0.0" in metrics
        check_reporting_commands(env, tmp_path, inquiries)
    finally:
        stop_up(process, log)
    output = log.read_text(encoding="utf-8")
    for name in ("intake", "projections", "sla_monitor", "supplier"):
        assert f"{name} stopped (0)" in output
    assert "broker stopped" in output

    # A second start: a fresh in-memory broker; every event is published again and the
    # read model, fed the same events twice, still counts each inquiry once.
    log = tmp_path / "up-again.log"
    process = start_up(env, log)
    try:
        assert total(env) == inquiries
        assert total(env, status=["RESOLVED", "CLOSED"]) == resolved
        def clusters() -> set[str]:
            """Clusters the served read-model generation holds positions for."""
            with sqlite3.connect(tmp_path / "data" / "projections.db") as db:
                return {row[0] for row in db.execute(
                    "SELECT cluster_id FROM consumer_offsets WHERE consumer = (SELECT "
                    "'projections-g' || generation FROM projection_generations "
                    "WHERE state = 'ACTIVE')")}

        # Positions of the previous (gone) broker are forgotten once the new one is read.
        eventually(lambda: len(clusters()) == 1 and clusters() != old_clusters, timeout=60)
        again = subprocess.run([sys.executable, "-m", "madoguchi_cli", "demo", "--size", "40",
                                "--no-live"],
                               env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and "新規 0 stored" in again.stdout, again.stdout
        time.sleep(2)
        assert total(env) == inquiries
        # The monitor kept its alerts across the restart (its own store is the truth).
        assert alerts <= alert_ids(env)
    finally:
        stop_up(process, log)
