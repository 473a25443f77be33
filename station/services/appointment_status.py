"""Appointment life cycle: which status may follow which, and the change with its audit.

booked -> checked in -> in chair -> infusing -> observation -> completed; booked,
checked in and in chair may also end as cancelled; booked as no-show.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from station.domain.refusals import Refusal
from station.persistence.scheduling import Appointment, AppointmentStatus
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.store import audit

S = AppointmentStatus
ALLOWED: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    S.BOOKED: frozenset({S.CHECKED_IN, S.CANCELLED, S.NO_SHOW}),
    S.CHECKED_IN: frozenset({S.IN_CHAIR, S.CANCELLED}),
    S.IN_CHAIR: frozenset({S.INFUSING, S.CANCELLED}),
    S.INFUSING: frozenset({S.OBSERVATION}),
    S.OBSERVATION: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}

_SAY = {s: s.value.replace("_", " ") for s in AppointmentStatus}


def transition_refusal(appointment: Appointment, to: AppointmentStatus) -> Refusal | None:
    """Why ``appointment`` cannot move to ``to``, or None when it can."""
    if to in ALLOWED[appointment.status]:
        return None
    return Refusal(ServiceRefusal.APPOINTMENT_TRANSITION,
                   f"The appointment is {_SAY[appointment.status]}; it cannot become "
                   f"{_SAY[to]}.")


def move(
    session: Session, ctx: ServiceContext, appointment: Appointment, to: AppointmentStatus,
    **detail: str,
) -> None:
    """Change the status (the caller checked :func:`transition_refusal`) and audit it."""
    before = appointment.status
    appointment.status = to
    audit(session, ctx, f"appointment.{to.value}", appointment,
          {"from": before.value, "to": to.value, **detail})
