"""Back-off between reconnection attempts, and the link settings it comes from."""

from __future__ import annotations

import pytest

from devices.driver.config import DriverConfig
from devices.driver.reconnect import Backoff


def test_delays_double_up_to_the_ceiling_then_reset() -> None:
    backoff = Backoff(initial_s=0.5, max_s=4.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


@pytest.mark.parametrize(("fraction", "expected"), [(0.0, 0.9), (0.5, 1.0), (1.0, 1.1)])
def test_jitter_spreads_each_delay(fraction: float, expected: float) -> None:
    backoff = Backoff(initial_s=1.0, max_s=1.0, jitter=0.1, random_fraction=lambda: fraction)
    assert backoff.next_delay() == pytest.approx(expected)


@pytest.mark.parametrize("bad", [{"initial_s": 0}, {"factor": 0.5}, {"max_s": 0.1},
                                 {"jitter": 1.0}])
def test_nonsense_back_off_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**bad)  # type: ignore[arg-type]


def test_defaults_report_a_lost_link_well_inside_ten_seconds() -> None:
    config = DriverConfig()
    worst = config.link_timeout_s + (1 + config.timing.retries) * config.timing.reply_timeout_s
    assert worst < 10.0
    assert config.heartbeat_interval_s == 1.0


@pytest.mark.parametrize("bad", [{"address": 100}, {"safe_mode_timeout_s": 0},
                                 {"safe_mode_timeout_s": 256}, {"poll_interval_s": 0},
                                 {"link_timeout_s": 0.1}])
def test_nonsense_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        DriverConfig(**bad)  # type: ignore[arg-type]


def test_heartbeat_is_a_third_of_a_short_watchdog_or_link_timeout() -> None:
    assert DriverConfig(safe_mode_timeout_s=3, poll_interval_s=2.0).heartbeat_interval_s == 1.0
    slow_polls = DriverConfig(safe_mode_timeout_s=None, poll_interval_s=30.0, link_timeout_s=6.0)
    # Without a heartbeat, a live pump polled every 30 s would look lost after 6 s.
    assert slow_polls.heartbeat_interval_s == 2.0
    assert slow_polls.stale_after_s == 36.0
