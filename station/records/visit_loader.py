"""Reading one visit's record from the database in one read transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.alarms import Alarm, AlarmTransition
from station.persistence.audit import AuditEntry
from station.persistence.checklist import ChecklistItem, PremedicationGiven
from station.persistence.delivery import Infusion, Pause, TitrationChangeKind, TitrationStep
from station.persistence.errors import storage_errors
from station.persistence.events import InfusionEvent
from station.persistence.observations import SideEffect, SiteAssessment, VitalSigns
from station.persistence.people import User
from station.persistence.telemetry_reader import load_series
from station.records import parts
from station.records.parts import Names
from station.records.visit_record import (
    ActionRow,
    AlarmRow,
    AlarmStep,
    CheckRow,
    EventRow,
    PauseRow,
    SideEffectRow,
    SiteRow,
    Totals,
    VisitRecord,
)


class VisitNotFoundError(LookupError):
    """No infusion with this id: nothing to put on a record."""


def load_visit_record(sessions: sessionmaker[Session], infusion_id: int) -> VisitRecord:
    """The whole record of the visit of infusion ``infusion_id``, telemetry included."""
    with storage_errors("cannot read the visit record"), sessions() as session:
        infusion = session.get(Infusion, infusion_id)
        if infusion is None:
            raise VisitNotFoundError(f"no infusion {infusion_id} in this database")
        names = _user_names(session)
        aid = infusion.appointment_id
        steps = _all(session, TitrationStep, TitrationStep.infusion_id == infusion_id,
                     TitrationStep.at)
        pause_rows = _all(session, Pause, Pause.infusion_id == infusion_id, Pause.started_at)
        pauses = tuple(_pause_row(p, names) for p in pause_rows)
        side_effects = tuple(_side_effect_row(s, infusion, steps, names) for s in _all(
            session, SideEffect, SideEffect.appointment_id == aid, SideEffect.observed_at))
        alarms = _alarm_rows(session, infusion_id, names)
        vitals = tuple(parts.vitals_row(v, names) for v in _all(
            session, VitalSigns, VitalSigns.appointment_id == aid, VitalSigns.observed_at))
        site_rows = _all(session, SiteAssessment, SiteAssessment.appointment_id == aid,
                         SiteAssessment.observed_at)
        sites = tuple(_site_row(s, names) for s in site_rows)
        events = tuple(_event_row(e, names) for e in _all(
            session, InfusionEvent, InfusionEvent.infusion_id == infusion_id,
            InfusionEvent.occurred_at))
        actions = _actions(session, infusion, {
            "side_effects": {s.side_effect_id for s in side_effects},
            "vital_signs": {v.vitals_id for v in vitals},
            "pauses": {p.id for p in pause_rows},
            "site_assessments": {s.id for s in site_rows}}, names)
        checks = _checks(session, aid, names)
        patient = parts.patient_part(infusion.appointment.patient)
        order = parts.order_part(infusion.order, names)
        infusion_part = parts.infusion_part(infusion, names)
        segments = parts.segment_rows(infusion)
        titration = tuple(parts.titration_row(s, names) for s in steps)
    totals = Totals(
        ordered_ml=order.volume_ml,
        delivered_ml=max((s.total_volume_ml or 0.0 for s in segments), default=0.0),
        delivering=sum(((s.ended_at - s.started_at) for s in segments if s.ended_at),
                       timedelta()),
        paused=sum((p.duration for p in pauses if p.duration), timedelta()),
        pauses=len(pauses), alarms=len(alarms), side_effects=len(side_effects))
    return VisitRecord(patient, order, infusion_part, checks, segments, pauses, titration,
                       side_effects, vitals, sites, alarms, events, actions, totals,
                       load_series(sessions, infusion_id))


def _all(session: Session, cls: type[parts.RowT], where: sa.ColumnElement[bool],
         order: sa.orm.InstrumentedAttribute[datetime]) -> Sequence[parts.RowT]:
    return session.scalars(sa.select(cls).where(where).order_by(order, cls.id)).all()


def _user_names(session: Session) -> dict[int | None, str]:
    names: Names = {None: ""}
    names.update((uid, name) for uid, name in session.execute(
        sa.select(User.id, User.display_name)))
    return names


def _checks(session: Session, aid: int, names: Names) -> tuple[CheckRow, ...]:
    items = [CheckRow(i.signed_at, i.kind.value.replace("_", " "), i.identifiers.replace(
        ",", ", ").replace("_", " "), names.get(i.signed_by_id, "")) for i in _all(
        session, ChecklistItem, ChecklistItem.appointment_id == aid, ChecklistItem.signed_at)]
    premeds = [CheckRow(p.given_at, "pre-medication given", f"{p.name} {p.dose}".strip(),
                        names.get(p.given_by_id, "")) for p in _all(
        session, PremedicationGiven, PremedicationGiven.appointment_id == aid,
        PremedicationGiven.given_at)]
    return tuple(sorted(items + premeds, key=lambda c: c.at))


def _pause_row(p: Pause, names: Names) -> PauseRow:
    return PauseRow(p.started_at, p.ended_at, p.reason, p.note, p.rate_before_ml_h,
                    p.resume_mode, p.resumed_rate_ml_h, p.needs_walking_help,
                    names.get(p.started_by_id, ""))


def step_at(infusion: Infusion, steps: Iterable[TitrationStep], at: datetime) -> int | None:
    """The titration step running at ``at`` (1 before any confirmed step); None if fixed."""
    if not infusion.titrated:
        return None
    confirmed = [s.step for s in steps if s.kind is TitrationChangeKind.STEP_CONFIRMED
                 and s.step is not None and s.at <= at]
    return confirmed[-1] if confirmed else 1


def _side_effect_row(s: SideEffect, infusion: Infusion, steps: Sequence[TitrationStep],
                     names: Names) -> SideEffectRow:
    return SideEffectRow(s.id, s.observed_at, s.kind.value.replace("_", " "), s.ctcae_grade,
                         s.action_taken, s.suggested_action, s.deviation_reason, s.other_text,
                         s.rate_ml_h, step_at(infusion, steps, s.observed_at),
                         s.reassessed_at, s.reassessed_grade, names.get(s.recorded_by_id, ""))


def _site_row(s: SiteAssessment, names: Names) -> SiteRow:
    return SiteRow(s.observed_at, s.site, s.infiltration_grade, s.extent_cm, s.dressing_intact,
                   s.note, names.get(s.recorded_by_id, ""))


def _alarm_rows(session: Session, infusion_id: int,
                names: Names) -> tuple[AlarmRow, ...]:
    alarms = _all(session, Alarm, Alarm.infusion_id == infusion_id, Alarm.raised_at)
    return tuple(alarm_row(session, a, names) for a in alarms)


def alarm_row(session: Session, alarm: Alarm, names: Names) -> AlarmRow:
    """An alarm with its transitions, as the record shows it."""
    steps = _all(session, AlarmTransition, AlarmTransition.alarm_id == alarm.id,
                 AlarmTransition.at)
    return AlarmRow(alarm.id, alarm.code, alarm.priority.value, alarm.category.value,
                    alarm.latching, alarm.raised_at, alarm.cause, tuple(
                        AlarmStep(t.at, t.kind.value, t.priority.value,
                                  " - ".join(x for x in (t.cause_code or "", t.cause) if x),
                                  names.get(t.actor_user_id, t.actor_kind.value))
                        for t in steps))


def _event_row(e: InfusionEvent, names: Names) -> EventRow:
    return EventRow(e.id, e.kind.value, e.occurred_at,
                    e.not_delivering_reason.value if e.not_delivering_reason else None,
                    e.reason_detail, e.rate_ml_h, e.segment_volume_ml, e.total_volume_ml,
                    names.get(e.actor_user_id, e.actor_kind.value))


def _actions(session: Session, infusion: Infusion, rows: dict[str, set[int]],
             names: Names) -> tuple[ActionRow, ...]:
    """Audit entries about this visit's appointment, order, infusion and bedside rows."""
    subjects = {"appointments": {infusion.appointment_id}, "orders": {infusion.order_id},
                "infusions": {infusion.id}, **rows}
    where = sa.or_(*(sa.and_(AuditEntry.entity_type == table,
                             AuditEntry.entity_id.in_([str(i) for i in ids]))
                     for table, ids in subjects.items() if ids))
    entries = _all(session, AuditEntry, where, AuditEntry.at)
    return tuple(ActionRow(e.at, e.action, f"{e.entity_type} {e.entity_id}",
                           names.get(e.actor_user_id, e.actor_kind.value)) for e in entries)
