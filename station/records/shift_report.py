"""The unit's shift report: infusions, alarm load, acknowledgement times, pauses,
reactions per drug and titration step, and booked against actual chair time."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.alarms import Alarm, AlarmTransition, AlarmTransitionKind
from station.persistence.audit import AuditEntry
from station.persistence.delivery import Infusion, Pause, TitrationStep
from station.persistence.errors import storage_errors
from station.persistence.observations import SideEffect
from station.records.visit_loader import step_at

_SEATED, _DISCHARGED = "appointment.in_chair", "appointment.completed"


@dataclass(frozen=True)
class ChairTime:
    """One visit's booked minutes against the minutes it held the chair."""

    infusion_id: int
    chair: str
    drug: str
    booked_min: float
    actual_min: float
    pause_min: float


@dataclass(frozen=True)
class ShiftReport:
    """Figures for the infusions started in ``[start, end)``.

    Chair time runs from seating (the ``appointment.in_chair`` audit entry, else the
    infusion's start) to discharge (``appointment.completed``, else the observation end,
    the infusion's end, or the end of the shift while still there); alarms per
    chair-hour divide the alarms of these infusions by that time.
    """

    start: datetime
    end: datetime
    infusions: int
    completed: int
    alarms: int
    chair_hours: float
    median_ack_s: float | None
    visits: tuple[ChairTime, ...]
    reactions: dict[tuple[str, str], int]  # (drug, step label) -> side effects

    @property
    def alarms_per_chair_hour(self) -> float | None:
        return self.alarms / self.chair_hours if self.chair_hours > 0 else None

    @property
    def pause_min_per_visit(self) -> float | None:
        if not self.visits:
            return None
        return sum(v.pause_min for v in self.visits) / len(self.visits)

    @property
    def booked_min(self) -> float:
        return sum(v.booked_min for v in self.visits)

    @property
    def actual_min(self) -> float:
        return sum(v.actual_min for v in self.visits)


def load_shift_report(sessions: sessionmaker[Session], start: datetime,
                      end: datetime) -> ShiftReport:
    """The report for infusions started in ``[start, end)`` (aware UTC times)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("shift times must carry a time zone")
    if end <= start:
        raise ValueError("the shift must end after it starts")
    with storage_errors("cannot read the shift report"), sessions() as session:
        infusions = session.scalars(sa.select(Infusion).where(
            Infusion.started_at >= start, Infusion.started_at < end).order_by(
            Infusion.started_at, Infusion.id)).all()
        ids = [i.id for i in infusions]
        pauses = session.scalars(sa.select(Pause).where(Pause.infusion_id.in_(ids))).all()
        steps = session.scalars(sa.select(TitrationStep).where(
            TitrationStep.infusion_id.in_(ids)).order_by(TitrationStep.at)).all()
        effects = session.scalars(sa.select(SideEffect).where(
            SideEffect.infusion_id.in_(ids))).all()
        alarms = session.scalars(sa.select(Alarm).where(Alarm.infusion_id.in_(ids))).all()
        acks = dict(session.execute(
            sa.select(AlarmTransition.alarm_id, sa.func.min(AlarmTransition.at))
            .where(AlarmTransition.alarm_id.in_([a.id for a in alarms]),
                   AlarmTransition.kind == AlarmTransitionKind.ACKNOWLEDGED)
            .group_by(AlarmTransition.alarm_id)).all())
        moves = _seat_and_discharge(session, [i.appointment_id for i in infusions])
        visits = tuple(_chair_time(i, pauses, moves, end) for i in infusions)
        by_id = {i.id: i for i in infusions}
        reactions: Counter[tuple[str, str]] = Counter()
        for effect in effects:
            infusion = by_id[effect.infusion_id or 0]
            step = step_at(infusion, [s for s in steps if s.infusion_id == infusion.id],
                           effect.observed_at)
            reactions[(infusion.order.drug, "fixed rate" if step is None else f"step {step}")] \
                += 1
    ack_seconds = [(acks[a.id] - a.raised_at).total_seconds() for a in alarms if a.id in acks]
    return ShiftReport(
        start, end, len(infusions), sum(1 for i in infusions if i.ended_at is not None),
        len(alarms), sum(v.actual_min for v in visits) / 60,
        statistics.median(ack_seconds) if ack_seconds else None, visits, dict(reactions))


def _seat_and_discharge(session: Session,
                        appointment_ids: list[int]) -> dict[tuple[str, str], datetime]:
    """(appointment id, action) -> first time, for seating and discharge."""
    rows = session.execute(
        sa.select(AuditEntry.entity_id, AuditEntry.action, sa.func.min(AuditEntry.at))
        .where(AuditEntry.entity_type == "appointments",
               AuditEntry.entity_id.in_([str(a) for a in appointment_ids]),
               AuditEntry.action.in_([_SEATED, _DISCHARGED]))
        .group_by(AuditEntry.entity_id, AuditEntry.action)).all()
    return {(entity, action): at for entity, action, at in rows}


def _chair_time(infusion: Infusion, pauses: Sequence[Pause],
                moves: dict[tuple[str, str], datetime], shift_end: datetime) -> ChairTime:
    assert infusion.started_at is not None  # selected on started_at
    key = str(infusion.appointment_id)
    seated = moves.get((key, _SEATED), infusion.started_at)
    until = moves.get((key, _DISCHARGED)) or infusion.observation_ends_at or infusion.ended_at \
        or shift_end
    mine = [p for p in pauses if p.infusion_id == infusion.id]
    paused = sum(((p.ended_at or until) - p.started_at for p in mine), timedelta())
    chair = infusion.appointment.chair
    return ChairTime(infusion.id, chair.label if chair else "", infusion.order.drug,
                     float(infusion.appointment.expected_duration_min),
                     (until - seated).total_seconds() / 60,
                     paused.total_seconds() / 60)
