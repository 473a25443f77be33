"""Each shown infusion's recent telemetry, kept between refreshes, and its sparkline.

The first read of an infusion takes its chunks over the sparkline's window; after that
a refresh reads only the chunks stored since (`telemetry_chunks.id` above the last one
seen), so a second's notification costs one sample per chair, not the window's 1800.
That holds because one station writes an infusion's telemetry (its chair's lease) and
its writer commits one flush after the other: a chunk of that infusion never commits
after a later one. Samples that arrive late (a backlog after an outage, with their
original times) are put in time order. The feed drops the cache at a resync.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.persistence.telemetry import (
    OFFSET_DTYPE,
    RATE_DTYPE,
    VOLUME_DTYPE,
    TelemetryChunk,
    to_epoch_us,
)

SPARK_POINTS = 60
_CHUNK_SPAN_US = 3_600_000_000  # a chunk starting up to an hour before may reach in
_C = TelemetryChunk.__table__.c
_COLUMNS = (_C.id, _C.infusion_id, _C.t0_us, _C.n_samples, _C.offsets_ms, _C.rate_ml_h,
            _C.volume_ml)


@dataclass(frozen=True)
class TelemetryTail:
    """Latest rate and volume, and the rate sparkline (oldest first)."""

    rate_ml_h: float
    volume_ml: float
    history: tuple[float, ...]


@dataclass
class _Series:
    times_us: np.ndarray[Any, Any]
    rate: np.ndarray[Any, Any]
    volume: np.ndarray[Any, Any]
    last_id: int


class TailCache:
    """The recent samples of the infusions read so far; used on the feed's thread."""

    def __init__(self, history_s: float) -> None:
        self.history_s = history_s
        self._series: dict[int, _Series] = {}

    def clear(self) -> None:
        self._series.clear()

    def keep_only(self, infusion_ids: Collection[int]) -> None:
        """Forget the infusions no longer shown."""
        for gone in set(self._series) - set(infusion_ids):
            del self._series[gone]

    def tails(self, session: Session, infusion_ids: Collection[int],
              now: datetime) -> dict[int, TelemetryTail]:
        """The tails of these infusions at `now` (those with samples in the window)."""
        if not infusion_ids:
            return {}
        lo_us = to_epoch_us(now) - int(self.history_s * 1e6)
        known = [i for i in infusion_ids if i in self._series]
        new = [i for i in infusion_ids if i not in self._series]
        grouped: dict[int, list[Any]] = defaultdict(list)
        if known:
            floor = min(self._series[i].last_id for i in known)
            for row in session.execute(sa.select(*_COLUMNS).where(
                    _C.infusion_id.in_(known), _C.id > floor).order_by(_C.id)):
                if row.id > self._series[row.infusion_id].last_id:
                    grouped[row.infusion_id].append(row)
        if new:
            for row in session.execute(sa.select(*_COLUMNS).where(
                    _C.infusion_id.in_(new), _C.t0_us >= lo_us - _CHUNK_SPAN_US)
                    .order_by(_C.id)):
                grouped[row.infusion_id].append(row)
        result = {}
        for infusion_id in infusion_ids:
            series = self._add(infusion_id, grouped.get(infusion_id, []), lo_us)
            if series is not None and len(series.times_us) and (
                    series.times_us[-1] >= lo_us - _CHUNK_SPAN_US):
                result[infusion_id] = _tail(series, lo_us, self.history_s)
        return result

    def _add(self, infusion_id: int, chunks: list[Any], lo_us: int) -> _Series | None:
        series = self._series.get(infusion_id)
        if chunks:
            times, rate, volume = _samples(chunks)
            in_order = bool(np.all(np.diff(times) >= 0))
            if series is not None and len(series.times_us):
                in_order = in_order and bool(times[0] >= series.times_us[-1])
                times = np.concatenate((series.times_us, times))
                rate = np.concatenate((series.rate, rate))
                volume = np.concatenate((series.volume, volume))
            if not in_order:
                order = np.argsort(times, kind="stable")  # late samples into their place
                times, rate, volume = times[order], rate[order], volume[order]
            series = _Series(times, rate, volume, max(int(r.id) for r in chunks))
            self._series[infusion_id] = series
        elif series is None:
            self._series[infusion_id] = series = _Series(
                np.empty(0, np.int64), np.empty(0), np.empty(0), 0)
        # The window, and the last sample before it (the first bins' value).
        start = max(0, int(np.searchsorted(series.times_us, lo_us, side="left")) - 1)
        if start:
            series.times_us = series.times_us[start:]
            series.rate, series.volume = series.rate[start:], series.volume[start:]
        return series


def _samples(chunks: list[Any]) -> tuple[np.ndarray[Any, Any], ...]:
    if len(chunks) == 1:  # a second's flush: the usual case, without the joins
        [one] = chunks
        times = np.frombuffer(one.offsets_ms, dtype=OFFSET_DTYPE).astype(np.int64) * 1000
        times += one.t0_us
        return (times, np.frombuffer(one.rate_ml_h, dtype=RATE_DTYPE).astype(np.float64),
                np.frombuffer(one.volume_ml, dtype=VOLUME_DTYPE).astype(np.float64))
    times = np.repeat(np.asarray([r.t0_us for r in chunks], dtype=np.int64),
                      np.asarray([r.n_samples for r in chunks], dtype=np.int64))
    times += np.frombuffer(b"".join(r.offsets_ms for r in chunks),
                           dtype=OFFSET_DTYPE).astype(np.int64) * 1000
    rate = np.frombuffer(b"".join(r.rate_ml_h for r in chunks), dtype=RATE_DTYPE)
    volume = np.frombuffer(b"".join(r.volume_ml for r in chunks), dtype=VOLUME_DTYPE)
    return times, rate.astype(np.float64), volume.astype(np.float64)


def _tail(series: _Series, lo_us: int, history_s: float) -> TelemetryTail:
    # The sparkline: the last rate in each of SPARK_POINTS equal bins of the window.
    edges = lo_us + (np.arange(1, SPARK_POINTS + 1) * (history_s * 1e6 / SPARK_POINTS))
    index = np.searchsorted(series.times_us, edges, side="right") - 1
    rate = series.rate
    history = np.where(index >= 0, rate[np.maximum(index, 0)], 0.0)
    return TelemetryTail(float(rate[-1]), float(series.volume[-1]), tuple(history.tolist()))
