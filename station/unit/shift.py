"""Counters for the charge nurse's shift: infusions running and completed, alarms per
chair-hour of infusing, median time to acknowledge, pause minutes, reactions.

One pass of a handful of queries over the shift so far; the feed recomputes it at most
every `COUNTERS_EVERY_S`, not per notification.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.persistence.alarms import Alarm, AlarmTransition, AlarmTransitionKind
from station.persistence.delivery import Infusion, InfusionStatus, Pause
from station.persistence.observations import SideEffect

COUNTERS_EVERY_S = 30.0
ACTIVE = (InfusionStatus.RUNNING, InfusionStatus.PAUSED)


@dataclass(frozen=True)
class ShiftCounters:
    """The shift from `since` to `at`."""

    since: datetime
    at: datetime
    running: int
    completed: int
    alarms: int
    chair_hours: float  # hours of infusing, summed over the chairs
    median_ack_s: float | None
    pause_minutes: float
    reactions: int

    @property
    def alarms_per_chair_hour(self) -> float | None:
        return None if self.chair_hours <= 0 else self.alarms / self.chair_hours


def _overlap_s(start: datetime | None, end: datetime | None, since: datetime,
               now: datetime) -> float:
    if start is None:
        return 0.0
    lo, hi = max(start, since), min(end or now, now)
    return max(0.0, (hi - lo).total_seconds())


def shift_counters(session: Session, since: datetime, now: datetime) -> ShiftCounters:
    infusions = session.execute(
        sa.select(Infusion.status, Infusion.started_at, Infusion.ended_at)
        .where(Infusion.started_at.is_not(None), Infusion.started_at < now,
               sa.or_(Infusion.ended_at.is_(None), Infusion.ended_at >= since))).all()
    running = sum(1 for status, _, _ in infusions if status in ACTIVE)
    completed = sum(1 for status, _, ended in infusions
                    if status is InfusionStatus.COMPLETED and ended is not None
                    and since <= ended <= now)
    chair_s = sum(_overlap_s(start, None if status in ACTIVE else end, since, now)
                  for status, start, end in infusions)
    raised = session.execute(
        sa.select(Alarm.id, Alarm.raised_at)
        .where(Alarm.raised_at >= since, Alarm.raised_at <= now)).all()
    first_ack: dict[int, datetime] = {alarm_id: at for alarm_id, at in session.execute(
        sa.select(AlarmTransition.alarm_id, sa.func.min(AlarmTransition.at))
        .where(AlarmTransition.kind == AlarmTransitionKind.ACKNOWLEDGED,
               AlarmTransition.alarm_id.in_([a.id for a in raised]))
        .group_by(AlarmTransition.alarm_id))}
    waits = [(first_ack[a.id] - a.raised_at).total_seconds() for a in raised
             if a.id in first_ack]
    pauses = session.execute(
        sa.select(Pause.started_at, Pause.ended_at)
        .where(Pause.started_at < now,
               sa.or_(Pause.ended_at.is_(None), Pause.ended_at >= since))).all()
    reactions = session.scalar(
        sa.select(sa.func.count()).select_from(SideEffect)
        .where(SideEffect.observed_at >= since, SideEffect.observed_at <= now)) or 0
    return ShiftCounters(
        since=since, at=now, running=running, completed=completed, alarms=len(raised),
        chair_hours=chair_s / 3600,
        median_ack_s=statistics.median(waits) if waits else None,
        pause_minutes=sum(_overlap_s(s, e, since, now) for s, e in pauses) / 60,
        reactions=int(reactions))
