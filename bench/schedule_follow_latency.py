"""Another station's write to the monitoring's schedule watch: p50, p95, max.

Station B records a pause, then its resume, through services on an engine of its own;
station A's monitoring service (joined to the unit with `unit_member`, its safety
re-read set to an hour) hears of it from the unit's change source and re-reads the
chair. Each figure runs from B's commit returning to A's subscriber getting the chair
update that carries the new schedule. PostgreSQL: a fresh schema on the shared server
(LISTEN/NOTIFY); SQLite: a file in /tmp, both engines in this process (the hub).
The clinic day is the services tests' seeded one (`tests/services/world.py`), hence
the repository on the path:

    PYTHONPATH=. .venv/bin/python bench/schedule_follow_latency.py --backend postgresql
"""

from __future__ import annotations

import argparse
import os
import queue
import time
from collections.abc import Callable

import numpy as np
from overview_common import caption
from storage_common import database_url, open_migrated

from station.domain.pauses import PauseReason, ResumeRate
from station.monitoring import ChairSnapshot, ChairUpdate
from station.persistence import create_engine
from station.unit.membership import unit_member
from tests.services.world import accepted
from tests.unit.followed_chair import HOUR_S, followed_chair


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--pairs", type=int, default=20)
    args = parser.parse_args()
    url = database_url(args.backend, "bench_schedule_follow", fresh=True)
    engine_a, _ = open_migrated(url)
    engine_b = create_engine(url)
    followed = followed_chair(engine_a, engine_b, url, "/tmp/bench-no-pump")
    other, infusion_id, service = followed.other, followed.infusion_id, followed.service
    updates: queue.SimpleQueue[tuple[float, ChairUpdate]] = queue.SimpleQueue()
    service.subscribe(lambda update: updates.put((time.monotonic(), update)))

    def heard(holds: Callable[[ChairSnapshot], bool], since: float) -> float:
        while True:
            at, update = updates.get(timeout=30)
            if update.snapshot.chair_id == "C1" and holds(update.snapshot):
                return at - since

    latencies: list[float] = []
    os.environ.setdefault("INFUSION_STATION_NAME", "bench-station-a")
    with unit_member(service, engine_a, heartbeat_s=HOUR_S), service:
        heard(lambda s: s.schedule.infusion_id == infusion_id, time.monotonic())
        for _ in range(args.pairs):
            accepted(other.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                            at=other.clock.now))
            latencies.append(heard(lambda s: s.schedule.paused_at is not None,
                                   time.monotonic()))
            other.clock.advance(1)
            accepted(other.svc.pauses.resume(infusion_id, ResumeRate.SAME,
                                             at=other.clock.now))
            latencies.append(heard(lambda s: s.schedule.paused_at is None, time.monotonic()))
            other.clock.advance(1)
    engine_b.dispose()
    engine_a.dispose()
    ms = np.asarray(latencies) * 1000
    print(caption())
    print(f"{args.backend}: {len(ms)} writes at another station -> schedule watch: "
          f"p50={np.percentile(ms, 50):.0f} ms p95={np.percentile(ms, 95):.0f} ms "
          f"max={ms.max():.0f} ms")


if __name__ == "__main__":
    main()
