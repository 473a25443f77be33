"""A chair's clinical schedule read through the station services (Qt-free).

The chair's appointment is today's first not yet completed one (as the chair panel
shows it); under care means its infusion runs or is paused, or the patient is in the
observation period. The due times are the services' own (the drug library's pause
thresholds and check intervals, the titration plan), so the alarms and the screens
that show their countdowns never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.monitoring.schedule import NO_SCHEDULE, ClinicalSchedule
from station.persistence.delivery import Infusion, InfusionStatus
from station.persistence.scheduling import Appointment, AppointmentStatus, Chair
from station.services import StationServices
from station.services.lookups import infusion_of
from station.services.store import reading

# The next titration step is "due" at its time and "overdue" this much later.
DEFAULT_TITRATION_OVERDUE = timedelta(minutes=5)
_GONE = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
_DELIVERING = (InfusionStatus.RUNNING, InfusionStatus.PAUSED)
_UNDER_CARE = (AppointmentStatus.INFUSING, AppointmentStatus.OBSERVATION)


@dataclass(frozen=True)
class _Stored:
    appointment_id: int
    status: AppointmentStatus
    infusion_id: int | None
    infusion_status: InfusionStatus | None
    started_at: datetime | None
    ended_at: datetime | None
    observation_ends_at: datetime | None


def chair_appointments(session: Session, chair_label: str, day: date,
                       tz: tzinfo, days: int = 1) -> list[Appointment]:
    """The appointments of a chair that will happen on `days` clinic days from `day`,
    earliest first."""
    start = datetime.combine(day, time(0), tz)
    return list(session.scalars(
        sa.select(Appointment).join(Chair, Appointment.chair_id == Chair.id)
        .where(Chair.label == chair_label, Appointment.start_at >= start,
               Appointment.start_at < start + timedelta(days=days),
               Appointment.status.not_in(_GONE))
        .order_by(Appointment.start_at)).all())


def chair_appointment(session: Session, chair_label: str, day: date, tz: tzinfo, *,
                      or_last_completed: bool = False) -> Appointment | None:
    """The chair's current appointment: one under care (infusing or in observation)
    since yesterday, so a visit running past midnight stays the chair's; else the day's
    first not yet completed; else, with `or_last_completed`, the day's last."""
    appointments = chair_appointments(session, chair_label, day - timedelta(days=1), tz,
                                      days=2)
    under_care = [a for a in appointments if a.status in _UNDER_CARE]
    if under_care:
        return under_care[-1]
    start = datetime.combine(day, time(0), tz)
    todays = [a for a in appointments if a.start_at >= start]
    current = next((a for a in todays if a.status is not AppointmentStatus.COMPLETED), None)
    if current is None and or_last_completed and todays:
        return todays[-1]
    return current


class StoredSchedule:
    """`ScheduleSource` over the services: `source("C1")` -> the chair's schedule now."""

    def __init__(self, services: StationServices, *,
                 titration_overdue_after: timedelta = DEFAULT_TITRATION_OVERDUE) -> None:
        if titration_overdue_after <= timedelta(0):
            raise ValueError("titration_overdue_after must be positive")
        self._services = services
        self._overdue_after = titration_overdue_after

    def __call__(self, chair_label: str) -> ClinicalSchedule:
        stored = self._appointment(chair_label)
        if stored is None:
            return NO_SCHEDULE
        delivering = stored.infusion_status in _DELIVERING
        observed = stored.status is AppointmentStatus.OBSERVATION
        base = ClinicalSchedule(appointment_id=stored.appointment_id,
                                infusion_id=stored.infusion_id)
        if not (delivering or observed):
            return base
        checks = self._checks(stored)
        if observed:
            return ClinicalSchedule(
                stored.appointment_id, stored.infusion_id, vitals_due_at=checks[0],
                site_check_due_at=checks[1], completed_at=stored.ended_at,
                observation_ends_at=stored.observation_ends_at)
        assert stored.infusion_id is not None
        return self._delivering(stored.infusion_id, stored, checks)

    def _appointment(self, chair_label: str) -> _Stored | None:
        ctx = self._services.context
        day = ctx.now().astimezone(ctx.clinic_tz).date()
        with reading(ctx, f"read the schedule of chair {chair_label}") as session:
            current = chair_appointment(session, chair_label, day, ctx.clinic_tz)
            if current is None:
                return None
            infusion: Infusion | None = infusion_of(session, current)
            return _Stored(current.id, current.status,
                           None if infusion is None else infusion.id,
                           None if infusion is None else infusion.status,
                           None if infusion is None else infusion.started_at,
                           None if infusion is None else infusion.ended_at,
                           None if infusion is None else infusion.observation_ends_at)

    def _checks(self, stored: _Stored) -> tuple[datetime, datetime]:
        """Vital signs and site check due; never taken during this visit: due now."""
        observations = self._services.observations
        since = stored.started_at or self._services.context.now()
        vitals = observations.vitals_due(stored.appointment_id)
        site = observations.site_check_due(stored.appointment_id)
        return (since if vitals is None else vitals.due_at,
                since if site is None else site.due_at)

    def _delivering(self, infusion_id: int, stored: _Stored,
                    checks: tuple[datetime, datetime]) -> ClinicalSchedule:
        services = self._services
        pause = services.pauses.current(infusion_id)
        titration = services.titration.view(infusion_id)
        running = stored.infusion_status is InfusionStatus.RUNNING
        step = None if titration is None else titration.state.next_step
        due = titration.next_due if titration is not None and running and step else None
        # At half rate (after a reaction, or resumed at half) going back up is the
        # nurse's call: due once a labelled hold is over, never overdue.
        reduced = titration is not None and titration.state.reduced_rate_ml_h is not None
        if reduced and titration is not None and titration.state.no_escalation_before is None:
            due = None
        end = None if titration is None else titration.expected_end
        return ClinicalSchedule(
            appointment_id=stored.appointment_id, infusion_id=infusion_id,
            paused_at=None if pause is None else pause.pause.paused_at,
            pause_medium_at=None if pause is None else pause.status.until_medium.due_at,
            pause_high_at=None if pause is None else pause.status.until_high.due_at,
            next_step="" if step is None else
            f"step {step.number} ({step.rate_ml_h:g} mL/h)",
            titration_due_at=due,
            titration_overdue_at=None if due is None or reduced else due + self._overdue_after,
            vitals_due_at=checks[0], site_check_due_at=checks[1], expected_end=end)
