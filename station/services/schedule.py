"""Today's schedule: book appointments, list them by chair and time, change their status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.refusals import Accepted, Refusal, Refused, Result, decide, require_aware
from station.persistence.people import Patient
from station.persistence.scheduling import Appointment, AppointmentStatus, Chair
from station.services.appointment_status import move, transition_refusal
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.errors import NotFoundError
from station.services.store import audit, iso, reading, writing

MAX_DURATION_MIN = 12 * 60  # longer than any infusion day: a typo, not a booking
_NOT_OCCUPYING = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


@dataclass(frozen=True)
class Booking:
    """A request to book: patient by medical record number, chair by label."""

    patient_mrn: str
    chair_label: str
    start_at: datetime
    duration_min: int
    private_room: bool = False
    companion: bool = False
    note: str = ""

    @property
    def end_at(self) -> datetime:
        return self.start_at + timedelta(minutes=self.duration_min)


@dataclass(frozen=True)
class ChairDay:
    """One chair's appointments of a day, by start time (chair None: not yet placed)."""

    chair_label: str | None
    appointments: tuple[Appointment, ...]


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def booking_refusals(
    session: Session, booking: Booking, pending: Sequence[Booking] = ()
) -> tuple[list[Refusal], Patient | None, Chair | None]:
    """Every reason ``booking`` cannot be stored (``pending``: bookings of the same batch)."""
    require_aware(booking.start_at, "start_at")
    refusals = []
    patient = session.scalars(sa.select(Patient).where(Patient.mrn == booking.patient_mrn)).first()
    if patient is None:
        refusals.append(Refusal(ServiceRefusal.PATIENT_UNKNOWN,
                                f"No patient has the record number {booking.patient_mrn!r}."))
    chair = session.scalars(sa.select(Chair).where(Chair.label == booking.chair_label)).first()
    if chair is None:
        refusals.append(Refusal(ServiceRefusal.CHAIR_UNKNOWN,
                                f"There is no chair {booking.chair_label!r}."))
    elif not chair.active:
        refusals.append(Refusal(ServiceRefusal.CHAIR_INACTIVE,
                                f"Chair {chair.label} is out of service."))
    if not 0 < booking.duration_min <= MAX_DURATION_MIN:
        refusals.append(Refusal(ServiceRefusal.DURATION_INVALID,
                                f"A duration of {booking.duration_min} min is not possible: "
                                f"give 1 to {MAX_DURATION_MIN} min."))
    elif chair is not None and _chair_busy(session, chair, booking, pending):
        refusals.append(Refusal(ServiceRefusal.CHAIR_BUSY,
                                f"Chair {chair.label} is already booked at that time."))
    return refusals, patient, chair


def _end(appointment: Appointment) -> datetime:
    return appointment.start_at + timedelta(minutes=appointment.expected_duration_min)


def _chair_busy(
    session: Session, chair: Chair, booking: Booking, pending: Sequence[Booking]
) -> bool:
    start, end = booking.start_at, booking.end_at
    stored = session.scalars(
        sa.select(Appointment).where(
            Appointment.chair_id == chair.id,
            Appointment.status.not_in(_NOT_OCCUPYING),
            Appointment.start_at < end,
            Appointment.start_at > start - timedelta(minutes=MAX_DURATION_MIN),
        )
    )
    if any(_overlaps(start, end, a.start_at, _end(a))
           for a in stored):
        return True
    return any(p.chair_label == booking.chair_label and _overlaps(start, end, p.start_at, p.end_at)
               for p in pending)


def new_appointment(booking: Booking, patient: Patient, chair: Chair) -> Appointment:
    """The record for an accepted booking."""
    return Appointment(
        patient_id=patient.id, chair_id=chair.id, start_at=booking.start_at,
        expected_duration_min=booking.duration_min, wants_private_room=booking.private_room,
        with_companion=booking.companion, requests_note=booking.note[:500],
        status=AppointmentStatus.BOOKED,
    )


class ScheduleService:
    """Book, list and change appointments (cancel, no-show, seat in the chair)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def book(self, booking: Booking) -> Result[Appointment]:
        """Store one appointment, or every reason it cannot be booked."""
        with writing(self._ctx, "book the appointment") as session:
            refusals, patient, chair = booking_refusals(session, booking)
            if refusals or patient is None or chair is None:
                return Refused(tuple(refusals))
            appointment = new_appointment(booking, patient, chair)
            session.add(appointment)
            session.flush()
            audit(session, self._ctx, "appointment.booked", appointment,
                  {"chair": chair.label, "mrn": patient.mrn, "start_at": iso(booking.start_at)})
        return Accepted(appointment)

    def day(self, day: date) -> list[ChairDay]:
        """Appointments starting on ``day`` (clinic time zone), per chair label, by time."""
        tz = self._ctx.clinic_tz
        start = datetime.combine(day, time(0), tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tz)
        with reading(self._ctx, "read the schedule") as session:
            rows = session.scalars(
                sa.select(Appointment)
                .where(Appointment.start_at >= start, Appointment.start_at < end)
                .order_by(Appointment.start_at, Appointment.id)
            ).all()
        by_chair: dict[str | None, list[Appointment]] = {}
        for row in rows:
            by_chair.setdefault(row.chair.label if row.chair else None, []).append(row)
        labels = sorted(by_chair, key=lambda label: (label is None, label or ""))
        return [ChairDay(label, tuple(by_chair[label])) for label in labels]

    def today(self) -> list[ChairDay]:
        """:meth:`day` for today in the clinic's time zone."""
        return self.day(self._ctx.now().astimezone(self._ctx.clinic_tz).date())

    def cancel(self, appointment_id: int, reason: str) -> Result[Appointment]:
        """Cancel a booking that has not started infusing."""
        return self._move(appointment_id, AppointmentStatus.CANCELLED, reason=reason.strip())

    def mark_no_show(self, appointment_id: int) -> Result[Appointment]:
        """The patient did not come."""
        return self._move(appointment_id, AppointmentStatus.NO_SHOW)

    def seat(self, appointment_id: int) -> Result[Appointment]:
        """A checked-in patient sits in the chair (the checklist starts)."""
        return self._move(appointment_id, AppointmentStatus.IN_CHAIR)

    def _move(
        self, appointment_id: int, to: AppointmentStatus, **detail: str
    ) -> Result[Appointment]:
        with writing(self._ctx, f"mark the appointment {to.value}") as session:
            appointment = session.get(Appointment, appointment_id)
            if appointment is None:
                raise NotFoundError("appointment", appointment_id)
            refusal = transition_refusal(appointment, to)
            if refusal is not None:
                return Refused((refusal,))
            move(session, self._ctx, appointment, to, **detail)
        return decide(appointment, [])
