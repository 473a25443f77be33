"""Telemetry: batched writes at most 1 s behind, compact chunks, full-resolution reads."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.base import NaiveDatetimeError
from station.persistence.telemetry import TelemetryChunk, TelemetrySample, to_epoch_us
from station.persistence.telemetry_reader import load_series
from station.persistence.telemetry_writer import TelemetryWriter
from tests.persistence.factories import T0, Seed


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _sample(seed: Seed, second: float, pressure: float | None = 80.0) -> TelemetrySample:
    return TelemetrySample(
        infusion_id=seed.infusion_id,
        at=T0 + timedelta(seconds=second),
        rate_ml_h=40.0 + second / 100,
        volume_ml=second * 40.0 / 3600,
        pressure_mmhg=pressure,
    )


def _chunk_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(TelemetryChunk)) or 0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_round_trip_keeps_values_and_absent_pressure_as_nan(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock, chunk_samples=4)
    samples = [_sample(seed, s, pressure=None if s in (2, 5) else 70.0 + s) for s in range(10)]
    for sample in samples:
        writer.add(sample)
    writer.close()

    series = load_series(sessions, seed.infusion_id)

    assert len(series) == 10
    assert series.times_us.tolist() == [to_epoch_us(s.at) for s in samples]
    np.testing.assert_allclose(series.rate_ml_h, [s.rate_ml_h for s in samples], rtol=1e-6)
    np.testing.assert_array_equal(series.volume_ml, [s.volume_ml for s in samples])
    assert np.isnan(series.pressure_mmhg[[2, 5]]).all()
    assert series.pressure_mmhg[7] == pytest.approx(77.0)
    assert series.times()[0] == np.datetime64("2026-11-24T08:00:00", "us")
    assert _chunk_count(sessions) == 3  # 4 + 4 + 2 samples


def test_samples_wait_at_most_max_lag_before_reaching_the_database(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock, max_lag_s=1.0)
    writer.add(_sample(seed, 0))
    clock.now += 0.5
    writer.add(_sample(seed, 0.5))
    clock.now += 0.49
    assert writer.flush_if_due() is False
    assert len(load_series(sessions, seed.infusion_id)) == 0
    assert writer.pending == 2

    clock.now += 0.01  # the first sample has now waited exactly 1 s
    assert writer.flush_if_due() is True

    assert len(load_series(sessions, seed.infusion_id)) == 2
    assert writer.pending == 0
    assert writer.flush_if_due() is False


def test_add_flushes_by_itself_when_the_oldest_sample_is_due(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock)
    for second in range(3):
        writer.add(_sample(seed, second))
        clock.now += 0.6
    # Third add came 1.2 s after the first sample arrived: all three are stored.
    assert len(load_series(sessions, seed.infusion_id)) == 3


def _chunk_sizes(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(sa.select(TelemetryChunk.n_samples).order_by("id")))


def test_each_flush_appends_a_fragment_and_full_fragments_become_one_chunk(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock, chunk_samples=5)
    for second in range(12):
        writer.add(_sample(seed, second))
        writer.flush()
        stored = second + 1
        assert _chunk_sizes(sessions) == [5] * (stored // 5) + [1] * (stored % 5)
        assert len(load_series(sessions, seed.infusion_id)) == stored

    series = load_series(sessions, seed.infusion_id)
    assert series.times_us.tolist() == [to_epoch_us(T0 + timedelta(seconds=s)) for s in range(12)]


def test_a_large_flush_writes_full_chunks_and_one_fragment(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock, chunk_samples=4)
    for second in range(3):
        writer.add(_sample(seed, second))
    writer.flush()
    for second in range(3, 13):
        writer.add(_sample(seed, second))
    writer.flush()
    assert _chunk_sizes(sessions) == [4, 4, 4, 1]
    assert len(load_series(sessions, seed.infusion_id)) == 13


def test_a_chunk_that_fills_exactly_is_closed(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock, chunk_samples=3)
    for second in range(3):
        writer.add(_sample(seed, second))
    writer.flush()
    writer.add(_sample(seed, 3))
    writer.flush()
    assert _chunk_count(sessions) == 2
    assert len(load_series(sessions, seed.infusion_id)) == 4


def test_infusions_are_kept_apart_and_windows_cut_exactly(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    from station.persistence.delivery import Infusion
    from station.persistence.records import Records

    other = Infusion(order_id=seed.order_id, appointment_id=seed.appointment_id)
    Records(sessions).add(other)
    writer = TelemetryWriter(sessions, clock=clock, chunk_samples=7)
    for second in range(30):
        writer.add(_sample(seed, second))
        writer.add(
            TelemetrySample(other.id, T0 + timedelta(seconds=second), 99.0, 1.0, pressure_mmhg=1.0)
        )
    writer.close()

    window = load_series(
        sessions,
        seed.infusion_id,
        since=T0 + timedelta(seconds=10),
        until=T0 + timedelta(seconds=20),
    )

    assert len(load_series(sessions, other.id)) == 30
    assert float(load_series(sessions, other.id).rate_ml_h.max()) == 99.0
    assert window.times_us.tolist() == [
        to_epoch_us(T0 + timedelta(seconds=s)) for s in range(10, 20)
    ]
    assert float(window.rate_ml_h.max()) < 99.0


def test_late_samples_are_read_back_in_time_order(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock, chunk_samples=4)
    for second in (0, 1, 2, 3, 4, 5):
        writer.add(_sample(seed, second))
    writer.flush()
    # Buffered at the pump during a link outage, delivered after the link came back.
    writer.add(_sample(seed, 2.5))
    writer.close()

    times = load_series(sessions, seed.infusion_id).times_us
    assert times.tolist() == sorted(times.tolist())
    assert len(times) == 7


def test_unknown_infusion_reads_empty_and_naive_time_is_refused(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    assert len(load_series(sessions, seed.infusion_id + 999)) == 0
    writer = TelemetryWriter(sessions, clock=clock)
    naive = TelemetrySample(seed.infusion_id, T0.replace(tzinfo=None), 1.0, 1.0)
    with pytest.raises(NaiveDatetimeError):
        writer.add(naive)
    assert writer.pending == 0


def test_refused_sample_does_not_close_the_open_chunk(
    sessions: sessionmaker[Session], seed: Seed, clock: FakeClock
) -> None:
    writer = TelemetryWriter(sessions, clock=clock, chunk_samples=2)
    writer.add(_sample(seed, 0))
    writer.flush()
    with pytest.raises(NaiveDatetimeError):
        writer.add(TelemetrySample(seed.infusion_id, T0.replace(tzinfo=None), 1.0, 1.0))
    writer.flush()
    writer.add(_sample(seed, 1))
    writer.flush()
    assert _chunk_sizes(sessions) == [2]
    assert len(load_series(sessions, seed.infusion_id)) == 2
