"""A chair's state in one word and one colour, from its snapshot and its appointment.

Qt-free. Order matters: a lost link or an alarm is what a nurse must see first, then the
appointment's phase, then what the pump reports.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
        return StateText(ChairState.OBSERVATION, "Observation after the infusion")
    if patient.paused_since is not None:
        elapsed = int(max(0.0, (now - patient.paused_since).total_seconds()))
        return StateText(ChairState.PAUSED, f"Paused {elapsed // 60}:{elapsed % 60:02d}")
    if patient.infusion_status is InfusionStatus.RUNNING:
        sample = snapshot.latest_sample if snapshot else None
        if sample is not None and sample.status is not Prompt.INFUSING:
            return StateText(ChairState.STOPPED, "Stopped: pump not infusing")
        return StateText(ChairState.INFUSING, ChairState.INFUSING.value)
    if patient.infusion_status is None or patient.infusion_status is InfusionStatus.PLANNED:
        return StateText(ChairState.WAITING, ChairState.WAITING.value)
    return StateText(ChairState.STOPPED, ChairState.STOPPED.value)
