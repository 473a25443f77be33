"""The lost-link budget: explicit, computed from the driver's timings, never over 10 s."""

from __future__ import annotations

import pytest

from devices.driver import DriverConfig, SessionTiming
from station.monitoring import (
    LOST_LINK_BUDGET_S,
    LOST_LINK_REQUIRED_S,
    MonitorSettings,
    driver_lost_link_s,
    lost_link_budget_s,
)


def test_the_default_budget_is_the_drivers_worst_case_plus_one_tick() -> None:
    # link time-out 5 s + one heartbeat gap 1 s + a silent exchange 2 x 0.5 s + a tick.
    assert driver_lost_link_s(DriverConfig()) == 7.0
    assert LOST_LINK_BUDGET_S == 7.25
    assert LOST_LINK_BUDGET_S <= LOST_LINK_REQUIRED_S == 10.0


def test_a_slow_driver_is_bounded_by_the_link_watch() -> None:
    slow = DriverConfig(link_timeout_s=9.0, timing=SessionTiming(reply_timeout_s=1.0))
    settings = MonitorSettings(driver=slow)
    assert driver_lost_link_s(slow) > LOST_LINK_REQUIRED_S
    assert lost_link_budget_s(settings) == settings.link_watch_s + settings.tick_s


def test_settings_that_could_miss_the_ten_seconds_are_refused() -> None:
    slow = DriverConfig(link_timeout_s=9.0)
    with pytest.raises(ValueError, match="over the 10 s required"):
        MonitorSettings(driver=slow, link_watch_s=9.9, tick_s=0.25)
    with pytest.raises(ValueError, match="link_watch_s"):
        MonitorSettings(link_watch_s=10.0)
    with pytest.raises(ValueError, match="poll_interval_s"):
        MonitorSettings(driver=DriverConfig(poll_interval_s=5.0))
