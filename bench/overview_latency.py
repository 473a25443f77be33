"""Change at a station to its display in the overview: p50 and p95.

A station process raises an alarm on the next of 48 chairs every `--every` seconds and
prints the wall time just before the write began; a second one writes the 48 chairs'
telemetry at 1 Hz (the load). This process runs the overview window offscreen; after
each redraw it notes the wall time at which each new alarm first appears in the grid's
tiles. Both processes read the same host clock.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/overview_latency.py --events 60
"""

from __future__ import annotations

import argparse
import json
import subprocess
import threading
import time

import numpy as np
from overview_common import fresh_unit, start_writer, utc_now
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from storage_common import machine

from station.persistence import create_engine, make_sessionmaker
from station.unit.feed import UnitFeed
from station.unit.sources import change_source
from ui.overview.window import OverviewWindow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--every", type=float, default=0.5)
    args = parser.parse_args()
    url, _ = fresh_unit("bench_overview_latency")
    app = QApplication.instance() or QApplication([])
    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    feed = UnitFeed(sessions, change_source(engine, url), utc_now=utc_now)
    window = OverviewWindow(feed, sessions)
    shown_at: dict[int, float] = {}
    original = window.redraw

    def noting_redraw() -> None:
        original()
        now = time.time()
        for tile in window.grid.tiles:
            for alarm in tile.alarms:
                if alarm.alarm_id is not None:
                    shown_at.setdefault(alarm.alarm_id, now)
    window.redraw = noting_redraw  # type: ignore[method-assign]
    window.resize(1920, 1080)
    window.show()
    feed.start()
    seconds = args.events * args.every
    load = start_writer(url, "telemetry", seconds + 15)
    loop = QEventLoop()
    QTimer.singleShot(5000, loop.quit)  # the feed's first read, the load running
    loop.exec()
    events = start_writer(url, "alarms", seconds, str(args.every))
    written: dict[int, float] = {}

    def read_events() -> None:
        assert events.stdout is not None
        for line in events.stdout:
            record = json.loads(line)
            written[record["alarm_id"]] = record["t0"]
    reader = threading.Thread(target=read_events)
    reader.start()
    QTimer.singleShot(int((seconds + 5) * 1000), loop.quit)
    loop.exec()
    events.wait()
    reader.join()
    window.close()
    feed.stop()
    load.wait()
    engine.dispose()
    del app
    latencies = np.asarray([shown_at[a] - t0 for a, t0 in written.items() if a in shown_at])
    missing = [a for a in written if a not in shown_at]
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    print(f"machine: {machine()}; load: {uptime.strip()}")
    print(f"events: {len(written)}, shown: {len(latencies)}, never shown: {len(missing)}")
    ms = latencies * 1000
    print(f"change at a station -> shown in the overview: p50={np.percentile(ms, 50):.0f} ms "
          f"p95={np.percentile(ms, 95):.0f} ms max={ms.max():.0f} ms")


if __name__ == "__main__":
    main()
