"""Buffered telemetry writer: samples reach the database at most ``max_lag_s`` late.

Samples are buffered per infusion and flushed in one durable transaction when
the oldest buffered sample has waited ``max_lag_s`` (checked on every ``add``
and on ``flush_if_due``, which the owner calls from a timer), and on ``close``.

Each flush appends one small row (a fragment) per infusion. Once an infusion's
fragments hold ``chunk_samples``, the same transaction replaces them with one
full chunk. Rows are never updated: on PostgreSQL an UPDATE leaves a dead copy
of the whole row (and its TOAST data) behind, which bloated the table 20-fold.
Not thread-safe: one writer per thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.errors import StorageError
from station.persistence.telemetry import TelemetryChunk, TelemetrySample, pack_chunk, to_epoch_us
from station.persistence.unit_of_work import write_transaction

# 96 samples of 20 bytes keep a full chunk under PostgreSQL's 2 kB TOAST threshold
# and let two chunks share a 4 kB SQLite page (120 left 40 % of each page empty).
DEFAULT_CHUNK_SAMPLES = 96
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
    """The not yet full chunk of an infusion: its stored fragments and their samples."""

    fragment_ids: list[int]
    samples: _Columns


@dataclass
class _Plan:
    """What one flush writes, and the open chunks it leaves when it commits."""

    full_chunks: list[dict[str, object]] = field(default_factory=list)
    fragments: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    merged_fragment_ids: list[int] = field(default_factory=list)
    open_after: dict[int, _OpenChunk | None] = field(default_factory=dict)


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
        self._flushes = 0

    @property
    def pending(self) -> int:
        """Samples buffered and not yet in the database."""
        return self._pending_count

    @property
    def flushes(self) -> int:
        """Transactions written so far (for monitoring and benchmarks)."""
        return self._flushes

    def add(self, sample: TelemetrySample) -> None:
        """Buffer one sample; flush if the oldest buffered one is due.

        If that flush fails, the error is raised but the sample stays buffered.
        """
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
        plan = self._plan()
        try:
            with write_transaction(self._sessions, "store telemetry") as session:
                fragment_ids = _write(session, plan)
        except StorageError:
            # Retry one lag period later, not on every add: a locked database would
            # otherwise block each add for the whole busy timeout.
            self._oldest_pending_at = self._clock()
            raise
        new_ids = dict(zip((inf for inf, _ in plan.fragments), fragment_ids, strict=True))
        for infusion_id, chunk in plan.open_after.items():
            if chunk is None:
                self._open.pop(infusion_id, None)
            else:
                chunk.fragment_ids.append(new_ids[infusion_id])
                self._open[infusion_id] = chunk
        written = self._pending_count
        self._flushes += 1
        self._pending.clear()
        self._pending_count = 0
        self._oldest_pending_at = None
        return written

    def close(self) -> None:
        """Flush what is left; the open chunks stay in the database as they are."""
        self.flush()
        self._open.clear()

    def _plan(self) -> _Plan:
        """Full chunks to insert, fragments to insert and to merge away."""
        plan = _Plan()
        size = self._chunk_samples
        for infusion_id, fresh in self._pending.items():
            current = self._open.get(infusion_id) or _OpenChunk([], _Columns())
            merged = _Columns()
            merged.extend(current.samples)
            merged.extend(fresh)
            n = len(merged.times_us)
            full = n // size
            if full == 0:
                plan.fragments.append((infusion_id, fresh.row(infusion_id)))
                plan.open_after[infusion_id] = _OpenChunk(list(current.fragment_ids), merged)
                continue
            for k in range(full):
                plan.full_chunks.append(merged.slice(k * size, (k + 1) * size).row(infusion_id))
            plan.merged_fragment_ids += current.fragment_ids
            rest = merged.slice(full * size, n)
            if rest.times_us:
                plan.fragments.append((infusion_id, rest.row(infusion_id)))
                plan.open_after[infusion_id] = _OpenChunk([], rest)
            else:
                plan.open_after[infusion_id] = None
        return plan


# One statement text however many fragments a flush merges. An IN list renders one
# text per length, and Python's sqlite3 prepares and keeps each text (128 per
# connection): the station's memory grew by ~130 KiB a minute for an hour
# (docs/benchmarks/endurance.md).
_CHUNKS = cast(sa.Table, TelemetryChunk.__table__)
_DELETE_FRAGMENT = sa.delete(_CHUNKS).where(_CHUNKS.c.id == sa.bindparam("fragment_id"))


def _write(session: Session, plan: _Plan) -> list[int]:
    """Run a flush's statements; return the ids of the new fragments, in plan order."""
    if plan.merged_fragment_ids:
        session.execute(
            _DELETE_FRAGMENT, [{"fragment_id": i} for i in plan.merged_fragment_ids]
        )
    if plan.full_chunks:
        session.execute(sa.insert(TelemetryChunk), plan.full_chunks)
    if not plan.fragments:
        return []
    stmt = sa.insert(TelemetryChunk).returning(TelemetryChunk.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, [row for _, row in plan.fragments]))
