"""`infusion-station`: the command line that composes the application.

Each sub-command imports what it needs when it runs, so `probe` and `db upgrade` start
without loading Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path


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
    demo.add_argument("--idle-lock", type=float, default=5.0, metavar="MIN",
                      help="lock the screen after MIN minutes without input (default 5)")
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="the chairside window on real pumps (1-4 chairs)")
    run.add_argument("ports", metavar="PORT", nargs="+", help="a pump's port, or CHAIR=PORT")
    run.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    run.add_argument(
        "--training", action="store_true", help="training mode: its own database, marked"
    )
    run.add_argument(
        "--allow-simulated-pumps", action="store_true",
        help="engineering: a normal station accepts simulated pumps (said on screen)",
    )
    run.add_argument("--idle-lock", type=float, default=5.0, metavar="MIN",
                     help="lock the screen after MIN minutes without input (default 5)")
    run.add_argument(
        "--simulator-control", metavar="SOCKET", type=Path,
        help="training: the simulator's control socket; the station's clock follows its "
             "time and speed")
    run.set_defaults(handler=_run)

    probe = commands.add_parser("probe", help="ask the pump on PORT who and how it is")
    probe.add_argument("port", metavar="PORT", help="/dev/ttyUSB0, COM3, socket://host:port")
    probe.add_argument("--timeout", type=float, default=1.0, help="reply timeout in seconds")
    probe.set_defaults(handler=_probe)

    _add_monitor(commands)

    trainer = commands.add_parser(
        "trainer", help="the trainer's console over simulated pumps (also: pump-sim --gui)",
        add_help=False,
    )
    trainer.add_argument("options", nargs=argparse.REMAINDER,
                         help="console and pump-sim options (trainer --help)")
    trainer.set_defaults(handler=_trainer)
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

    _add_user_commands(commands)
    audit = commands.add_parser("audit", help="the tamper-evident audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser(
        "verify", help="check the hash chain (exit 0 intact, 1 broken, 2 no database)")
    verify.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    verify.set_defaults(handler=_audit_verify)

    analyze = commands.add_parser(
        "analyze", help="replay a pump trace CSV through the detectors (JSON lines out)"
    )
    analyze.add_argument("trace", metavar="TRACE.csv")
    analyze.set_defaults(handler=_analyze)
    _add_export(commands)
    return parser


def _add_monitor(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    monitor = commands.add_parser(
        "monitor", help="monitor pumps headless; alarm transitions as JSON lines"
    )
    monitor.add_argument(
        "ports", metavar="PORT", nargs="+", help="a pump's port, or CHAIR=PORT"
    )
    monitor.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    monitor.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    monitor.add_argument(
        "--training", action="store_true",
        help="training mode: the training database, simulated pumps only")
    monitor.add_argument(
        "--allow-simulated-pumps", action="store_true",
        help="engineering: a normal monitor accepts simulated pumps (said on stderr)")
    monitor.add_argument(
        "--simulator-control", metavar="SOCKET", type=Path,
        help="training: the simulator's control socket; the clock follows its time and speed")
    monitor.set_defaults(handler=_monitor)


def _add_user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = commands.add_parser("user", help="users who sign in (an administrator's work)")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a user; the password or PIN is prompted")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown on screen and in records")
    add.add_argument("--role", action="append", required=True,
                     help="nurse, charge_nurse, trainer or administrator (repeatable)")
    passwd = actions.add_parser("passwd", help="set a user's password or PIN (ends a lockout)")
    passwd.add_argument("username")
    for command in (add, passwd):
        command.add_argument("--pin", action="store_true", help="a numeric PIN, not a password")
        command.add_argument("--badge", action="store_true", help="also scan a badge")
        command.add_argument("--as", dest="as_user", metavar="ADMIN",
                             help="the administrator doing it (not needed for the first)")
    listing = actions.add_parser("list", help="users, roles and how they sign in")
    for command in (add, passwd, listing):
        command.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
    add.set_defaults(handler=_user_add)
    passwd.set_defaults(handler=_user_passwd)
    listing.set_defaults(handler=_user_list)


def _user_add(args: argparse.Namespace) -> int:
    from station.access.command import run_user_add

    return run_user_add(args.db, args.username, args.name, args.role, pin=args.pin,
                        badge=args.badge, as_user=args.as_user)


def _user_passwd(args: argparse.Namespace) -> int:
    from station.access.command import run_user_passwd

    return run_user_passwd(args.db, args.username, pin=args.pin, badge=args.badge,
                           as_user=args.as_user)


def _user_list(args: argparse.Namespace) -> int:
    from station.access.command import run_user_list

    return run_user_list(args.db)


def _audit_verify(args: argparse.Namespace) -> int:
    from station.access.command import run_audit_verify

    return run_audit_verify(args.db)


def _idle_lock_refused(args: argparse.Namespace) -> bool:
    if args.idle_lock > 0:
        return False
    print(f"infusion-station {args.command}: --idle-lock must be more than 0 minutes",
          file=sys.stderr)
    return True
def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="documents and messages from stored visits")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="KIND")
    helps = {"pdf": "the infusion record of one visit (PDF)",
             "shift": "the unit's shift report (PDF)",
             "csv": "one infusion's telemetry and events (CSV)",
             "hl7": "IHE PCD-10 events and PCD-04 alarms (HL7 v2.6), optionally sent",
             "fhir": "a FHIR bundle of the visit (JSON)"}
    for kind, text in helps.items():
        sub = kinds.add_parser(kind, help=text)
        if kind == "shift":
            sub.add_argument("--from", dest="start", required=True, help="ISO 8601 start")
            sub.add_argument("--to", dest="end", required=True, help="ISO 8601 end")
        else:
            sub.add_argument("infusion", type=int, metavar="INFUSION_ID")
        sub.add_argument("-o", "--output", metavar="FILE",
                         required=kind in ("pdf", "shift"),
                         help="file to write" + ("" if kind in ("pdf", "shift")
                                                 else " (default: standard output)"))
        sub.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: local SQLite)")
        sub.add_argument("--tz", default="UTC", help="time zone of the document (IANA name)")
        sub.add_argument("--training", action="store_true",
                         help="stamp TRAINING on the document or messages")
        if kind == "hl7":
            sub.add_argument("--send", metavar="HOST:PORT",
                             help="queue in the outbox and send over MLLP, waiting for ACKs")
            sub.add_argument("--periodic", type=float, metavar="S",
                             help="add PCD-01 periodic data every S seconds")
        sub.set_defaults(handler=_export)


def _demo(args: argparse.Namespace) -> int:
    from ui.chairside.app import run_demo

    if _idle_lock_refused(args):
        return 2
    return run_demo(
        pumps=args.pumps, speed=args.speed, seed=args.seed, duration_s=args.duration,
        idle_lock_s=args.idle_lock * 60,
    )


def _run(args: argparse.Namespace) -> int:
    from ui.chairside.app import run_station

    if _idle_lock_refused(args):
        return 2
    return run_station(db_url=args.db, ports=args.ports, training=args.training,
                       allow_simulated=args.allow_simulated_pumps,
                       idle_lock_s=args.idle_lock * 60,
                       simulator_control=args.simulator_control)


def _trainer(args: argparse.Namespace) -> int:
    from ui.trainer.app import run_trainer

    return run_trainer(args.options)


def _probe(args: argparse.Namespace) -> int:
    from devices.driver.probe import run_probe

    return run_probe(args.port, timeout=args.timeout)


def _monitor(args: argparse.Namespace) -> int:
    from station.monitoring.command import run_monitor

    if args.simulator_control is None:
        return run_monitor(args.ports, args.db, args.duration, training=args.training,
                           allow_simulated=args.allow_simulated_pumps)
    if not args.training:
        print("infusion-station monitor: --simulator-control is for training (--training)",
              file=sys.stderr)
        return 2
    from station.training.simulated_time import settings_at_speed
    from ui.trainer.station_clock import follow_or_say

    with contextlib.ExitStack() as stack:
        clock = follow_or_say(stack, args.simulator_control, "monitor")
        if clock is None:
            return 1
        return run_monitor(args.ports, args.db, args.duration, training=True,
                           settings=settings_at_speed(clock.speed), clock=clock.utc_now)


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


def _export(args: argparse.Namespace) -> int:
    from ui.reports.export_command import run_export_command

    return run_export_command(args)


def _analyze(args: argparse.Namespace) -> int:
    from station.detection.trace_replay import run_analyze

    return run_analyze(args.trace)


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["trainer"]:
        # Its options are the console's and pump-sim's: argparse's REMAINDER would take
        # them only after a positional, so they bypass the sub-parser.
        return _trainer(argparse.Namespace(options=given[1:]))
    args = build_parser().parse_args(given)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
