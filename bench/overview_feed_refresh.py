"""One feed refresh of 48 infusing chairs with the sparkline's whole window stored.

`overview_refresh.py` runs for about a minute, so its chairs have a minute of
telemetry, not the 30 min a sparkline shows by the middle of an infusion. Here every
chair first gets `--history-min` of telemetry as a station stores it (one chunk per
chair per second), then, once a second, one more second is stored and the feed
refreshes the 48 chairs' telemetry as a notification of that flush makes it do
(`UnitFeed.refresh` with the 48 infusions; the notification path itself is timed by
`overview_latency.py`).

    .venv/bin/python bench/overview_feed_refresh.py --history-min 30 --refreshes 60
"""

from __future__ import annotations

import argparse
import subprocess
import time
from datetime import timedelta

import numpy as np
from overview_common import fresh_unit, utc_now
from storage_common import machine

from station.persistence import TelemetrySample, TelemetryWriter, create_engine, make_sessionmaker
from station.unit.feed import UnitFeed
from station.unit.sources import change_source


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history-min", type=float, default=30.0)
    parser.add_argument("--refreshes", type=int, default=60)
    args = parser.parse_args()
    url, infusions = fresh_unit("bench_overview_feed_refresh")
    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    ids = list(infusions.values())
    writer = TelemetryWriter(sessions)
    seconds = int(args.history_min * 60)
    start = utc_now() - timedelta(seconds=seconds)
    for s in range(seconds):  # as a station flushes: one chunk per chair per second
        for k, infusion_id in enumerate(ids):
            writer.add(TelemetrySample(infusion_id, start + timedelta(seconds=s),
                                       100.0 + k % 7, s / 36))
        writer.flush()
    feed = UnitFeed(sessions, change_source(engine, url), utc_now=utc_now)
    feed.refresh_all()
    refresh_s: list[float] = []
    cpu0, wall0 = time.process_time(), time.monotonic()
    for n in range(args.refreshes):
        now = utc_now()
        for k, infusion_id in enumerate(ids):
            writer.add(TelemetrySample(infusion_id, now, 100.0 + k % 7, (seconds + n) / 36))
        writer.flush()
        started = time.perf_counter()
        feed.refresh((), ids)
        refresh_s.append(time.perf_counter() - started)
        time.sleep(max(0.0, wall0 + n + 1 - time.monotonic()))
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    tiles = feed.tiles()
    engine.dispose()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    print(f"machine: {machine()}; load: {uptime.strip()}")
    print(f"chairs: {len(tiles)}, with a sparkline: "
          f"{sum(1 for t in tiles if len(t.facts.rate_history) == 60)}; "
          f"history stored: {args.history_min:.0f} min per chair")
    print(f"CPU (this process: stores and refreshes): {100 * cpu / wall:.1f} % of one core")
    ms = np.asarray(refresh_s) * 1000
    print(f"feed refresh: n={len(ms)} p50={np.percentile(ms, 50):.1f} ms "
          f"p95={np.percentile(ms, 95):.1f} ms max={ms.max():.1f} ms")


if __name__ == "__main__":
    main()
