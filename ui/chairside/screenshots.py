"""Regenerates the chairside screenshots: `python -m ui.chairside.screenshots OUTDIR`.

Starts the training demo (simulated pumps at 10x, offscreen unless a display is set)
at 1366x768 and at 1920x1080 and saves, for each size: all chairs infusing, an alarm
active (an occlusion stalls chair C2's pump), a bathroom break running (chair C1) and a
check-in refusal (chair C4: authorisation expired).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget

from ui.chairside.action_bar import Action
from ui.chairside.app import Demo, no_sound, open_demo
from ui.chairside.main_window import MainWindow, wants_grid
from ui.workflows.break_panel import BreakPanel
from ui.workflows.checkin_wizard import CheckInWizard

SIZES = ((1366, 768), (1920, 1080))
SPEED = 10.0


def wait_for(predicate: Callable[[], object], timeout_s: float = 20.0) -> None:
    """Run the event loop until `predicate()` is true (TimeoutError after `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(loop.quit)
    poll.start(50)
    try:
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the demo did not reach the state to photograph")
            loop.exec()
    finally:
        poll.stop()


def _grab(window: MainWindow, over: QWidget | None = None) -> QPixmap:
    """The window, with a workflow window drawn over its middle (as a nurse sees it)."""
    shot = window.grab()
    if over is not None:
        from PySide6.QtGui import QPainter  # noqa: PLC0415 - only here

        part = over.grab()
        painter = QPainter(shot)
        corner = QPoint(max(0, (shot.width() - part.width()) // 2),
                        max(0, (shot.height() - part.height()) // 2))
        painter.drawPixmap(corner, part)
        painter.end()
    return shot


def _show_chair(window: MainWindow, chair_id: str) -> None:
    if window.tabs is not None:
        window.tabs.setCurrentWidget(window.chair(chair_id))


def photograph(demo: Demo, size: tuple[int, int], out: Path) -> list[Path]:
    window = demo.station.window
    window.resize(*size)
    window.show()
    window.start()
    tag = f"{size[0]}x{size[1]}"
    saved: list[Path] = []

    def save(name: str, over: QWidget | None = None) -> None:
        path = out / f"chairside-{name}-{tag}.png"
        _grab(window, over).save(str(path))
        saved.append(path)

    running = [p for p in window.panels if p.chair_id in ("C1", "C2", "C3")]
    wait_for(lambda: all(len(p.buffer) > 40 for p in running))
    _show_chair(window, "C1")
    save("infusing")

    demo.simulator.control(op="inject", pump=2, fault="occlusion", params={"severity": 1.0})
    c2 = window.chair("C2")
    wait_for(lambda: c2.snapshot is not None and any(
        a.condition == "pump_stall" for a in c2.snapshot.alarms))
    _show_chair(window, "C2")
    _settle()
    save("alarm")

    c1 = window.chair("C1")
    _show_chair(window, "C1")
    c1.action_bar.triggered.emit(Action.BREAK)
    workflow = c1.break_window
    assert workflow is not None and isinstance(workflow.view, BreakPanel)
    panel = workflow.view
    wait_for(panel.break_button.isEnabled)
    panel.break_button.click()
    wait_for(lambda: c1.patient is not None and c1.patient.paused_since is not None)
    _settle()
    save("break", workflow)
    workflow.close()

    c4 = window.chair("C4")
    _show_chair(window, "C4")
    c4.action_bar.triggered.emit(Action.CHECK_IN)
    wait_for(lambda: c4.workflow is not None)
    assert c4.workflow is not None
    wizard = c4.workflow.view
    assert isinstance(wizard, CheckInWizard)
    refusals: list[str] = []
    wizard.refused.connect(refusals.append)
    wizard.find_page.mrn.setText("TRN-1004")
    wizard.find_appointment()
    wait_for(lambda: refusals)
    _settle()
    save("refusal", c4.workflow)
    c4.close_workflow()
    return saved


def _settle() -> None:
    """Let a few redraw ticks pass so the screen shows the new state."""
    end = time.monotonic() + 0.5
    wait_for(lambda: time.monotonic() > end)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ui.chairside.screenshots OUTDIR", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        with open_demo(4, SPEED, 1, running=3, sim_args=("--occlusion-limit", "80"),
                       grid=wants_grid(4, size[1]), sound=no_sound) as demo:
            for path in photograph(demo, size, out):
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
