"""Snapshots of open alarms for the screen, with the words a nurse reads.

Qt-free: `rows_from` reads the per-chair alarm engines and returns plain values, so the
views compare snapshots instead of holding live engine objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from station.alarms import Alarm, ChairAlarms, Phase, Priority
from station.alarms.alarm import Audio


@dataclass(frozen=True)
class AlarmRow:
    """One open alarm as shown: priority, where, what happened, what to do, its state."""

    alarm_id: str
    chair_id: str
    condition: str
    priority: Priority
    what_happened: str
    what_to_do: str
    latched: bool  # condition over, waiting for a person to reset it
    acknowledged: bool
    sounding: bool
    pause_remaining_s: float | None
    raised_monotonic: float

    @property
    def title(self) -> str:
        return condition_title(self.condition)

    @property
    def state_text(self) -> str:
        """The alarm's state in words, with the pause countdown when paused."""
        if self.latched:
            return "Condition over: reset needed"
        if self.pause_remaining_s is not None:
            return f"Audio paused, sounds again in {countdown_text(self.pause_remaining_s)}"
        if self.acknowledged:
            return "Acknowledged"
        return "Active, sounding" if self.sounding else "Active"


def condition_title(condition: str) -> str:
    """`pump_stall` -> `Pump stall`."""
    return condition.replace("_", " ").capitalize()


def countdown_text(seconds: float) -> str:
    """`92.4` -> `1:33` (rounded up: never show 0:00 while time is left)."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}"


def row_of(alarm: Alarm) -> AlarmRow:
    return AlarmRow(
        alarm_id=alarm.alarm_id, chair_id=alarm.chair_id, condition=alarm.condition,
        priority=alarm.priority, what_happened=alarm.spec.what_happened,
        what_to_do=alarm.spec.what_to_do, latched=alarm.phase is Phase.LATCHED,
        acknowledged=alarm.audio is Audio.ACKNOWLEDGED, sounding=alarm.sounding,
        pause_remaining_s=alarm.pause_remaining_s(),
        raised_monotonic=alarm.raised_monotonic)


def rows_from(chairs: Iterable[ChairAlarms]) -> list[AlarmRow]:
    """Every open alarm of `chairs`, most urgent first, then oldest first."""
    rows = [row_of(alarm) for chair in chairs for alarm in chair.alarms()]
    return sorted(rows, key=lambda r: (-r.priority.rank, r.raised_monotonic, r.chair_id))
