"""The ``madoguchi projections …`` commands: rebuild the read models and list generations."""

from __future__ import annotations

import argparse
import sys

from madoguchi.config import Settings
from madoguchi.rpc.channels import open_channel


def add_projections_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    projections = sub.add_parser(
        "projections", help="read models: rebuild them from the topics, list generations")
    actions = projections.add_subparsers(dest="action", required=True)
    rebuild = actions.add_parser(
        "rebuild", help="rebuild every read model from the beginning of the topics",
        description="Fills a new generation of the read models from offset 0 of every "
                    "topic while the running service keeps answering from the current one, "
                    "then switches to it (the service follows within a second). Needs the "
                    "broker; the projections service may be running or not.")
    rebuild.add_argument("--no-activate", action="store_true",
                         help="build it but keep serving the current generation")
    rebuild.add_argument("--note", default="rebuild", help="why (kept with the generation)")
    actions.add_parser("generations", help="list the read-model generations")
    activate = actions.add_parser(
        "activate", help="serve another generation: a finished build, or the one before "
                         "(to switch back)")
    activate.add_argument("generation", type=int)


def add_report_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = sub.add_parser(
        "report", help="monthly service level report of one agreement: HTML and PDF",
        description="Reads the projections' queries (the running service) and writes "
                    "sla-report-<agreement>-<month>.html and .pdf: volume, compliance and "
                    "its trend, breaches by cause, satisfaction, the suppliers' share of "
                    "breach time; optionally a what-if comparison under other terms.")
    report.add_argument("--agreement", required=True, help="agreement id, e.g. "
                        "citizen-standard")
    report.add_argument("--month", help="YYYY-MM in the reporting time zone (default: "
                        "the previous month)")
    report.add_argument("--out", default=".", help="directory to write into (default: .)")
    report.add_argument("--what-if", metavar="TERMS_JSON_FILE",
                        help="also compare with these agreement terms (JSON file)")
    report.add_argument("--what-if-label", default="", help="how to call those terms")
    report.add_argument("--no-pdf", action="store_true", help="HTML only")
    report.add_argument("--projections", metavar="ADDRESS",
                        help="projections address (default from configuration)")


def previous_month(zone: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo(zone))
    return f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"


def run_report_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the report files; 0, or 2 with the reason on stderr."""
    import re
    from pathlib import Path

    import grpc

    from madoguchi_cli.query_client import QueryClient
    from madoguchi_cli.query_command import error_lines
    from madoguchi_cli.watch import ensure_utf8
    from services.projections.adapters.reports.fonts import FontNotUsable
    from services.projections.adapters.reports.html import render_html
    from services.projections.adapters.reports.pdf import render_pdf
    from services.projections.application.report_builder import build_monthly_report

    ensure_utf8(sys.stderr)
    zone = settings.reporting_time_zone
    month = args.month or previous_month(zone)
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month):
        print(f"madoguchi report: --month must be YYYY-MM, not {month!r}", file=sys.stderr)
        return 2
    terms = ""
    if args.what_if:
        try:
            terms = Path(args.what_if).read_text(encoding="utf-8")
        except OSError as error:
            print(f"madoguchi report: cannot read {args.what_if}: {error}", file=sys.stderr)
            return 2
    address = args.projections or settings.address("projections")
    with open_channel(address) as channel:
        client = QueryClient(channel)
        try:
            if not client.rows("agreements", {"agreement_id": args.agreement}):
                print(f"madoguchi report: agreement {args.agreement!r} is not in the read "
                      "models (see: madoguchi query agreements)", file=sys.stderr)
                return 2
            report = build_monthly_report(client.rows, args.agreement, month, zone=zone,
                                          what_if_terms=terms,
                                          what_if_label=args.what_if_label)
        except grpc.RpcError as error:
            for line in error_lines(error, address):
                print(line, file=sys.stderr)
            return 2
        except ValueError as error:   # e.g. the service reports in another time zone
            print(f"madoguchi report: {error}", file=sys.stderr)
            return 2
    out = Path(args.out)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", args.agreement)
    html_path = out / f"sla-report-{safe}-{month}.html"
    try:
        out.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(report), encoding="utf-8")
        print(html_path)
        if not args.no_pdf:
            pdf_path = out / f"sla-report-{safe}-{month}.pdf"
            render_pdf(report, pdf_path)
            print(pdf_path)
    except (FontNotUsable, OSError) as error:
        print(f"madoguchi report: {error}", file=sys.stderr)
        return 2
    return 0


def run_projections_command(args: argparse.Namespace, settings: Settings) -> int:
    from madoguchi.storage.sql import SqlDatabase
    from madoguchi.storage.urls import parse_database_url
    from services.projections.adapters.generations import Generations
    from services.projections.adapters.read_models.read_model_set import ReadModelSet

    if args.action == "rebuild":
        from services.projections.main import rebuild_projections

        result = rebuild_projections(settings, activate=not args.no_activate, note=args.note,
                         progress=lambda line: print(line, flush=True))
        print(f"rebuilt generation {result.generation}: {result.events} messages in "
              f"{result.seconds:.1f} s ({result.events_per_second:.0f}/s)"
              + (f"; dropped generation(s) {', '.join(map(str, result.dropped))}"
                 if result.dropped else ""))
        return 0
    db = SqlDatabase(parse_database_url(settings.database_urls["projections"]))
    try:
        generations = Generations(db)
        if args.action == "generations":
            for g in generations.all():
                print(f"{g.number:>4}  {g.state:<9} created {g.created_at}  "
                      f"activated {g.activated_at or '-'}  {g.note}")
            return 0
        known = {g.number: g for g in generations.all()}
        if args.generation not in known:
            print(f"no generation {args.generation}", file=sys.stderr)
            return 2
        if known[args.generation].state == "BUILDING":
            print(f"generation {args.generation} was never finished (its rebuild stopped "
                  "or still runs); rebuild again instead", file=sys.stderr)
            return 2
        models = ReadModelSet(db, args.generation, settings.reporting_time_zone)
        with db.transaction() as cur:
            generations.activate(cur, args.generation, models.views())
        print(f"generation {args.generation} is active")
        return 0
    finally:
        db.close()
