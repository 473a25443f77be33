"""A chair's state in one word and one colour, from its snapshot and its appointment.

Qt-free. Order matters: a lost link or an alarm is what a nurse must see first, then the
appointment's phase, then what the pump reports. The countdowns (to a break's first
overrun alarm, to the end of the observation) run to the due times of the snapshot's
schedule, the same the monitoring service raises the alarms at.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from devices.driver import LinkState
from devices.protocol.replies import Prompt
from station.alarms import Priority
from station.monitoring import ChairSnapshot
from station.persistence.delivery import InfusionStatus
from station.persistence.scheduling import AppointmentStatus
from ui.chairside.roster import ChairPatient
from ui.models.alarm_rows import condition_title


class ChairState(enum.Enum):
    """What the chair is doing, as the banner says it."""

    NO_PATIENT = "No patient"
    WAITING = "Waiting for check-in"
    INFUSING = "Infusing"
    PAUSED = "Paused"
    STOPPED = "Stopped"
    ALARM = "Alarm"
    LINK_LOST = "Link lost"
    OBSERVATION = "Observation"
    COMPLETE = "Complete"


# (background, text): Okabe-Ito, each state also named in words.
STATE_COLOURS: dict[ChairState, tuple[str, str]] = {
    ChairState.NO_PATIENT: ("#e6e6e6", "#000000"),
    ChairState.WAITING: ("#e6e6e6", "#000000"),
    ChairState.INFUSING: ("#009e73", "#ffffff"),
    ChairState.PAUSED: ("#f0e442", "#000000"),
    ChairState.STOPPED: ("#999999", "#000000"),
    ChairState.ALARM: ("#d55e00", "#ffffff"),
    ChairState.LINK_LOST: ("#000000", "#ffffff"),
    ChairState.OBSERVATION: ("#56b4e9", "#000000"),
    ChairState.COMPLETE: ("#0072b2", "#ffffff"),
}

_URGENT = (Priority.HIGH, Priority.MEDIUM)


@dataclass(frozen=True)
class StateText:
    state: ChairState
    text: str


class OpenAlarm(Protocol):
    """What the state needs of an alarm (an `AlarmView` or an engine's `Alarm`)."""

    @property
    def condition(self) -> str: ...

    @property
    def priority(self) -> Priority: ...


def chair_state(snapshot: ChairSnapshot | None, patient: ChairPatient | None,
                now: datetime, alarms: Sequence[OpenAlarm] | None = None) -> StateText:
    """The chair's state and the words for it (`Paused 12:04`, `Alarm: Pump stall`).

    `alarms`: the chair's open alarms, most urgent first (default: the snapshot's).
    """
    if snapshot is not None and snapshot.link_state is LinkState.LOST:
        return StateText(ChairState.LINK_LOST, "Link lost: pump not answering")
    if alarms is None:
        alarms = snapshot.alarms if snapshot else ()
    urgent = [a for a in alarms if a.priority in _URGENT]
    if urgent:
        return StateText(ChairState.ALARM, f"Alarm: {condition_title(urgent[0].condition)}")
    if patient is None:
        return StateText(ChairState.NO_PATIENT, ChairState.NO_PATIENT.value)
    if patient.appointment_status is AppointmentStatus.COMPLETED:
        return StateText(ChairState.COMPLETE, "Complete: discharged")
    if patient.appointment_status is AppointmentStatus.OBSERVATION:
        return _observation(snapshot, now)
    if patient.paused_since is not None:
        text = f"Paused {_m_ss(now - patient.paused_since)}"
        alarm_at = snapshot.schedule.pause_medium_at if snapshot else None
        if alarm_at is not None and now < alarm_at:
            text += f", alarm in {_m_ss(alarm_at - now)}"
        return StateText(ChairState.PAUSED, text)
    if patient.infusion_status is InfusionStatus.RUNNING:
        sample = snapshot.latest_sample if snapshot else None
        if sample is not None and sample.status is not Prompt.INFUSING:
            return StateText(ChairState.STOPPED, "Stopped: pump not infusing")
        return StateText(ChairState.INFUSING, ChairState.INFUSING.value)
    if patient.infusion_status is None or patient.infusion_status is InfusionStatus.PLANNED:
        return StateText(ChairState.WAITING, ChairState.WAITING.value)
    return StateText(ChairState.STOPPED, ChairState.STOPPED.value)


def _m_ss(span: timedelta) -> str:
    """`12:04`, `104:30`: minutes and seconds, never negative."""
    seconds = int(max(0.0, span.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _observation(snapshot: ChairSnapshot | None, now: datetime) -> StateText:
    """The observation countdown, from the completion to its end."""
    ends = snapshot.schedule.observation_ends_at if snapshot else None
    if ends is None:
        return StateText(ChairState.OBSERVATION, "Observation after the infusion")
    if now >= ends:
        return StateText(ChairState.OBSERVATION, "Observation over: check, then discharge")
    until = ends.astimezone(now.tzinfo).strftime("%H:%M")
    return StateText(ChairState.OBSERVATION,
                     f"Observation {_m_ss(ends - now)} left (until {until})")
