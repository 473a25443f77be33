"""The trainer's console photographed: `python -m ui.trainer.screenshots OUTDIR`.

Starts the console with 2 simulated pumps at 20x playing "An occlusion right after a
break" with the trainee's part (offscreen unless a display is set), at 1366x768, and
saves the window once the pump has stalled and the scenario's prompts are in the log.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ui.chairside.screenshots import wait_for
from ui.trainer.app import open_console
from ui.trainer.scenario_panel import shipped_scenarios

SCENARIO = "occlusion-after-break"


def photograph(out: Path) -> Path:
    scenario = next(p for p in shipped_scenarios() if p.stem == SCENARIO)
    window = open_console(["--pumps", "2", "--speed", "20", "--runs-dir", str(out / "runs"),
                           "--scenario", str(scenario), "--stand-in"])
    window.resize(1366, 768)
    window.show()
    window.start()
    try:
        wait_for(lambda: window.faults.catalogue, 30)
        wait_for(lambda: "stall" in (window.pumps.index(0, 4).data() or ""), 60)
        window.faults.select("occlusion", severity=0.6)
        path = out / "trainer-console-1366x768.png"
        window.grab().save(str(path))
        return path
    finally:
        window.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ui.trainer.screenshots OUTDIR", file=sys.stderr)
        return 2
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    print(photograph(out))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
