"""What the monitoring service watches and how: pumps per chair, timings, the link budget.

The lost-link alarm must reach the station within 10 s of the pump's last valid reply
(clinical-requirements.md, Alarms). Two paths raise it, and the budget is the earlier:
- the driver reports `LOST` after `link_timeout_s` without a valid reply; it checks
  between exchanges, so it can be one heartbeat gap plus one silent exchange (with its
  retries) late; the consumer thread then handles the event within one tick;
- the alarm engine's `LinkWatch` raises `link_lost` when no sample came for its
  timeout (8 s), checked every tick: the backstop if the driver path ever fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from devices.driver import DriverConfig
from station.alarms import CONDITIONS, AlarmPolicy, ConditionSpec
from station.alarms.conditions import with_overrides
from station.alarms.link_watch import REQUIRED_WITHIN_S
from station.domain.drug_library import AlarmTiming

LOST_LINK_REQUIRED_S = REQUIRED_WITHIN_S
DEFAULT_TICK_S = 0.25
DEFAULT_LINK_WATCH_S = 8.0
# At or below this charge the pump's `low_battery` condition is present.
DEFAULT_LOW_BATTERY_PERCENT = 20
# How often a chair reads its schedule and binding with no notification: the safety
# net for writes no notification names (vital signs and site checks, which have no
# NOTIFY trigger; a SQLite file written by another process). docs/monitoring.md.
DEFAULT_SAFETY_REREAD_S = 60.0
# `volume_near_end` when what is left is under 10 % of the VTBI or 15 min at the rate.
DEFAULT_NEAR_END_FRACTION = 0.10
DEFAULT_NEAR_END_S = 15 * 60.0
# Consecutive infusing samples off the expected rate before `rate_mismatch`: a step
# being sent to the pump must not flash an alarm (3 s at the default 1 s poll).
DEFAULT_RATE_MISMATCH_SAMPLES = 3
# The line pressure alone (`XPR`) ten times a second between the full polls: the
# dislodgement detector tells a dislodged catheter from a posture change by the
# step's edge, a fraction of a second (docs/detection.md). Telemetry stays at the poll.
STATION_PRESSURE_INTERVAL_S = 0.1


def station_driver_config() -> DriverConfig:
    """The driver's defaults, with the fast pressure read on."""
    return DriverConfig(pressure_interval_s=STATION_PRESSURE_INTERVAL_S)


@dataclass(frozen=True)
class PumpEndpoint:
    """One chair and the port URL of its pump (`/dev/ttyUSB2`, `socket://h:p`, a pty)."""

    chair_id: str
    port_url: str


@dataclass(frozen=True)
class MonitorSettings:
    """Timings of the monitoring service; the defaults are the clinical ones.

    `detection_time_scale` is the pump's seconds per real second. It is 1 for real
    pumps; against `pump-sim --speed X` it is X, so the line detectors' windows (in
    seconds of the infusion) match the simulated physics. Alarm timers, the link and
    storage always run on real time.

    `conditions` is the unit's alarm table (priorities, latching, the time an
    unanswered alarm waits before it escalates: `alarms.conditions.with_overrides`),
    `alarm_policy` its audio pause and acknowledgement timings.
    """

    driver: DriverConfig = field(default_factory=station_driver_config)
    tick_s: float = DEFAULT_TICK_S
    link_watch_s: float = DEFAULT_LINK_WATCH_S
    low_battery_percent: int = DEFAULT_LOW_BATTERY_PERCENT
    safety_reread_s: float = DEFAULT_SAFETY_REREAD_S
    detection_time_scale: float = 1.0
    near_end_fraction: float = DEFAULT_NEAR_END_FRACTION
    near_end_s: float = DEFAULT_NEAR_END_S  # seconds of pump time at the current rate
    rate_mismatch_samples: int = DEFAULT_RATE_MISMATCH_SAMPLES
    conditions: Mapping[str, ConditionSpec] = field(default_factory=lambda: CONDITIONS)
    alarm_policy: AlarmPolicy = field(default_factory=AlarmPolicy)

    def __post_init__(self) -> None:
        if self.tick_s <= 0 or self.detection_time_scale <= 0 or self.safety_reread_s <= 0:
            raise ValueError("tick_s, detection_time_scale and safety_reread_s must be "
                             "positive")
        if not 0 <= self.near_end_fraction < 1 or self.near_end_s < 0:
            raise ValueError("near_end_fraction must be in [0, 1), near_end_s not negative")
        if self.rate_mismatch_samples < 1:
            raise ValueError("rate_mismatch_samples must be at least 1")
        if not 0 < self.link_watch_s < LOST_LINK_REQUIRED_S:
            raise ValueError(f"link_watch_s must be in (0, {LOST_LINK_REQUIRED_S}) s")
        if self.driver.poll_interval_s * 2 > self.link_watch_s:
            # A healthy pump must deliver several samples per watch period.
            raise ValueError("poll_interval_s must be at most half of link_watch_s")
        budget = lost_link_budget_s(self)
        if budget > LOST_LINK_REQUIRED_S:
            raise ValueError(f"lost-link alarm could take {budget:.2f} s, over the "
                             f"{LOST_LINK_REQUIRED_S:.0f} s required")


def with_alarm_timing(settings: MonitorSettings, timing: AlarmTiming) -> MonitorSettings:
    """``settings`` with the library's audio pause and escalation times
    (``[alarm_timing]``, changed on the settings screen); read once, at start."""
    conditions = with_overrides(dict(settings.conditions), {
        name: {"escalate_after_s": after.total_seconds()}
        for name, after in timing.escalate_after.items()})
    policy = settings.alarm_policy if timing.audio_pause is None else replace(
        settings.alarm_policy, audio_pause_s=timing.audio_pause.total_seconds())
    return replace(settings, conditions=conditions, alarm_policy=policy)


def driver_lost_link_s(driver: DriverConfig) -> float:
    """Worst case from the last valid reply to the driver's `LOST` event."""
    silent_exchange_s = driver.timing.reply_timeout_s * (1 + driver.timing.retries)
    return driver.link_timeout_s + driver.heartbeat_interval_s + silent_exchange_s


def lost_link_budget_s(settings: MonitorSettings) -> float:
    """Worst case from the last valid reply to the `link_lost` alarm being raised."""
    by_driver = driver_lost_link_s(settings.driver) + settings.tick_s
    by_watch = settings.link_watch_s + settings.tick_s
    return min(by_driver, by_watch)


LOST_LINK_BUDGET_S = lost_link_budget_s(MonitorSettings())
"""The budget with the default settings: 5 s + 1 s + 2 x 0.5 s + 0.25 s = 7.25 s."""
