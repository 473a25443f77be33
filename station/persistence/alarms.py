"""Alarm records and their state transitions (IEC 60601-1-8 semantics), who and why."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.persistence.append_only import AppendOnly
from station.persistence.base import Base, IdMixin, enum_column
from station.persistence.people import ActorMixin


class AlarmPriority(enum.Enum):
    """Alarm priority; advisories prompt a check and are never a diagnosis."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    ADVISORY = "advisory"


class AlarmCategory(enum.Enum):
    """Physiological (about the patient) or technical (about the equipment or link)."""

    PHYSIOLOGICAL = "physiological"
    TECHNICAL = "technical"


class AlarmTransitionKind(enum.Enum):
    """Steps in an alarm's life; the latest one is its current state.

    The values match ``station.alarms.sink.TransitionKind`` one for one.
    """

    RAISED = "raised"
    AUDIO_PAUSED = "audio_paused"
    AUDIO_RESUMED = "audio_resumed"
    ACKNOWLEDGED = "acknowledged"
    CONDITION_ENDED = "condition_ended"
    RESET = "reset"
    ESCALATED = "escalated"
    CONDITION_RETURNED = "condition_returned"
    CLOSED = "closed"
    CAUSE_RECORDED = "cause_recorded"


class Alarm(AppendOnly, ActorMixin, IdMixin, Base):
    """An alarm condition as raised: what, where, how urgent and why."""

    __tablename__ = "alarms"

    code: Mapped[str] = mapped_column(sa.String(64))
    priority: Mapped[AlarmPriority] = mapped_column(enum_column(AlarmPriority))
    category: Mapped[AlarmCategory] = mapped_column(enum_column(AlarmCategory))
    latching: Mapped[bool]
    raised_at: Mapped[datetime] = mapped_column(index=True)
    cause: Mapped[str] = mapped_column(sa.String(500))
    infusion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("infusions.id"), index=True)
    pump_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pumps.id"))
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("chairs.id"))
    # The station that raised a station-wide alarm (no chair, no pump): its name in the
    # unit, so a restarted station takes up its own open ones and no other station's.
    station: Mapped[str | None] = mapped_column(sa.String(64), index=True)


class AlarmTransition(AppendOnly, ActorMixin, IdMixin, Base):
    """One change of an alarm's state, with who, when and why."""

    __tablename__ = "alarm_transitions"
    __table_args__ = (sa.Index("ix_alarm_transitions_alarm_at", "alarm_id", "at"),)

    alarm_id: Mapped[int] = mapped_column(sa.ForeignKey("alarms.id"))
    kind: Mapped[AlarmTransitionKind] = mapped_column(enum_column(AlarmTransitionKind))
    # Priority after this step: an escalation changes it, the header keeps the first.
    priority: Mapped[AlarmPriority] = mapped_column(enum_column(AlarmPriority))
    at: Mapped[datetime]
    # A structured cause a nurse picked (station.alarms.sink.CauseCode) and free text.
    cause_code: Mapped[str | None] = mapped_column(sa.String(32))
    cause: Mapped[str] = mapped_column(sa.String(500), default="")
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    # Only for AUDIO_PAUSED: when the sound comes back if the condition persists.
    pause_until: Mapped[datetime | None]
    alarm: Mapped[Alarm] = relationship()
