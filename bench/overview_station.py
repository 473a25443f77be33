"""The station process of the overview benchmarks (`overview_common.start_writer`): the
48 chairs' telemetry at 1 Hz with heartbeats, or an alarm on the next chair every
`every` seconds. Kept free of Qt, so that it starts as fast as a station's writer."""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from storage_common import open_migrated

from station.persistence import AlarmLog, Records, TelemetrySample, TelemetryWriter
from station.persistence import alarms as stored
from station.persistence.delivery import Infusion
from station.persistence.people import ActorKind
from station.persistence.scheduling import Chair
from station.unit.leases import LeaseBook

STATION = "bench-station"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _telemetry(sessions: sessionmaker[Session], seconds: float) -> None:
    """Every chair's sample each second, stored at most 1 s behind; a heartbeat every 5 s."""
    infusion_ids = [i.id for i in Records(sessions).select_all(
        sa.select(Infusion))]
    writer = TelemetryWriter(sessions)
    book = LeaseBook(sessions, STATION, utc_now=utc_now)
    end = time.monotonic() + seconds
    tick = time.monotonic()
    volume = 0.0
    beats = 0
    while time.monotonic() < end:
        volume += 100 / 3600
        now = utc_now()
        for infusion_id in infusion_ids:
            writer.add(TelemetrySample(infusion_id, now, 100.0 + (infusion_id % 7), volume,
                                       20.0))
        writer.flush_if_due()
        beats += 1
        if beats % 5 == 0:
            book.heartbeat()
        tick += 1.0
        time.sleep(max(0.0, tick - time.monotonic()))
    writer.close()


def _alarms(sessions: sessionmaker[Session], seconds: float, every_s: float) -> None:
    """An alarm on the next chair every `every_s`; prints its id and the time before the
    write began."""
    chairs = list(Records(sessions).select_all(sa.select(Chair)))
    log = AlarmLog(sessions)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        chair = chairs[n % len(chairs)]
        t0 = time.time()
        alarm_id = log.raise_alarm(stored.Alarm(
            code="occlusion", priority=stored.AlarmPriority.HIGH,
            category=stored.AlarmCategory.PHYSIOLOGICAL, latching=False, raised_at=utc_now(),
            cause="bench", infusion_id=None, pump_id=None, chair_id=chair.id,
            actor_kind=ActorKind.STATION, actor_user_id=None))
        print(json.dumps({"alarm_id": alarm_id, "chair": chair.label, "t0": t0}), flush=True)
        n += 1
        time.sleep(every_s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("telemetry", "alarms"))
    parser.add_argument("url")
    parser.add_argument("seconds", type=float)
    parser.add_argument("every", type=float, nargs="?", default=1.0)
    args = parser.parse_args()
    engine, sessions = open_migrated(args.url)
    if args.mode == "telemetry":
        _telemetry(sessions, args.seconds)
    else:
        _alarms(sessions, args.seconds, args.every)
    engine.dispose()


if __name__ == "__main__":
    main()
