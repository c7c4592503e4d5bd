"""The ``madoguchi`` command: run the system, one service, the demo, or check health."""

from __future__ import annotations

import argparse
import logging
import sys

from madoguchi.config import SERVICES, load_settings


def _logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("kafka").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
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
    sub.add_parser("status", help="gRPC health of every service")
    args = parser.parse_args(argv)
    settings = load_settings()
    _logging(settings.log_level)

    if args.command == "up":
        from madoguchi.launcher import up

        return up(settings)
    if args.command == "serve":
        if args.service == "intake":
            from services.intake.main import run
        elif args.service == "sla_monitor":
            from services.sla_monitor.main import run
        else:
            from services.projections.main import run
        run(settings)
        return 0
    if args.command == "demo":
        from datetime import date

        from madoguchi.demo import run_demo

        day = date.fromisoformat(args.day) if args.day else None
        run_demo(args.intake or settings.address("intake"), day=day, seed=args.seed,
                 size=args.size)
        return 0
    if args.command == "status":
        from madoguchi.launcher import check_health

        healthy = True
        for name in SERVICES:
            ok = check_health(settings.address(name))
            healthy &= ok
            print(f"{name:<12} {settings.address(name):<22} {'SERVING' if ok else 'DOWN'}")
        return 0 if healthy else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
