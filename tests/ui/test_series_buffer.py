"""The Qt-free series buffer: growth, gaps as NaN, pressure absent, pauses and markers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from devices.driver.types import Sample, Stamp
from devices.protocol import Prompt
from ui.models.series_buffer import Marker, MarkerKind, SeriesBuffer, epoch

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def sample(seconds: float, rate: float = 100.0, volume: float = 1.0,
           pressure: float | None = 40.0) -> Sample:
    return Sample("chair-1", Stamp(T0 + timedelta(seconds=seconds), seconds), Prompt.INFUSING,
                  rate, volume, pressure)


def test_appends_in_order_and_grows_by_doubling() -> None:
    buffer = SeriesBuffer(capacity=4)
    for s in range(10):
        assert buffer.append(float(s), 50.0 + s, s * 0.1, 30.0)
    assert len(buffer) == 10
    assert buffer.capacity == 16
    np.testing.assert_array_equal(buffer.t, np.arange(10.0))
    np.testing.assert_allclose(buffer.rate, 50.0 + np.arange(10.0))
    assert buffer.peaks["rate"] == 59.0


def test_views_share_memory_with_the_buffer() -> None:
    buffer = SeriesBuffer(capacity=8)
    buffer.append(1.0, 10.0, 0.0, 5.0)
    assert np.shares_memory(buffer.rate, buffer.t.base)


def test_a_lost_link_becomes_one_nan_row_between_the_stretches() -> None:
    buffer = SeriesBuffer()
    buffer.append(0.0, 100.0, 0.0, 30.0)
    buffer.append(1.0, 100.0, 0.03, 30.0)
    buffer.mark_gap(2.5)
    buffer.append(9.0, 100.0, 0.25, 31.0)
    assert len(buffer) == 4
    assert buffer.t[2] == 2.5
    assert all(math.isnan(column[2]) for column in (buffer.rate, buffer.volume, buffer.pressure))
    assert buffer.rate[3] == 100.0


def test_a_silent_stretch_longer_than_the_gap_limit_is_a_gap_even_unreported() -> None:
    buffer = SeriesBuffer(gap_after_s=3.0)
    buffer.append(0.0, 80.0, 0.0, 30.0)
    buffer.append(2.9, 80.0, 0.1, 30.0)  # under the limit: joined
    buffer.append(10.0, 80.0, 0.3, 30.0)
    assert len(buffer) == 4
    assert math.isnan(buffer.rate[2])
    assert buffer.t[1] < buffer.t[2] < buffer.t[3]


def test_a_sample_older_than_the_last_is_dropped_and_counted() -> None:
    buffer = SeriesBuffer()
    buffer.append(5.0, 1.0, 0.0, None)
    assert not buffer.append(4.0, 1.0, 0.0, None)
    assert buffer.dropped == 1
    assert len(buffer) == 1


def test_pressure_not_reported_is_nan_and_flagged() -> None:
    buffer = SeriesBuffer()
    buffer.append_sample(sample(0, pressure=None))
    buffer.append_sample(sample(1, pressure=None))
    assert not buffer.pressure_reported
    assert np.isnan(buffer.pressure).all()
    buffer.append_sample(sample(2, pressure=12.0))
    assert buffer.pressure_reported
    assert buffer.last_sample is not None and buffer.last_sample.pressure_mmhg == 12.0


def test_sample_times_are_utc_epoch_seconds() -> None:
    buffer = SeriesBuffer()
    buffer.append_sample(sample(30))
    assert buffer.t[0] == epoch(T0 + timedelta(seconds=30))
    with pytest.raises(ValueError, match="timezone"):
        epoch(datetime(2026, 1, 1))


def test_pauses_open_and_close_and_markers_are_kept() -> None:
    buffer = SeriesBuffer()
    revision = buffer.revision
    buffer.start_pause(100.0, "bathroom break")
    assert buffer.pauses[-1].end is None
    buffer.end_pause(400.0)
    assert buffer.pauses[-1].end == 400.0
    with pytest.raises(ValueError, match="no pause"):
        buffer.end_pause(500.0)
    buffer.add_marker(Marker(200.0, MarkerKind.SIDE_EFFECT, "nausea, grade 2", "rate halved"))
    assert buffer.markers[0].detail == "rate halved"
    assert buffer.revision == revision + 3
