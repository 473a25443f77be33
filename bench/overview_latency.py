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
import threading
import time
from collections.abc import Callable

import numpy as np
from overview_common import caption, fresh_unit, overview_on, run_loop, start_writer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--every", type=float, default=0.5)
    args = parser.parse_args()
    url, _ = fresh_unit("bench_overview_latency")
    shown_at: dict[int, float] = {}
    written: dict[int, float] = {}
    seconds = args.events * args.every

    def noting(redraw: Callable[[], None]) -> None:
        redraw()
        now = time.time()
        for tile in overview.window.grid.tiles:
            for alarm in tile.alarms:
                if alarm.alarm_id is not None:
                    shown_at.setdefault(alarm.alarm_id, now)

    with overview_on(url, noting) as overview:
        load = start_writer(url, "telemetry", seconds + 15)
        run_loop(5.0)  # the feed's first read, the load running
        events = start_writer(url, "alarms", seconds, str(args.every))

        def read_events() -> None:
            assert events.stdout is not None
            for line in events.stdout:
                record = json.loads(line)
                written[record["alarm_id"]] = record["t0"]
        reader = threading.Thread(target=read_events)
        reader.start()
        run_loop(seconds + 5)
        events.wait()
        reader.join()
    load.wait()
    latencies = np.asarray([shown_at[a] - t0 for a, t0 in written.items() if a in shown_at])
    missing = [a for a in written if a not in shown_at]
    print(caption())
    print(f"events: {len(written)}, shown: {len(latencies)}, never shown: {len(missing)}")
    ms = latencies * 1000
    print(f"change at a station -> shown in the overview: p50={np.percentile(ms, 50):.0f} ms "
          f"p95={np.percentile(ms, 95):.0f} ms max={ms.max():.0f} ms")


if __name__ == "__main__":
    main()
