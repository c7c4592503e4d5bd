"""The ``madoguchi`` command: run the system or one service, the demo, watch SLA alerts,
or check health."""

from __future__ import annotations

import argparse
import sys

from madoguchi.config import SERVICES, load_settings
from madoguchi.observability import tracing
from madoguchi.observability.logs import configure_logging


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return number


def main(argv: list[str] | None = None) -> int:
    from madoguchi_cli.demo.run import add_live_arguments

    parser = argparse.ArgumentParser(prog="madoguchi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start the broker (unless configured) and all services")
    serve = sub.add_parser("serve", help="run one service in the foreground")
    serve.add_argument("service", choices=SERVICES)
    demo = sub.add_parser("demo", help="send a realistic day of a municipal contact centre")
    demo.add_argument("--intake", help="intake address (default from configuration)")
    demo.add_argument("--day", help="YYYY-MM-DD (default: yesterday in Asia/Tokyo)")
    demo.add_argument("--size", type=int, default=120, help="number of inquiries")
    demo.add_argument("--seed", type=int, default=7)
    add_live_arguments(demo)
    watch = sub.add_parser(
        "watch", help="on-call console: SLA warnings and breaches as they happen",
        description="Follow the SLA monitor's alerts, one line each in Asia/Tokyo time. "
                    "Reconnects when the monitor is unavailable and resumes after the last "
                    "line printed. Exit codes: 0 (breach seen with --until-breach, or the "
                    "--timeout ended a plain watch), 1 (--until-breach and the timeout came "
                    "first), 2 (request refused), 130 (Ctrl-C).")
    watch.add_argument("--team", default="",
                       help="only this team's alerts (id or name, e.g. citizen-desk)")
    watch.add_argument("--include-stops", action="store_true",
                       help="also clock stops (targets met or missed)")
    watch.add_argument("--sla-monitor", metavar="ADDRESS",
                       help="SLA monitor address (default from configuration)")
    watch.add_argument("--until-breach", action="store_true",
                       help="exit 0 after the first BREACH")
    watch.add_argument("--timeout", type=_positive, metavar="SECONDS",
                       help="stop after this long")
    watch.add_argument("--after", type=int, default=0, metavar="POSITION",
                       help="resume after this feed position (default: from now)")
    sub.add_parser("status", help="health of every service and what its consumers see")
    from madoguchi_cli.projections_commands import (
        add_projections_commands,
        add_report_command,
    )
    from madoguchi_cli.query_command import add_query_arguments

    add_projections_commands(sub)
    add_report_command(sub)
    query = sub.add_parser(
        "query", help="run a read-model query; CSV, TSV or JSON lines out",
        description="Runs one of the projections' queries (see --list) over gRPC and "
                    "writes every row, all pages, as CSV (default), TSV or JSON lines.")
    add_query_arguments(query)
    args = parser.parse_args(argv)
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)

    if args.command == "up":
        from madoguchi_cli.launcher import up

        return up(settings)
    if args.command == "serve":
        if args.service == "intake":
            from services.intake.main import run
        elif args.service == "sla_monitor":
            from services.sla_monitor.main import run
        elif args.service == "supplier":
            from services.supplier.main import run
        else:
            from services.projections.main import run
        tracing.configure(f"madoguchi-{args.service.replace('_', '-')}")
        run(settings)
        return 0
    if args.command == "demo":
        from datetime import date

        from madoguchi_cli.demo.run import exit_status, run_demo
        from madoguchi_cli.watch import ensure_utf8

        ensure_utf8(sys.stdout)
        day = date.fromisoformat(args.day) if args.day else None
        counts = run_demo(
            args.intake or settings.address("intake"), day=day, seed=args.seed,
            size=args.size, live=not args.no_live, watch=not args.no_watch,
            watch_seconds=args.watch_seconds,
            sla_monitor_address=args.sla_monitor or settings.address("sla_monitor"),
            supplier_address=args.supplier or settings.address("supplier"),
            suppliers=not args.no_suppliers)
        return exit_status(counts)
    if args.command == "watch":
        from madoguchi_cli.watch import ensure_utf8, run_watch

        ensure_utf8(sys.stdout)
        ensure_utf8(sys.stderr)
        if args.after < 0:
            parser.error("--after must not be negative")
        return run_watch(args.sla_monitor or settings.address("sla_monitor"),
                         team=args.team, include_stops=args.include_stops,
                         until_breach=args.until_breach, timeout=args.timeout,
                         after=args.after)
    if args.command == "projections":
        from madoguchi_cli.projections_commands import run_projections_command

        return run_projections_command(args, settings)
    if args.command == "report":
        from madoguchi_cli.projections_commands import run_report_command

        return run_report_command(args, settings)
    if args.command == "query":
        from madoguchi_cli.query_command import run_query_command

        return run_query_command(args, settings.address("projections"))
    if args.command == "status":
        from madoguchi_cli.status_report import print_status

        return print_status(settings)
    return 2


if __name__ == "__main__":
    sys.exit(main())
