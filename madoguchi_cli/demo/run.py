"""``run_demo`` and the command line: the day, then the suppliers, then live."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TextIO

import grpc

from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.rpc.channels import open_channel
from madoguchi_cli.demo.live import run_live
from madoguchi_cli.demo.plan import plan_day, yesterday_in_tokyo
from madoguchi_cli.demo.runner import Runner
from madoguchi_cli.demo.scenario import READY_TIMEOUT_SECONDS, TOKYO, WATCH_SECONDS
from madoguchi_cli.watch import (
    ensure_utf8,
)


def run_demo(intake_address: str, *, day: date | None = None, seed: int = 7, size: int = 120,
             out: TextIO = sys.stdout, live: bool = True, watch: bool = True,
             watch_seconds: float = WATCH_SECONDS,
             sla_monitor_address: str | None = None,
             supplier_address: str | None = None, suppliers: bool = True) -> dict[str, int]:
    """Send a planned day to the intake service, then the live inquiries; return counts.

    The default day is yesterday in Asia/Tokyo, because the server rejects times more than
    5 minutes ahead. Counts of the day: inquiries, attempts (telephony records), abandoned,
    resolved, closed, escalated, open (at the end of the day, as the server reports them),
    calls (RPCs answered), stored (calls that stored something new), replayed (steps already
    stored by an earlier run) and failed. With ``live`` (see ``run_live``) also
    live_inquiries, live_stored, live_replayed, live_failed, live_breach (1 when the watch
    saw the unanswered one breach) and historical_alerts (other warnings and breaches seen
    during the watch). With ``suppliers`` (see ``madoguchi_cli.demo.suppliers``) the day's
    supplier scenarios run between the two, adding suppliers, contracts, engagements,
    supplier_calls and penalty_yen.
    """
    day = day or yesterday_in_tokyo()
    scenarios = plan_day(day, seed=seed, size=size)
    latest = max(step.at for s in scenarios for step in s.steps)
    if latest > datetime.now(UTC) + timedelta(minutes=4):
        raise ValueError(f"{day} ends at {latest.astimezone(TOKYO):%H:%M} Asia/Tokyo, which "
                         "has not happened yet: choose an earlier day")
    if watch_seconds <= 0:
        raise ValueError("watch_seconds must be positive")
    inquiries = sum(1 for s in scenarios if s.creates_inquiry)
    print(f"窓口デモ Madoguchi demo: {day} (Asia/Tokyo), seed {seed} → {intake_address}\n"
          f"  問い合わせ {inquiries} 件 inquiries, 放棄呼 {len(scenarios) - inquiries} 件 "
          f"abandoned calls", file=out, flush=True)
    channel = open_channel(intake_address)
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=READY_TIMEOUT_SECONDS)
        except grpc.FutureTimeoutError:
            raise TimeoutError(f"intake service at {intake_address} is not ready after "
                               f"{READY_TIMEOUT_SECONDS:.0f} s") from None
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        runner = Runner(stub, scenarios, out)
        counts = runner.run()
        print(f"完了 done: 問い合わせ {counts['inquiries']} inquiries, "
              f"解決 {counts['resolved']} resolved (うちクローズ {counts['closed']} closed), "
              f"エスカレーション {counts['escalated']} escalated, 未完了 {counts['open']} open, "
              f"通話記録 {counts['attempts']} call records", file=out)
        print(f"  steps: 新規 {counts['stored']} stored, 登録済み {counts['replayed']} already "
              f"there (idempotent), 失敗 {counts['failed']} failed", file=out)
        if counts["stored"] == 0 and counts["failed"] == 0:
            print("  この日はすでに登録済みです。Nothing new: this day was already sent.",
                  file=out)
        else:
            print("  SLA: この日の期限切れはまとめて通知されます。The SLA monitor measures this "
                  "day too: deadlines that already passed are raised at once as it catches "
                  "up, and their notifications are grouped per team (one message with a "
                  "list).", file=out)
        for line in runner.errors[:10]:
            print(f"  エラー error: {line}", file=out)
        out.flush()
        if suppliers:
            from madoguchi.config import load_settings
            from madoguchi_cli.demo.suppliers import run_supplier_demo

            counts.update(run_supplier_demo(
                stub, supplier_address or load_settings().address("supplier"), day, out))
        if live:
            if sla_monitor_address is None:
                from madoguchi.config import load_settings

                sla_monitor_address = load_settings().address("sla_monitor")
            counts.update(run_live(stub, sla_monitor_address, watch=watch,
                                   watch_seconds=watch_seconds, out=out))
    finally:
        channel.close()
    return counts


def _seconds(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return number


def add_live_arguments(parser: argparse.ArgumentParser) -> None:
    """The live part's options (for ``madoguchi demo`` and ``python -m madoguchi_cli.demo``)."""
    parser.add_argument("--sla-monitor", metavar="ADDRESS", default="",
                        help="SLA monitor address (default from configuration)")
    parser.add_argument("--watch-seconds", type=_seconds, default=WATCH_SECONDS,
                        metavar="SECONDS", help="stop watching the live alerts after this long "
                        f"if no breach came (default {WATCH_SECONDS:g})")
    parser.add_argument("--no-watch", action="store_true",
                        help="send the live inquiries but do not watch the SLA monitor")
    parser.add_argument("--no-live", action="store_true",
                        help="only the historical day: no live inquiries, no watch")
    parser.add_argument("--supplier", metavar="ADDRESS", default="",
                        help="supplier service address (default from configuration)")
    parser.add_argument("--no-suppliers", action="store_true",
                        help="skip the supplier scenarios (operator and maintenance vendor)")


def exit_status(counts: dict[str, int]) -> int:
    """1 when any call of the day, the live part or the supplier scenarios failed."""
    return 1 if (counts["failed"] or counts.get("live_failed")
                 or counts.get("supplier_failed")) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m madoguchi_cli.demo [--intake HOST:PORT] [--day YYYY-MM-DD] …``."""
    parser = argparse.ArgumentParser(description="Send a demo day of a municipal contact "
                                                 "centre to the intake service, then live "
                                                 "inquiries, and watch their SLA alerts.")
    parser.add_argument("--intake", default="", help="intake address (default from settings)")
    parser.add_argument("--day", type=date.fromisoformat, default=None,
                        help="the day to play (default: yesterday in Asia/Tokyo)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=120, help="scenarios, abandoned calls "
                                                              "included")
    add_live_arguments(parser)
    args = parser.parse_args(argv)
    from madoguchi.config import load_settings

    ensure_utf8(sys.stdout)
    settings = load_settings()
    counts = run_demo(args.intake or settings.address("intake"), day=args.day, seed=args.seed,
                      size=args.size, live=not args.no_live, watch=not args.no_watch,
                      watch_seconds=args.watch_seconds,
                      sla_monitor_address=args.sla_monitor or settings.address("sla_monitor"),
                      supplier_address=args.supplier or settings.address("supplier"),
                      suppliers=not args.no_suppliers)
    return exit_status(counts)


if __name__ == "__main__":
    raise SystemExit(main())
