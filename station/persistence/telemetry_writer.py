"""Buffered telemetry writer: samples reach the database at most ``max_lag_s`` late.

Samples are buffered per infusion and flushed in one durable transaction when
the oldest buffered sample has waited ``max_lag_s`` (checked on every ``add``
and on ``flush_if_due``, which the owner calls from a timer), and on ``close``.

Each flush appends one small row (a fragment) per infusion. Once an infusion's
fragments hold ``chunk_samples``, the same transaction replaces them with one
full chunk. Rows are never updated: on PostgreSQL an UPDATE leaves a dead copy
of the whole row (and its TOAST data) behind, which bloated the table 20-fold.
Not thread-safe: one writer per thread.

A flush is planned once and, if it fails, written again as it was planned (before any
sample added since): its commit may have reached the database with the answer lost,
and chunks are unique per infusion and first sample time (migration 0007), so the
second write inserts nothing twice (`write_chunks`). `hand_over` gives a failed flush
and the samples still buffered to an owner that keeps them elsewhere (the station's
local spool) and forgets them here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.errors import StorageError
from station.persistence.telemetry import (
    TelemetryChunk,
    TelemetrySample,
    from_epoch_us,
    pack_chunk,
    to_epoch_us,
)
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


@dataclass(frozen=True)
class ChunkWrite:
    """The statements of one flush: fragments merged away (by id), chunk rows to insert.

    Written twice (`write_chunks`), it leaves what one write leaves.
    """

    delete_ids: tuple[int, ...]
    rows: tuple[dict[str, object], ...]


@dataclass
class _Plan:
    """What one flush writes, and the open chunks it leaves when it commits."""

    samples: int = 0
    full_chunks: list[dict[str, object]] = field(default_factory=list)
    fragments: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    merged_fragment_ids: list[int] = field(default_factory=list)
    open_after: dict[int, _OpenChunk | None] = field(default_factory=dict)

    def statements(self) -> ChunkWrite:
        return ChunkWrite(tuple(self.merged_fragment_ids),
                          (*self.full_chunks, *(row for _, row in self.fragments)))


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
        self._failed: _Plan | None = None  # a flush that failed, to write again first
        self._flushes = 0

    @property
    def pending(self) -> int:
        """Samples buffered and not yet in the database."""
        return self._pending_count + (self._failed.samples if self._failed else 0)

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

        A flush that failed before is written first, as it was planned. On a storage
        error the samples stay buffered for the next attempt.
        """
        written = 0
        if self._failed is not None:
            written += self._commit(self._failed)
        if not self._pending:
            return written
        plan = self._plan()
        self._pending.clear()
        self._pending_count = 0
        return written + self._commit(plan)

    def hand_over(self) -> tuple[ChunkWrite | None, list[TelemetrySample]]:
        """What is not stored yet, taken away: the failed flush's statements (to write
        again as they are) and the samples buffered since. The writer starts afresh
        (its open chunks stay in the database as they are, as after `close`)."""
        failed = None if self._failed is None else self._failed.statements()
        samples = [TelemetrySample(infusion_id, from_epoch_us(t), rate, volume,
                                   None if math.isnan(p) else p)
                   for infusion_id, cols in self._pending.items()
                   for t, rate, volume, p in zip(cols.times_us, cols.rate, cols.volume,
                                                 cols.pressure, strict=True)]
        samples.sort(key=lambda sample: sample.at)
        self._failed = None
        self._pending.clear()
        self._pending_count = 0
        self._oldest_pending_at = None
        self._open.clear()
        return failed, samples

    def _commit(self, plan: _Plan) -> int:
        try:
            with write_transaction(self._sessions, "store telemetry") as session:
                fragment_ids = _write(session, plan)
        except StorageError:
            # Retry one lag period later, not on every add: a locked database would
            # otherwise block each add for the whole busy timeout.
            self._failed = plan
            self._oldest_pending_at = self._clock()
            raise
        self._failed = None
        new_ids = dict(zip((inf for inf, _ in plan.fragments), fragment_ids, strict=True))
        for infusion_id, chunk in plan.open_after.items():
            if chunk is None:
                self._open.pop(infusion_id, None)
            else:
                chunk.fragment_ids.append(new_ids[infusion_id])
                self._open[infusion_id] = chunk
        self._flushes += 1
        if not self._pending:
            self._oldest_pending_at = None
        return plan.samples

    def close(self) -> None:
        """Flush what is left; the open chunks stay in the database as they are."""
        self.flush()
        self._open.clear()

    def _plan(self) -> _Plan:
        """Full chunks to insert, fragments to insert and to merge away."""
        plan = _Plan(samples=self._pending_count)
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


def write_chunks(session: Session, chunks: ChunkWrite) -> None:
    """Delete the merged fragments, insert the rows whose key is not taken yet.

    Deleting by id is safe to repeat: PostgreSQL never hands an id out twice, and SQLite
    only reuses the highest id, within the same transaction (for its own new row).
    """
    if chunks.delete_ids:
        session.execute(_DELETE_FRAGMENT, [{"fragment_id": i} for i in chunks.delete_ids])
    if chunks.rows:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(TelemetryChunk).on_conflict_do_nothing(
            index_elements=[TelemetryChunk.infusion_id, TelemetryChunk.t0_us])
        session.execute(insert, list(chunks.rows))


def _write(session: Session, plan: _Plan) -> list[int]:
    """Run a flush's statements; return the ids of the new fragments, in plan order."""
    write_chunks(session, plan.statements())
    if not plan.fragments:
        return []
    keys = [(infusion_id, row["t0_us"]) for infusion_id, row in plan.fragments]
    # One text per number of open fragments, which is at most the infusions running at
    # once (a handful of prepared statements, not one per flush as the DELETE was).
    stmt = sa.select(TelemetryChunk.infusion_id, TelemetryChunk.t0_us, TelemetryChunk.id).where(
        sa.tuple_(TelemetryChunk.infusion_id, TelemetryChunk.t0_us).in_(keys))
    ids: dict[tuple[int, object], int] = {
        (infusion_id, t0): chunk_id for infusion_id, t0, chunk_id in session.execute(stmt)}
    return [ids[key] for key in keys]
