"""What the UI reads of a chair: immutable snapshots and the updates it subscribes to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from devices.driver import DriverEvent, LinkState, PumpInfo, Sample
from station.alarms import Alarm, AlarmTransition, Priority
from station.monitoring.schedule import NO_SCHEDULE, ClinicalSchedule


@dataclass(frozen=True)
class AlarmView:
    """One open alarm of a chair as the screen shows it."""

    alarm_id: str
    condition: str
    priority: Priority
    state: str  # active, audio_paused, acknowledged, latched
    latched: bool  # the condition table's: waits for a reset once its cause has ended
    what_happened: str
    what_to_do: str

    @classmethod
    def of(cls, alarm: Alarm) -> AlarmView:
        return cls(alarm.alarm_id, alarm.condition, alarm.priority, alarm.state,
                   alarm.spec.latched, alarm.spec.what_happened, alarm.spec.what_to_do)


@dataclass(frozen=True)
class ChairSnapshot:
    """A chair at one moment: its pump, the link, the latest sample, open alarms."""

    chair_id: str
    port_url: str
    link_state: LinkState
    pump: PumpInfo | None
    infusion_id: int | None  # the infusion its telemetry and events are stored under
    latest_sample: Sample | None
    alarms: tuple[AlarmView, ...]  # most urgent first
    sound_now: Priority | None  # the burst the chair's alarms call for (none: silent)
    link_lost_since: datetime | None  # UTC of the last valid sample before a loss
    # Due times the chair's clinical alarms run from (the screens count down to them).
    schedule: ClinicalSchedule = NO_SCHEDULE


@dataclass(frozen=True)
class ChairUpdate:
    """Sent to subscribers after every change of a chair, on the monitoring thread.

    `event` is the driver event that caused it (None for timers and operator actions);
    `transitions` the alarm transitions it produced, already stored.
    """

    snapshot: ChairSnapshot
    event: DriverEvent | None
    transitions: tuple[AlarmTransition, ...]


Subscriber = Callable[[ChairUpdate], None]
