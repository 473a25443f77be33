"""`pump-sim control`: a command-line client of a running simulator's control socket.

    pump-sim control --socket PATH status [PUMP]
    pump-sim control --socket PATH inject PUMP FAULT [name=value ...] [--duration S]
    pump-sim control --socket PATH clear PUMP [FAULT]
    pump-sim control --socket PATH set PUMP name=value ...
    pump-sim control --socket PATH power-cycle PUMP [--off S]
    pump-sim control --socket PATH pull-cable PUMP [--mode silent|close]
    pump-sim control --socket PATH plug-cable PUMP
    pump-sim control --socket PATH ports | faults
    pump-sim control --socket PATH speed X
    pump-sim control --socket PATH scenario load FILE | start [--stand-in] | pause | resume
                                            | stop | status
    pump-sim control --socket PATH record start DIR | stop

PUMP is a number or `all`. The socket path is in the simulator's JSON lines; it can
also come from the PUMP_SIM_CONTROL environment variable. Prints the JSON reply;
exit status 1 when the simulator refused the request.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devices.simulator.control import request


def _pump(text: str) -> int | None:
    return None if text == "all" else int(text)


def _value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _pairs(items: Sequence[str]) -> dict[str, float | str]:
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"expected name=value, got {item!r}")
        pairs[name] = _value(value)
    return pairs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pump-sim control", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--socket", type=Path, default=os.environ.get("PUMP_SIM_CONTROL"))
    parser.add_argument("--timeout", type=float, default=5.0)
    ops = parser.add_subparsers(dest="op", required=True)
    status = ops.add_parser("status")
    status.add_argument("pump", nargs="?", type=_pump)
    inject = ops.add_parser("inject")
    inject.add_argument("pump", type=_pump)
    inject.add_argument("fault")
    inject.add_argument("params", nargs="*")
    inject.add_argument("--duration", type=float)
    clear = ops.add_parser("clear")
    clear.add_argument("pump", type=_pump)
    clear.add_argument("fault", nargs="?")
    set_op = ops.add_parser("set")
    set_op.add_argument("pump", type=_pump)
    set_op.add_argument("values", nargs="+")
    cycle = ops.add_parser("power-cycle")
    cycle.add_argument("pump", type=_pump)
    cycle.add_argument("--off", type=float, default=0.0)
    pull = ops.add_parser("pull-cable")
    pull.add_argument("pump", type=_pump)
    pull.add_argument("--mode", choices=("silent", "close"), default="silent")
    plug = ops.add_parser("plug-cable")
    plug.add_argument("pump", type=_pump)
    ops.add_parser("ports")
    ops.add_parser("faults")
    speed = ops.add_parser("speed")
    speed.add_argument("speed", type=float)
    scenario = ops.add_parser("scenario")
    scenario.add_argument("action",
                          choices=("load", "start", "pause", "resume", "stop", "status"))
    scenario.add_argument("file", nargs="?", type=Path)
    scenario.add_argument("--stand-in", action="store_true")
    record = ops.add_parser("record")
    record.add_argument("action", choices=("start", "stop"))
    record.add_argument("dir", nargs="?", type=Path)
    return parser


def to_request(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON request for parsed arguments."""
    op = args.op.replace("-", "_")
    message: dict[str, Any] = {"op": op}
    if hasattr(args, "pump"):
        message["pump"] = args.pump
    if op == "inject":
        message.update(fault=args.fault, params=_pairs(args.params), duration_s=args.duration)
    elif op == "clear":
        message["fault"] = args.fault
    elif op == "set":
        message["values"] = _pairs(args.values)
    elif op == "power_cycle":
        message["off_s"] = args.off
    elif op == "pull_cable":
        message["mode"] = args.mode
    elif op == "speed":
        message["speed"] = args.speed
    elif op in ("scenario", "record"):
        message["action"] = args.action
        _path_argument(message, args, "file" if op == "scenario" else "dir")
        if op == "scenario" and args.action == "start":
            message["stand_in"] = args.stand_in
    return message


def _path_argument(message: dict[str, Any], args: argparse.Namespace, name: str) -> None:
    """`scenario load FILE` and `record start DIR` need their path (absolute: the
    simulator may run in another folder)."""
    path = getattr(args, name)
    needs = args.action == ("load" if name == "file" else "start")
    if needs and path is None:
        raise argparse.ArgumentTypeError(f"{args.op} {args.action} needs a {name.upper()}")
    if needs:
        message["path" if name == "file" else "dir"] = str(path.resolve())


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.socket is None:
        parser.error("give --socket PATH (or set PUMP_SIM_CONTROL)")
    try:
        message = to_request(args)
        reply = request(args.socket, message, args.timeout)
    except (argparse.ArgumentTypeError, OSError, ConnectionError) as exc:
        print(f"pump-sim control: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(reply, indent=2))
    return 0 if reply.get("ok") else 1
