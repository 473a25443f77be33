"""Overview refresh with 48 chairs infusing at 1 Hz: CPU of the overview per second of
wall time, one feed refresh, one window redraw and one full repaint of the grid.

A station process writes the 48 chairs' telemetry (flushed once a second: one
transaction, 48 notifications) and heartbeats; this process runs the overview window
offscreen with its feed on the shared PostgreSQL server (a fresh schema).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/overview_refresh.py --seconds 60
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np
from overview_common import caption, fresh_unit, overview_on, run_loop, start_writer

from station.unit.feed import UnitFeed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    args = parser.parse_args()
    url, _ = fresh_unit("bench_overview_refresh")
    refresh_s: list[float] = []
    redraw_s: list[float] = []

    def timed(redraw: Callable[[], None]) -> None:
        started = time.perf_counter()
        redraw()
        redraw_s.append(time.perf_counter() - started)

    def note_refreshes(feed: UnitFeed) -> None:
        feed.subscribe(lambda _labels: refresh_s.append(feed.health().last_refresh_s))

    with overview_on(url, timed, before_window=note_refreshes) as overview:
        window = overview.window
        writer = start_writer(url, "telemetry", args.warmup + args.seconds + 5)
        run_loop(args.warmup)
        refresh_s.clear()
        redraw_s.clear()
        window.grid.paint_s.clear()
        cpu0, wall0 = time.process_time(), time.monotonic()
        run_loop(args.seconds)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        timer_paints = list(window.grid.paint_s)
        paints = []
        for _ in range(20):
            started = time.perf_counter()
            window.grid.repaint()
            paints.append(time.perf_counter() - started)
        tiles = window.grid.tiles
    writer.wait()
    print(caption())
    print(f"chairs shown: {len(tiles)}, infusing: "
          f"{sum(1 for t in tiles if t.facts.infusion_status == 'running')}")
    print(f"overview CPU: {100 * cpu / wall:.1f} % of one core over {wall:.0f} s wall")
    for name, values in (("feed refresh", refresh_s), ("window redraw", redraw_s),
                         ("grid paints on the timer", timer_paints),
                         ("forced full grid repaint", paints)):
        ms = np.asarray(values) * 1000
        print(f"{name}: n={len(ms)} p50={np.percentile(ms, 50):.1f} ms "
              f"p95={np.percentile(ms, 95):.1f} ms max={ms.max():.1f} ms")
    print(f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', '')}")


if __name__ == "__main__":
    main()
