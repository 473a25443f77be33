"""Fast pressure reads become full samples: the last poll's rate, its volume carried on."""

from __future__ import annotations

import pytest

from station.detection.between_polls import MAX_CARRY_S, PressureBetweenPolls
from station.detection.sample import Sample


def test_nothing_before_the_first_full_poll() -> None:
    assert PressureBetweenPolls().read(0.1, 12.0, "I") is None


def test_a_read_carries_the_poll_rate_and_its_volume_forward() -> None:
    between = PressureBetweenPolls()
    polled = Sample(10.0, 180.0, 2.0, 14.0, "I")
    assert between.polled(polled) is polled
    read = between.read(10.5, 13.2, "I")
    assert read == Sample(10.5, 180.0, pytest.approx(2.025), 13.2, "I")


@pytest.mark.parametrize(("polled_status", "read_status", "after_s"), [
    ("P", "I", 0.5),  # paused at the poll: no flow to carry
    ("I", "P", 0.5),  # paused since: the volume stops
    ("I", "I", MAX_CARRY_S + 1),  # polls failing: the rate is too old to lend
])
def test_the_volume_is_held_when_the_flow_is_not_known(polled_status: str, read_status: str,
                                                       after_s: float) -> None:
    between = PressureBetweenPolls()
    between.polled(Sample(10.0, 180.0, 2.0, 14.0, polled_status))
    read = between.read(10.0 + after_s, 9.0, read_status)
    assert read is not None and read.volume_ml == 2.0 and read.status == read_status
