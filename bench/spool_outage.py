"""The local spool during an outage: what keeping every sample on the station's disk costs.

16 chairs at 1 Hz through the real MonitorRecorder with its LocalSpool, while another
connection holds the station's SQLite file with BEGIN EXCLUSIVE (the database refuses);
a simulated clock, one recorder tick per simulated second (each blocked for the 50 ms
busy timeout, not counted). Reported: the wall time the monitoring thread spends per
sample handed to the spool (each one fsynced: synchronous=FULL), the spool file's size,
then, the lock released, the time to write everything to the database and the chunk
rows it made.

Run: .venv/bin/python bench/spool_outage.py [--minutes 10] [--chairs 16]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from storage_common import DAY0, create_infusions, machine

from station.monitoring.recorder import MonitorRecorder
from station.monitoring.spool import LocalSpool
from station.persistence import TelemetrySample, create_engine, make_sessionmaker
from station.persistence.schema import upgrade_engine
from station.persistence.telemetry import TelemetryChunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--chairs", type=int, default=16)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="spool-bench-"))
    db_path, spool_path = folder / "station.sqlite", folder / "spool.sqlite"
    engine = create_engine(f"sqlite:///{db_path}", busy_timeout_ms=50)
    upgrade_engine(engine)
    sessions = make_sessionmaker(engine)
    infusions = create_infusions(sessions, args.chairs)
    now = [0.0]
    recorder = MonitorRecorder(sessions, utc_now=lambda: DAY0, monotonic=lambda: now[0],
                               spool=LocalSpool(spool_path))
    lock = sqlite3.connect(db_path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")

    seconds = int(args.minutes * 60)
    in_samples = 0.0
    for second in range(seconds):
        now[0] = float(second)
        at = DAY0 + timedelta(seconds=second)
        started = time.perf_counter()
        for number, infusion in enumerate(infusions):
            recorder.telemetry_row(TelemetrySample(infusion, at, 100.0 + number,
                                                   second / 36, 12.0))
        in_samples += time.perf_counter() - started
        recorder.tick()
    samples = seconds * len(infusions)
    spool_bytes = sum(p.stat().st_size for p in folder.glob("spool.sqlite*"))
    waiting = recorder.waiting

    lock.execute("ROLLBACK")
    lock.close()
    started = time.perf_counter()
    recorder.tick()
    replay_s = time.perf_counter() - started
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.sum(TelemetryChunk.n_samples),
                                        sa.func.count())).one()
    recorder.close()
    engine.dispose()

    print(machine())
    print(f"outage {args.minutes:g} min, {len(infusions)} chairs at 1 Hz: {samples} samples")
    print(f"spooling: {1000 * in_samples / samples:.2f} ms per sample on the monitoring "
          f"thread ({100 * in_samples / seconds:.1f} % of each second)")
    print(f"spool: {waiting} entries, {spool_bytes / 1024:.0f} KiB "
          f"({spool_bytes / samples:.0f} bytes per sample)")
    print(f"database back: written in {replay_s:.2f} s; {stored[0]} samples stored "
          f"in {stored[1]} chunk rows")
    assert stored[0] == samples, "samples lost or doubled"


if __name__ == "__main__":
    main()
