"""Alarm transitions as records, and where they go (the sink).

The engine never talks to a database: every state change becomes an
`AlarmTransition` handed to an injected `TransitionSink`. The services layer
implements the sink on top of persistence (durably, before the change is shown);
`MemorySink` keeps them in a list for tests and trace replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from station.alarms.priority import Priority

SYSTEM_ACTOR = "system"


class TransitionKind(StrEnum):
    """Steps in an alarm's life; `station.persistence.alarms.AlarmTransitionKind` matches."""

    RAISED = "raised"
    AUDIO_PAUSED = "audio_paused"
    AUDIO_RESUMED = "audio_resumed"
    ACKNOWLEDGED = "acknowledged"
    CONDITION_ENDED = "condition_ended"
    RESET = "reset"
    ESCALATED = "escalated"  # priority went up (unanswered, or a more urgent source)
    CONDITION_RETURNED = "condition_returned"  # a latched, ended alarm's cause came back
    # Not emitted by the engine (a non-latched alarm's CONDITION_ENDED closes it, a
    # latched one's RESET does); kept so that the stored kinds match one for one.
    CLOSED = "closed"
    CAUSE_RECORDED = "cause_recorded"  # a cause added after the alarm closed


class CauseCode(StrEnum):
    """Structured causes a nurse can pick when closing an alarm (plus free text)."""

    LINE_CLAMPED = "line_clamped"
    LINE_KINKED = "line_kinked"
    PATIENT_MOVEMENT = "patient_movement"
    SITE_INFILTRATED = "site_infiltrated"
    CATHETER_DISLODGED = "catheter_dislodged"
    BAG_EMPTY = "bag_empty"
    PUMP_FAULT = "pump_fault"
    LINK_OR_CABLE = "link_or_cable"
    ROUTINE_EVENT = "routine_event"
    NO_CAUSE_FOUND = "no_cause_found"
    OTHER = "other"


@dataclass(frozen=True)
class Cause:
    """Why an alarm happened, as the nurse recorded it."""

    code: CauseCode
    text: str = ""


@dataclass(frozen=True)
class AlarmTransition:
    """One change of one alarm: who did what, when, and the state it left."""

    alarm_id: str
    chair_id: str
    condition: str
    kind: TransitionKind
    priority: Priority
    at: datetime  # aware UTC
    monotonic_s: float
    actor: str  # user id, or SYSTEM_ACTOR for automatic steps
    detail: str = ""
    cause: Cause | None = None
    pause_until: datetime | None = None  # only for AUDIO_PAUSED


class TransitionSink(Protocol):
    """Where transitions go; `record` must keep the record before returning."""

    def record(self, transition: AlarmTransition) -> None: ...


class MemorySink:
    """Keeps every transition in order, in memory."""

    def __init__(self) -> None:
        self.transitions: list[AlarmTransition] = []

    def record(self, transition: AlarmTransition) -> None:
        self.transitions.append(transition)

    def kinds(self, condition: str | None = None) -> list[TransitionKind]:
        """The kinds recorded so far, optionally for one condition only."""
        return [t.kind for t in self.transitions if condition in (None, t.condition)]
