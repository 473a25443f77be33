"""`infusion-station trainer` (and `pump-sim --gui`): the trainer's console.

    infusion-station trainer [--pumps N] [--speed X] [--seed S] [pump-sim options ...]
    infusion-station trainer --control /tmp/pump-sim-x/control.sock   # one already running

With `--pumps` (or any pump-sim option) the console starts its simulator at once;
otherwise the trainer presses "Start simulator". Other options go to `pump-sim` as
they are (`--scenario F --stand-in`, `--tcp`, `--artifact-rate 2` ...).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from ui.trainer.sim_link import SimulatorLink
from ui.trainer.window import TrainerWindow


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infusion-station trainer",
        description="The trainer's console over simulated pumps (docs/training.md); other "
        "options are passed to pump-sim.")
    add = parser.add_argument
    add("--pumps", type=int, default=None, help="start a simulator with this many pumps")
    add("--speed", type=float, default=1.0, help="its speed (1-60)")
    add("--seed", type=int, default=0, help="its random seed")
    add("--control", type=Path, help="attach to a running simulator's control socket")
    add("--runs-dir", type=Path, help="where recordings go (default: the user data folder)")
    add("--duration", type=float, help="close after this many seconds (demonstrations)")
    return parser


def open_console(argv: Sequence[str]) -> TrainerWindow:
    """The window over a simulator as the options say (not shown yet)."""
    args, sim_args = build_parser().parse_known_args(list(argv))
    if args.pumps is not None and not 1 <= args.pumps <= 8:
        raise ValueError("--pumps must be 1-8")
    if not 1 <= args.speed <= 60:
        raise ValueError("--speed must be 1-60")
    link = SimulatorLink()
    window = TrainerWindow(link, args.runs_dir, sim_args=sim_args, seed=args.seed)
    link.setParent(window)
    window.start_speed.setValue(args.speed)
    if args.pumps is not None:
        window.pump_count.setValue(args.pumps)
    if args.control is not None:
        link.attach(args.control)
    elif args.pumps is not None or sim_args:
        window.start_simulator()
    return window


def run_trainer(argv: Sequence[str]) -> int:
    """Show the console until it is closed; the exit status."""
    args, _ = build_parser().parse_known_args(list(argv))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    try:
        window = open_console(argv)
    except ValueError as exc:
        print(f"infusion-station trainer: {exc}", file=sys.stderr)
        return 2
    loop = QEventLoop()
    window.closed.connect(loop.quit)
    window.resize(1366, 768)
    window.show()
    window.start()
    if args.duration is not None:
        QTimer.singleShot(int(args.duration * 1000), window.close)
    loop.exec()
    return 0
