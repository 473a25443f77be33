"""Pump telemetry stored compactly: one row per infusion per chunk of samples.

A chunk holds up to a few minutes of samples as packed little-endian arrays:
time offsets (int32 milliseconds from the chunk start), rate (float32 mL/h),
volume infused (float64 mL: a running total needs the precision) and downstream
pressure (float32 mmHg, NaN when the pump does not report it). At 1 Hz that is
20 bytes a sample plus one row header per chunk, instead of one indexed row
per sample. See docs/storage.md for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from station.persistence.base import Base, IdMixin, NaiveDatetimeError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OFFSET_DTYPE = np.dtype("<i4")
RATE_DTYPE = np.dtype("<f4")
VOLUME_DTYPE = np.dtype("<f8")
PRESSURE_DTYPE = np.dtype("<f4")


class TelemetryChunk(IdMixin, Base):
    """Consecutive samples of one infusion, packed as little-endian arrays."""

    __tablename__ = "telemetry_chunks"
    # Unique: a chunk is known by its infusion and first sample time, so a flush written
    # again after a lost commit answer inserts nothing twice (migration 0007).
    __table_args__ = (
        sa.Index("ix_telemetry_chunks_infusion_t0", "infusion_id", "t0_us", unique=True),
    )

    infusion_id: Mapped[int] = mapped_column(sa.ForeignKey("infusions.id"))
    # Microseconds since 1970-01-01 UTC: integers keep loading free of datetime parsing.
    t0_us: Mapped[int] = mapped_column(sa.BigInteger)
    n_samples: Mapped[int]
    offsets_ms: Mapped[bytes] = mapped_column(sa.LargeBinary)
    rate_ml_h: Mapped[bytes] = mapped_column(sa.LargeBinary)
    volume_ml: Mapped[bytes] = mapped_column(sa.LargeBinary)
    pressure_mmhg: Mapped[bytes] = mapped_column(sa.LargeBinary)


@dataclass(frozen=True, slots=True)
class TelemetrySample:
    """One reading from a pump during an infusion."""

    infusion_id: int
    at: datetime
    rate_ml_h: float
    volume_ml: float
    pressure_mmhg: float | None = None


def to_epoch_us(at: datetime) -> int:
    """Aware datetime to integer microseconds since the Unix epoch (UTC)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime {at.isoformat()} refused: give a zone")
    return (at - EPOCH) // timedelta(microseconds=1)


def from_epoch_us(us: int) -> datetime:
    """Integer microseconds since the Unix epoch to an aware UTC datetime."""
    return EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True)
class TelemetrySeries:
    """A full-resolution series as numpy arrays of equal length, ordered by time."""

    times_us: npt.NDArray[np.int64]
    rate_ml_h: npt.NDArray[np.float32]
    volume_ml: npt.NDArray[np.float64]
    pressure_mmhg: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return int(self.times_us.shape[0])

    def times(self) -> npt.NDArray[np.datetime64]:
        """The sample times as numpy datetime64[us] (UTC, numpy keeps no zone)."""
        return self.times_us.astype("datetime64[us]")


def pack_chunk(
    infusion_id: int,
    times_us: npt.NDArray[np.int64],
    rate: npt.NDArray[np.float64],
    volume: npt.NDArray[np.float64],
    pressure: npt.NDArray[np.float64],
) -> dict[str, object]:
    """Column values of one chunk row for arrays of equal length (at least one sample)."""
    t0 = int(times_us[0])
    offsets = (times_us - t0) // 1000
    return {
        "infusion_id": infusion_id,
        "t0_us": t0,
        "n_samples": int(times_us.shape[0]),
        "offsets_ms": offsets.astype(OFFSET_DTYPE).tobytes(),
        "rate_ml_h": rate.astype(RATE_DTYPE).tobytes(),
        "volume_ml": volume.astype(VOLUME_DTYPE).tobytes(),
        "pressure_mmhg": pressure.astype(PRESSURE_DTYPE).tobytes(),
    }
