"""Telemetry ingestion: samples per second sustained into SQLite and PostgreSQL.

Two scenarios, each through the real TelemetryWriter with a simulated clock, so
every flush carries exactly one second of samples and commits durably:

- throughput: many infusions at a high rate for 60 simulated seconds; the figure
  is samples / wall time (target: at least 20,000 per second);
- day: 24 chairs at 1 Hz for a full 8-hour day (28,800 one-second flushes);
  reports the wall time and the bytes per chair-hour on disk.

Run: .venv/bin/python bench/storage_ingest.py [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import timedelta

from storage_common import (
    DAY0,
    create_infusions,
    database_url,
    machine,
    open_migrated,
    telemetry_bytes,
    vacuum_full,
)

from station.persistence.telemetry import TelemetrySample
from station.persistence.telemetry_writer import TelemetryWriter


@dataclass
class SimClock:
    """Simulated seconds: the writer flushes once per simulated second."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


def ingest(
    backend: str, name: str, infusions: int, hz: int, seconds: int, *, chunk: int = 0
) -> dict[str, float]:
    """Stream ``infusions`` x ``hz`` samples/s for ``seconds`` simulated; return figures."""
    url = database_url(backend, name, fresh=True)
    engine, sessions = open_migrated(url)
    ids = create_infusions(sessions, infusions)
    clock = SimClock()
    writer = TelemetryWriter(sessions, clock=clock, **({"chunk_samples": chunk} if chunk else {}))
    step = 1.0 / hz
    started = time.perf_counter()
    for tick in range(seconds * hz):
        clock.now = tick * step
        at = DAY0 + timedelta(seconds=clock.now)
        for infusion_id in ids:
            writer.add(TelemetrySample(infusion_id, at, 120.0, tick * 0.001, 85.0 + tick % 7))
        writer.flush_if_due()
    writer.close()
    wall = time.perf_counter() - started
    table, whole = telemetry_bytes(engine, url)
    vacuum_full(engine)
    table_vacuumed, _ = telemetry_bytes(engine, url)
    engine.dispose()
    total = infusions * hz * seconds
    chair_hours = infusions * seconds / 3600
    return {
        "samples": total,
        "wall_s": wall,
        "samples_per_s": total / wall,
        "flushes": writer.flushes,
        "realtime_factor": seconds / wall,
        "table_bytes_per_chair_hour": table / chair_hours,
        "db_bytes_per_chair_hour": whole / chair_hours,
        "vacuumed_table_bytes_per_chair_hour": table_vacuumed / chair_hours,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--day-hours", type=float, default=8.0)
    parser.add_argument("--throughput-infusions", type=int, default=500)
    parser.add_argument("--throughput-hz", type=int, default=40)
    parser.add_argument("--throughput-seconds", type=int, default=60)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"machine: {machine()}")
    for backend in backends:
        fig = ingest(
            backend,
            "bench_ingest",
            args.throughput_infusions,
            args.throughput_hz,
            args.throughput_seconds,
        )
        print(
            f"{backend} throughput: {args.throughput_infusions} infusions x "
            f"{args.throughput_hz} Hz x {args.throughput_seconds} s = {fig['samples']:,.0f} "
            f"samples in {fig['wall_s']:.1f} s -> {fig['samples_per_s']:,.0f} samples/s "
            f"({fig['flushes']:.0f} flushes)"
        )
        day = ingest(backend, "bench_day", 24, 1, round(args.day_hours * 3600))
        print(
            f"{backend} day: 24 chairs x 1 Hz x {args.day_hours:g} h = {day['samples']:,.0f} "
            f"samples in {day['wall_s']:.1f} s ({day['realtime_factor']:,.0f}x real time, "
            f"{day['flushes']:.0f} flushes); telemetry "
            f"{day['table_bytes_per_chair_hour'] / 1024:.1f} KiB/chair-hour, whole database "
            f"{day['db_bytes_per_chair_hour'] / 1024:.1f} KiB/chair-hour"
            + (
                f"; telemetry after VACUUM FULL "
                f"{day['vacuumed_table_bytes_per_chair_hour'] / 1024:.1f} KiB/chair-hour"
                if backend == "postgresql"
                else ""
            )
        )


if __name__ == "__main__":
    main()
