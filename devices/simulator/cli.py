"""`pump-sim`: serve N simulated pumps; `pump-sim control ...`: drive a running one.

For each pump one JSON line goes to stdout as soon as its port is ready, e.g.
`{"pump": 1, "port": "/dev/pts/7", "address": 0, "serial": "SN0001", "control": "..."}`.
It then runs until SIGINT or SIGTERM, closes its ports and exits with 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from devices.simulator.clock import ScaledClock, WallClock
from devices.simulator.control import ControlServer
from devices.simulator.control_cli import main as control_main
from devices.simulator.fleet import Fleet, build_units
from devices.simulator.mechanics import PumpSettings
from devices.simulator.physics import LineParams
from devices.simulator.run_control import RunControl
from devices.simulator.scenario import (
    Scenario,
    ScenarioError,
    check_pumps,
    load_scenario_file,
)
from devices.simulator.server import Server
from devices.simulator.trace import TraceRecorder, TraceWriter
from devices.simulator.unit import PumpUnit

log = logging.getLogger("pump-sim")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pump-sim",
        description="Simulated New Era syringe pumps on pseudo-terminals "
        "(see docs/simulator.md). `pump-sim control --help` drives a running simulator.",
    )
    add = parser.add_argument
    add("--pumps", type=int, default=1, help="number of pumps (default 1)")
    add("--speed", type=float, default=1.0, help="simulated seconds per real second")
    add("--seed", type=int, default=0, help="random seed: same seed, same run")
    add("--tcp", action="store_true", help="also serve each pump on 127.0.0.1 (socket://)")
    add("--tcp-port", type=int, default=0, help="first TCP port (default: any free ones)")
    add("--control", type=Path, help="control socket path (default: a temporary one)")
    add("--scenario", type=Path, help="timed fault scenario, .toml or .json")
    add("--stand-in", action="store_true",
        help="also play the scenario's steps marked as the trainee's part (no trainee)")
    add("--trace-dir", type=Path, help="write pumpN.csv traces into this directory")
    add("--trace-interval", type=float, default=1.0, help="trace period, simulated s")
    add("--trace-labels", action="store_true", help="add the ground-truth faults column")
    add("--link-dir", type=Path, help="keep symlinks pumpN -> current pty in this directory")
    add("--kvo-rate", type=float, default=0.0, help="mL/h after the volume is reached")
    add("--occlusion-limit", type=float, default=500.0, help="stall pressure, mmHg")
    add("--artifact-rate", type=float, default=0.0, help="movement artifacts per hour")
    add("--ignore-first-command", action="store_true",
        help="field quirk: ignore the first command after each power-up")
    add("--log-level", default="WARNING", help="logging level on stderr")
    add("--gui", action="store_true",
        help="open the trainer's console (runs `infusion-station trainer` with these options)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["control"]:
        return control_main(args_list[1:])
    if "--gui" in args_list:  # the console takes pump-sim's options and its own
        return forward_to_console([a for a in args_list if a != "--gui"])
    args = build_parser().parse_args(args_list)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    if args.pumps < 1:
        print("pump-sim: --pumps must be at least 1", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario_file(args.scenario) if args.scenario else None
        if scenario is not None:
            check_pumps(list(scenario.steps), args.pumps, str(args.scenario))
        settings = PumpSettings(args.occlusion_limit, args.kvo_rate)
        params = LineParams(artifact_rate_per_h=args.artifact_rate)
    except (ScenarioError, ValueError, OSError) as exc:
        print(f"pump-sim: {exc}", file=sys.stderr)
        return 2
    return serve(args, scenario, settings, params)


def forward_to_console(argv: list[str]) -> int:
    """`pump-sim --gui`: the console is Qt (ui/), which devices/ never imports, so the
    simulator hands over to the `infusion-station trainer` program instead."""
    command = [sys.executable, "-m", "ui.cli", "trainer", *argv]
    os.execv(command[0], command)
    return 1  # not reached: execv replaces this process


def serve(
    args: argparse.Namespace, scenario: Scenario | None, settings: PumpSettings,
    params: LineParams,
) -> int:
    clock = ScaledClock(args.speed)
    units = build_units(
        args.pumps, clock, args.seed, settings=settings, params=params, wire_clock=WallClock()
    )
    fleet = Fleet(units)
    if args.ignore_first_command:
        for unit in units:
            unit.pump.enable_first_command_quirk()
    temp_dir = None if args.control else Path(tempfile.mkdtemp(prefix="pump-sim-"))
    control_path = args.control or (temp_dir / "control.sock" if temp_dir else None)
    assert control_path is not None

    def announce(info: dict[str, Any]) -> None:
        print(json.dumps({**info, "control": str(control_path)}), flush=True)

    server = Server(units, announce, args.tcp_port if args.tcp else None, args.link_dir)
    run = RunControl(fleet, clock, args.trace_interval)
    control = ControlServer(control_path, fleet, server, run)
    if scenario is not None:
        run.load(scenario)
        run.start(stand_in=args.stand_in)
    server.add_ticker(run.tick)
    recorders = _recorders(args, units)
    for recorder in recorders:
        server.add_ticker(recorder.tick)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        server.stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        server.open()
        server.run()
    finally:
        run.close()
        control.close()
        server.close()
        for recorder in recorders:
            recorder.close()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
    return 0


def _recorders(args: argparse.Namespace, units: list[PumpUnit]) -> list[TraceRecorder]:
    if args.trace_dir is None:
        return []
    args.trace_dir.mkdir(parents=True, exist_ok=True)
    return [
        TraceRecorder(
            unit.pump,
            TraceWriter.open(args.trace_dir / f"pump{unit.number}.csv", args.trace_labels),
            args.trace_interval,
        )
        for unit in units
    ]
