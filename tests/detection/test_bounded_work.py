"""Constant work per sample: every buffer stays bounded however long the infusion."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from station.detection.chair import LineDetectors
from station.detection.rolling import RollingMedian
from tests.detection.synthetic import creep_in_volume, line_trace


def test_buffers_stay_bounded_over_hours_at_10_hz() -> None:
    detectors = LineDetectors()
    samples = line_trace(3 * 3600, 0.1, 250, shapes=(creep_in_volume(3600, 3, 0.2),))
    sizes = []
    for sample in samples:
        detectors.update(sample)
        sizes.append((len(detectors.infiltration._points),
                      len(detectors.baseline._slow), len(detectors.baseline._fast)))
    points, slow, fast = (max(column) for column in zip(*sizes, strict=True))
    assert points <= detectors.infiltration.settings.max_points
    assert slow <= 30 * 10 + 1 and fast <= 8 * 10 + 1


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60),
       st.floats(0.5, 20))
def test_rolling_median_matches_the_median_of_the_window(
    values: list[float], window_s: float
) -> None:
    rolling = RollingMedian(window_s)
    for t, value in enumerate(values):
        rolling.push(float(t), value)
    inside = [v for t, v in enumerate(values) if t > len(values) - 1 - window_s]
    assert rolling.median() == statistics.median(inside)
    assert rolling.spread() == max(inside) - min(inside)
