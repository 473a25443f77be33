"""Redraw time of 4 chair plots, each with 6 hours of 1 Hz history, offscreen.

A redraw is `refresh()` on the four plots plus the paint it causes. Five scenarios,
interleaved so that machine load hits them alike:
- live: the station's case, 10 redraws a second and each chair's 1 Hz sample at its
  own phase, so a redraw finds zero or one chair with a new sample; painted with
  `processEvents()` (Qt repaints what changed into the window's backing store);
- one_new: exactly one chair has a new sample (the redraws of `live` that have work);
- all_new: every chair has a new sample in every redraw (worst case), same paint;
- all_new_grab: the same, painted with `grab()` of the whole window (everything
  repainted, including what did not change): an upper bound;
- all_new_budget2: the same new data, drawn by `RedrawClock(plot_budget=2)`: two
  ticks (each timed) serve the four chairs, two per tick.
Prints the median, p99 and max per redraw of all four chairs.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_redraw.py [--redraws 300]
     [--screenshot docs/screenshots/chair-plot.png]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from ui.models.series_buffer import Marker, MarkerKind, SeriesBuffer
from ui.plots.chair_plot import ChairPlot
from ui.widgets.redraw_clock import RedrawClock

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()
RATES = [40.0, 80.0, 120.0, 160.0, 200.0]  # Ocrevus-like steps every 30 min


def fill_history(buffer: SeriesBuffer, hours: float, seed: int = 1,
                 with_events: bool = True, gap_s: int = 90) -> None:
    """A synthetic infusion: titration steps, a pause, a link gap, noise on pressure."""
    rng = np.random.default_rng(seed)
    seconds = int(hours * 3600)
    pause = (int(seconds * 0.45), int(seconds * 0.45) + 600)
    gap = (int(seconds * 0.7), int(seconds * 0.7) + gap_s)
    volume = 0.0
    for s in range(seconds):
        if gap[0] <= s < gap[1]:
            if s == gap[0]:
                buffer.mark_gap(START + s)
            continue
        paused = pause[0] <= s < pause[1]
        rate = 0.0 if paused else RATES[min(s // 1800, len(RATES) - 1)]
        volume += rate / 3600.0
        pressure = 25.0 + rate * 0.12 + rng.normal(0.0, 1.5) + 15 * np.sin(s / 900.0) ** 8
        buffer.append(START + s, rate, volume, float(pressure))
    if with_events:
        _add_events(buffer, seconds, pause)


def _add_events(buffer: SeriesBuffer, seconds: int, pause: tuple[int, int]) -> None:
    for step, rate in enumerate(RATES[1:], start=1):
        if step * 1800 < seconds:
            buffer.add_marker(Marker(START + step * 1800, MarkerKind.TITRATION,
                                     f"{rate:.0f} mL/h", "step confirmed by RN-042"))
    buffer.add_marker(Marker(START + pause[0] - 300, MarkerKind.SIDE_EFFECT,
                             "headache, grade 1", "continue and watch"))
    for k in range(0, seconds, 3600):
        buffer.add_marker(Marker(START + k + 60, MarkerKind.VITALS, "BP 124/78, HR 72",
                                 "T 36.8 °C, SpO2 98 %"))
    buffer.add_marker(Marker(START + int(seconds * 0.7) + 8, MarkerKind.ALARM,
                             "** MEDIUM link lost", "No answer from the pump"))
    buffer.start_pause(START + pause[0], "bathroom break")
    buffer.end_pause(START + pause[1])


def build(app: QApplication) -> tuple[QWidget, list[SeriesBuffer], list[ChairPlot]]:
    """Four chairs in a 1920x1080 window, each with 6 h of history, painted once."""
    window = QWidget()
    grid = QGridLayout(window)
    buffers = [SeriesBuffer() for _ in range(4)]
    plots = []
    for i, buffer in enumerate(buffers):
        fill_history(buffer, 6.0, seed=i)
        plot = ChairPlot(buffer, occlusion_limit_mmhg=300.0)
        plot.show_whole_infusion()
        grid.addWidget(plot, i // 2, i % 2)
        plots.append(plot)
    window.resize(1920, 1080)
    window.show()
    app.processEvents()
    for plot in plots:
        plot.refresh()
    app.processEvents()  # first paint builds caches: not timed
    return window, buffers, plots


def _new_sample(buffer: SeriesBuffer, k: int) -> None:
    last = buffer.last_t or START
    buffer.append(last + 1.0, 200.0, float(buffer.volume[-1]) + 0.05, 50.0 + k % 7)


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": statistics.median(ordered),
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "max_ms": ordered[-1]}


def run(redraws: int) -> dict[str, dict[str, float]]:
    """Time `redraws` redraws in three scenarios; see the module docstring."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    window, buffers, plots = build(app)
    names = ("live", "one_new", "all_new", "all_new_grab", "all_new_budget2")
    budgeted = RedrawClock(plot_budget=2)
    for plot in plots:
        budgeted.add_plot(plot)
    scenarios: dict[str, list[float]] = {name: [] for name in names}
    for k in range(redraws * len(names)):
        scenario = names[k % len(names)]
        app.processEvents()  # leave nothing pending from the previous scenario
        if scenario == "live":
            # 10 redraws a second, each chair's 1 Hz sample at its own phase.
            tick = k // len(names)
            for i, buffer in enumerate(buffers):
                if tick % 10 == (i * 3) % 10:
                    _new_sample(buffer, k)
        elif scenario == "one_new":
            _new_sample(buffers[(k // len(names)) % 4], k)
        else:
            for buffer in buffers:
                _new_sample(buffer, k)
        if scenario == "all_new_budget2":
            for _ in range(2):  # two ticks of the clock serve the four chairs
                began = time.perf_counter()
                budgeted.tick()
                app.processEvents()
                scenarios[scenario].append((time.perf_counter() - began) * 1000.0)
            continue
        began = time.perf_counter()
        for plot in plots:
            plot.refresh()
        if scenario == "all_new_grab":
            window.grab()  # repaint everything, not only what changed
        else:
            app.processEvents()  # paint what changed into the window's backing store
        scenarios[scenario].append((time.perf_counter() - began) * 1000.0)
    window.close()
    return {name: _summary(times) for name, times in scenarios.items()}


def save_screenshot(path: Path) -> None:
    """One chair at 1366x768-class size, with markers, a pause and a link gap."""
    buffer = SeriesBuffer()
    fill_history(buffer, 3.0, seed=7, gap_s=300)
    plot = ChairPlot(buffer, occlusion_limit_mmhg=150.0)
    plot.set_volume_to_be_infused(500.0)
    plot.resize(1100, 640)
    plot.show_whole_infusion()
    plot.show()
    QApplication.processEvents()
    plot.refresh()
    path.parent.mkdir(parents=True, exist_ok=True)
    plot.grab().save(str(path))
    plot.close()


def save_chair_panel(path: Path, size: tuple[int, int]) -> None:
    """Banner, numerics and plot of one chair as the station lays them out, at `size`."""
    from PySide6.QtWidgets import QVBoxLayout

    from station.alarms import ChairAlarms, ManualClock, MemorySink
    from ui.alarms.alarm_actions import AlarmActions
    from ui.alarms.alarm_banner import AlarmBanner
    from ui.widgets.numerics import NumericsPanel

    buffer = SeriesBuffer()
    fill_history(buffer, 3.0, seed=7, gap_s=300)
    last = buffer.t[-1]
    from devices.driver.types import Sample, Stamp
    from devices.protocol import Prompt

    at = datetime.fromtimestamp(float(last), UTC)
    buffer.last_sample = Sample("chair-3", Stamp(at, 0.0), Prompt.INFUSING, 200.0,
                                float(buffer.volume[-1]), float(buffer.pressure[-1]))
    alarms = ChairAlarms("chair-3", MemorySink(), ManualClock(at))
    alarms.raise_condition("occlusion")
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.addWidget(AlarmBanner(AlarmActions(alarms, lambda: "rn-042")))
    layout.addWidget(NumericsPanel(buffer, vtbi_ml=500.0, now=lambda: at))
    plot = ChairPlot(buffer, occlusion_limit_mmhg=150.0)
    plot.set_volume_to_be_infused(500.0)
    layout.addWidget(plot, 1)
    panel.resize(*size)
    plot.show_whole_infusion()
    panel.show()
    QApplication.processEvents()
    plot.refresh()
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    panel.grab().save(str(path))
    panel.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redraws", type=int, default=300)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args()
    if args.screenshot is not None:
        QApplication.instance() or QApplication(sys.argv)
        save_screenshot(args.screenshot)
        for width, height in ((1366, 768), (1920, 1080)):
            save_chair_panel(args.screenshot.with_name(f"chair-panel-{width}x{height}.png"),
                             (width, height))
    results = run(args.redraws)
    print(f"4 chairs x 6 h of 1 Hz history, 1920x1080, {args.redraws} redraws per scenario")
    for name, result in results.items():
        print(f"  {name:16s} median {result['median_ms']:6.2f} ms   "
              f"p99 {result['p99_ms']:6.2f} ms   max {result['max_ms']:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
