"""`infusion-station`: the command line that composes the application.

Each sub-command imports what it needs when it runs, so `probe` and `db upgrade` start
without loading Qt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infusion-station",
        description="Chairside infusion monitoring station. See README.md for a tour.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="training: simulated pumps, a demo schedule and the chairside window"
    )
    demo.add_argument("--pumps", type=int, default=4, help="simulated pumps (1-4, default 4)")
    demo.add_argument("--speed", type=float, default=1.0, help="simulator speed-up factor")
    demo.add_argument("--seed", type=int, default=1, help="simulator random seed")
    demo.add_argument(
        "--duration", type=float, default=None, help="close after this many seconds"
    )
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="the chairside window on real pumps (1-4 chairs)")
    run.add_argument("ports", metavar="PORT", nargs="+", help="a pump's port, or CHAIR=PORT")
    run.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    run.add_argument(
        "--training", action="store_true", help="training mode: its own database, marked"
    )
    run.set_defaults(handler=_run)

    probe = commands.add_parser("probe", help="ask the pump on PORT who and how it is")
    probe.add_argument("port", metavar="PORT", help="/dev/ttyUSB0, COM3, socket://host:port")
    probe.add_argument("--timeout", type=float, default=1.0, help="reply timeout in seconds")
    probe.set_defaults(handler=_probe)

    monitor = commands.add_parser(
        "monitor", help="monitor pumps headless; alarm transitions as JSON lines"
    )
    monitor.add_argument(
        "ports", metavar="PORT", nargs="+", help="a pump's port, or CHAIR=PORT"
    )
    monitor.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    monitor.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    monitor.set_defaults(handler=_monitor)

    overview = commands.add_parser(
        "overview", help="the charge nurse's overview of every chair of the unit"
    )
    overview.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    overview.add_argument("--duration", type=float, default=None, help="close after S seconds")
    overview.set_defaults(handler=_overview)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="create or migrate the database")
    upgrade.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    upgrade.set_defaults(handler=_db_upgrade)

    analyze = commands.add_parser(
        "analyze", help="replay a pump trace CSV through the detectors (JSON lines out)"
    )
    analyze.add_argument("trace", metavar="TRACE.csv")
    analyze.set_defaults(handler=_analyze)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from ui.chairside.app import run_demo

    return run_demo(
        pumps=args.pumps, speed=args.speed, seed=args.seed, duration_s=args.duration
    )


def _run(args: argparse.Namespace) -> int:
    from ui.chairside.app import run_station

    return run_station(db_url=args.db, ports=args.ports, training=args.training)


def _probe(args: argparse.Namespace) -> int:
    from devices.driver.probe import run_probe

    return run_probe(args.port, timeout=args.timeout)


def _monitor(args: argparse.Namespace) -> int:
    from station.monitoring.command import run_monitor

    return run_monitor(args.ports, args.db, args.duration)


def _overview(args: argparse.Namespace) -> int:
    from ui.overview.app import run_overview

    return run_overview(args.db, args.duration)


def _db_upgrade(args: argparse.Namespace) -> int:
    from station.persistence.errors import StorageError
    from station.persistence.schema import upgrade_database

    try:
        print(upgrade_database(args.db))
    except StorageError as exc:
        print(f"infusion-station db upgrade: {exc}", file=sys.stderr)
        return 1
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from station.detection.trace_replay import run_analyze

    return run_analyze(args.trace)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
