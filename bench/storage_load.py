"""Loading one 6-hour infusion's full-resolution telemetry from a 10-million-sample database.

Builds (once, cached: /tmp/bench_10m.sqlite and the PostgreSQL schema bench_10m)
a database of 463 six-hour infusions at 1 Hz (10.0 million samples), written as
24 concurrent chairs would write them: chunks of neighbouring infusions
interleaved on disk. Then loads randomly chosen infusions with ``load_series``
and reports median, p95 and max (target: under 100 ms).

Run: .venv/bin/python bench/storage_load.py [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from storage_common import (
    DAY0,
    create_infusions,
    database_url,
    machine,
    open_migrated,
    telemetry_bytes,
)

from station.persistence.telemetry import TelemetryChunk, pack_chunk, to_epoch_us
from station.persistence.telemetry_reader import load_series
from station.persistence.telemetry_writer import DEFAULT_CHUNK_SAMPLES

SAMPLES_PER_INFUSION = 6 * 3600
INFUSIONS = 463  # x 21,600 = 10,000,800 samples
CHAIRS = 24


def _chunk_rows(infusion_id: int, start_us: int, k: int) -> dict[str, object]:
    size = DEFAULT_CHUNK_SAMPLES
    first = k * size
    idx = np.arange(first, min(first + size, SAMPLES_PER_INFUSION), dtype=np.int64)
    rate = np.minimum(40.0 + 40.0 * (idx // 1800), 200.0)
    pressure = 90.0 + 10.0 * np.sin(idx / 300.0)
    pressure[idx % 997 == 0] = np.nan  # now and then the pump reports no pressure
    return pack_chunk(
        infusion_id, start_us + idx * 1_000_000, rate, np.cumsum(rate) / 3600, pressure
    )


def build(sessions: sessionmaker[Session]) -> None:
    """Write 463 infusions in groups of 24 concurrent ones, chunk rows interleaved."""
    ids = create_infusions(sessions, INFUSIONS)
    chunks = -(-SAMPLES_PER_INFUSION // DEFAULT_CHUNK_SAMPLES)
    for g in range(0, INFUSIONS, CHAIRS):
        group = ids[g : g + CHAIRS]
        start_us = to_epoch_us(DAY0) + (g // CHAIRS) * 86_400_000_000
        rows = [_chunk_rows(i, start_us, k) for k in range(chunks) for i in group]
        with sessions() as session, session.begin():
            session.execute(sa.insert(TelemetryChunk), rows)
        print(f"  built {g + len(group)}/{INFUSIONS} infusions", end="\r", flush=True)
    print()


def stored_samples(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(sa.select(sa.func.sum(TelemetryChunk.n_samples))) or 0)


def _evict_sqlite_file(engine: Engine, url: str) -> None:
    """Drop the file from the OS page cache and close pooled connections: a cold read."""
    engine.dispose()
    path = make_url(url).database or ""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def measure(backend: str, repeats: int, *, cold: bool = False) -> None:
    url = database_url(backend, "bench_10m", fresh=False)
    engine, sessions = open_migrated(url)
    if stored_samples(sessions) != INFUSIONS * SAMPLES_PER_INFUSION:
        engine.dispose()
        url = database_url(backend, "bench_10m", fresh=True)
        engine, sessions = open_migrated(url)
        started = time.perf_counter()
        build(sessions)
        print(f"{backend}: built in {time.perf_counter() - started:.0f} s")
        if backend == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE telemetry_chunks")
    with sessions() as session:
        ids = list(session.scalars(sa.select(TelemetryChunk.infusion_id).distinct()))
    table, whole = telemetry_bytes(engine, url)
    rng = random.Random(7)
    first_ms = 0.0
    times_ms = []
    for i in range(repeats):
        infusion_id = rng.choice(ids)
        if cold:
            _evict_sqlite_file(engine, url)
        started = time.perf_counter()
        series = load_series(sessions, infusion_id)
        elapsed = (time.perf_counter() - started) * 1000
        assert len(series) == SAMPLES_PER_INFUSION, len(series)
        if i == 0:
            first_ms = elapsed
        else:
            times_ms.append(elapsed)
    engine.dispose()
    q = statistics.quantiles(times_ms, n=20)
    label = (
        f"{backend} (cold: file evicted from the OS cache before each load)" if cold else backend
    )
    print(
        f"{label}: {stored_samples_text()} samples, telemetry {table / 2**20:.0f} MiB, "
        f"database {whole / 2**20:.0f} MiB; load one 6-h infusion ({SAMPLES_PER_INFUSION:,} "
        f"samples): first {first_ms:.1f} ms, then median {statistics.median(times_ms):.1f} ms, "
        f"p95 {q[18]:.1f} ms, max {max(times_ms):.1f} ms over {len(times_ms)} loads"
    )


def stored_samples_text() -> str:
    return f"{INFUSIONS * SAMPLES_PER_INFUSION:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=101)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        measure(backend, args.repeats)
        if backend == "sqlite":
            measure(backend, args.repeats, cold=True)


if __name__ == "__main__":
    main()
