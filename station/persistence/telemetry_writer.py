"""Buffered telemetry writer: samples reach the database at most ``max_lag_s`` late.

Samples are buffered per infusion and flushed in one transaction when the oldest
buffered sample has waited ``max_lag_s`` (checked on every ``add`` and on
``flush_if_due``, which the owner calls from a timer), and on ``close``. Each
infusion has one open chunk that grows by UPDATE until it holds
``chunk_samples``; then it is closed and the next sample starts a new row. Not
thread-safe: one writer per thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.errors import storage_errors
from station.persistence.telemetry import TelemetryChunk, TelemetrySample, pack_chunk, to_epoch_us
from station.persistence.unit_of_work import insist_on_synchronous_commit

DEFAULT_CHUNK_SAMPLES = 120
DEFAULT_MAX_LAG_S = 1.0


@dataclass
class _Columns:
    """Samples of one infusion as plain lists (cheap to append to)."""

    times_us: list[int] = field(default_factory=list)
    rate: list[float] = field(default_factory=list)
    volume: list[float] = field(default_factory=list)
    pressure: list[float] = field(default_factory=list)

    def extend(self, other: _Columns) -> None:
        self.times_us += other.times_us
        self.rate += other.rate
        self.volume += other.volume
        self.pressure += other.pressure

    def slice(self, start: int, stop: int) -> _Columns:
        return _Columns(
            self.times_us[start:stop],
            self.rate[start:stop],
            self.volume[start:stop],
            self.pressure[start:stop],
        )

    def row(self, infusion_id: int) -> dict[str, object]:
        return pack_chunk(
            infusion_id,
            np.asarray(self.times_us, dtype=np.int64),
            np.asarray(self.rate, dtype=np.float64),
            np.asarray(self.volume, dtype=np.float64),
            np.asarray(self.pressure, dtype=np.float64),
        )


@dataclass
class _OpenChunk:
    """The not yet full chunk of an infusion: its row id (once stored) and samples."""

    row_id: int | None
    samples: _Columns


class TelemetryWriter:
    """Writes pump samples in batches, never more than ``max_lag_s`` behind."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], float] = time.monotonic,
        max_lag_s: float = DEFAULT_MAX_LAG_S,
        chunk_samples: int = DEFAULT_CHUNK_SAMPLES,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._max_lag_s = max_lag_s
        self._chunk_samples = chunk_samples
        self._pending: dict[int, _Columns] = {}
        self._pending_count = 0
        self._oldest_pending_at: float | None = None
        self._open: dict[int, _OpenChunk] = {}

    @property
    def pending(self) -> int:
        """Samples buffered and not yet in the database."""
        return self._pending_count

    def add(self, sample: TelemetrySample) -> None:
        """Buffer one sample; flush if the oldest buffered one is due."""
        at_us = to_epoch_us(sample.at)  # first: a refused sample must leave no trace
        cols = self._pending.setdefault(sample.infusion_id, _Columns())
        cols.times_us.append(at_us)
        cols.rate.append(sample.rate_ml_h)
        cols.volume.append(sample.volume_ml)
        p = sample.pressure_mmhg
        cols.pressure.append(math.nan if p is None else p)
        self._pending_count += 1
        if self._oldest_pending_at is None:
            self._oldest_pending_at = self._clock()
        self.flush_if_due()

    def flush_if_due(self) -> bool:
        """Flush when the oldest buffered sample has waited ``max_lag_s``; say if it did."""
        if self._oldest_pending_at is None:
            return False
        if self._clock() - self._oldest_pending_at < self._max_lag_s:
            return False
        self.flush()
        return True

    def flush(self) -> int:
        """Write every buffered sample in one durable transaction; return how many.

        On a storage error the samples stay buffered for the next attempt.
        """
        if not self._pending:
            return 0
        inserts, updates, new_open = self._plan()
        with (
            storage_errors("cannot store telemetry"),
            self._sessions() as session,
            session.begin(),
        ):
            insist_on_synchronous_commit(session)
            opened = self._write(session, inserts, updates, new_open)
        for infusion_id in self._pending:
            # A chunk that filled up exactly is closed: the next sample opens a new one.
            self._open.pop(infusion_id, None)
        for infusion_id, chunk in new_open.items():
            if chunk.row_id is None:
                chunk.row_id = opened[infusion_id]
            self._open[infusion_id] = chunk
        written = self._pending_count
        self._pending.clear()
        self._pending_count = 0
        self._oldest_pending_at = None
        return written

    def close(self) -> None:
        """Flush what is left; the open chunks stay in the database as they are."""
        self.flush()
        self._open.clear()

    def _plan(
        self,
    ) -> tuple[list[dict[str, object]], list[dict[str, object]], dict[int, _OpenChunk]]:
        """Rows to insert (closed chunks), to update (stored chunks), the new open chunks."""
        inserts: list[dict[str, object]] = []
        updates: list[dict[str, object]] = []
        new_open: dict[int, _OpenChunk] = {}
        size = self._chunk_samples
        for infusion_id, fresh in self._pending.items():
            current = self._open.get(infusion_id)
            row_id = current.row_id if current else None
            merged = _Columns()
            if current:
                merged.extend(current.samples)
            merged.extend(fresh)
            n = len(merged.times_us)
            for start in range(0, n, size):
                part = merged.slice(start, min(start + size, n))
                last = start + size >= n
                if last and len(part.times_us) < size:
                    new_open[infusion_id] = _OpenChunk(row_id, part)
                elif row_id is not None:
                    updates.append({"id": row_id, **part.row(infusion_id)})
                else:
                    inserts.append(part.row(infusion_id))
                row_id = None
        return inserts, updates, new_open

    def _write(
        self,
        session: Session,
        inserts: list[dict[str, object]],
        updates: list[dict[str, object]],
        new_open: dict[int, _OpenChunk],
    ) -> dict[int, int]:
        """Run the planned statements; return row ids of newly inserted open chunks."""
        if inserts:
            session.execute(sa.insert(TelemetryChunk), inserts)
        opened: dict[int, int] = {}
        for infusion_id, chunk in new_open.items():
            row = chunk.samples.row(infusion_id)
            if chunk.row_id is None:
                stmt = sa.insert(TelemetryChunk).values(row).returning(TelemetryChunk.id)
                opened[infusion_id] = int(session.execute(stmt).scalar_one())
            else:
                updates.append({"id": chunk.row_id, **row})
        if updates:
            session.execute(sa.update(TelemetryChunk), updates)
        return opened
