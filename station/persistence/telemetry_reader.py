"""Loading an infusion's full-resolution telemetry as numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.errors import storage_errors
from station.persistence.telemetry import (
    OFFSET_DTYPE,
    PRESSURE_DTYPE,
    RATE_DTYPE,
    VOLUME_DTYPE,
    TelemetryChunk,
    TelemetrySeries,
    to_epoch_us,
)

# A chunk starting this long before the window can still hold samples inside it.
_MAX_CHUNK_SPAN_US = 24 * 3600 * 1_000_000


def _concat(blobs: list[bytes], dtype: np.dtype[np.generic]) -> np.ndarray[Any, Any]:
    return np.frombuffer(b"".join(blobs), dtype=dtype)


def load_series(
    sessions: sessionmaker[Session],
    infusion_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> TelemetrySeries:
    """All samples of an infusion (optionally in [since, until)), ordered by time."""
    c = TelemetryChunk.__table__.c
    stmt = sa.select(
        c.t0_us, c.n_samples, c.offsets_ms, c.rate_ml_h, c.volume_ml, c.pressure_mmhg
    ).where(c.infusion_id == infusion_id)
    lo = to_epoch_us(since) if since is not None else None
    hi = to_epoch_us(until) if until is not None else None
    if lo is not None:
        stmt = stmt.where(c.t0_us >= lo - _MAX_CHUNK_SPAN_US)
    if hi is not None:
        stmt = stmt.where(c.t0_us < hi)
    with storage_errors("cannot read telemetry"), sessions() as session:
        rows = session.execute(stmt.order_by(c.t0_us, c.id)).all()
    series = _assemble(rows)
    return _window(series, lo, hi)


def _assemble(rows: Sequence[Sequence[Any]]) -> TelemetrySeries:
    if not rows:
        return TelemetrySeries(
            np.empty(0, np.int64),
            np.empty(0, np.float32),
            np.empty(0, np.float64),
            np.empty(0, np.float32),
        )
    t0, n, offsets, rate, volume, pressure = (list(col) for col in zip(*rows, strict=True))
    times = np.repeat(np.asarray(t0, dtype=np.int64), np.asarray(n, dtype=np.int64))
    times += _concat(offsets, OFFSET_DTYPE).astype(np.int64) * 1000
    series = TelemetrySeries(
        times,
        _concat(rate, RATE_DTYPE).astype(np.float32, copy=False),
        _concat(volume, VOLUME_DTYPE).astype(np.float64, copy=False),
        _concat(pressure, PRESSURE_DTYPE).astype(np.float32, copy=False),
    )
    if times.shape[0] > 1 and bool(np.any(np.diff(times) < 0)):
        # Samples that arrived late (after a link outage) sit in a later chunk.
        order = np.argsort(times, kind="stable")
        return _take(series, order)
    return series


def _take(series: TelemetrySeries, index: np.ndarray[Any, Any]) -> TelemetrySeries:
    return TelemetrySeries(
        series.times_us[index],
        series.rate_ml_h[index],
        series.volume_ml[index],
        series.pressure_mmhg[index],
    )


def _window(series: TelemetrySeries, lo: int | None, hi: int | None) -> TelemetrySeries:
    if lo is None and hi is None:
        return series
    keep = np.ones(len(series), dtype=bool)
    if lo is not None:
        keep &= series.times_us >= lo
    if hi is not None:
        keep &= series.times_us < hi
    return _take(series, np.flatnonzero(keep))
