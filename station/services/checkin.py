"""Check-in at the desk: the clinic's rules (station.domain.checkin) against stored facts.

The order's verification is stored on the order (``verified_at``, ``verified_by_id``)
by :meth:`CheckInService.verify_order`, which also writes the ``order.verified`` audit
entry.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain import checkin as rules
from station.domain.refusals import Accepted, Refused, Result
from station.persistence.orders import DosePreparation, Order
from station.persistence.people import Patient
from station.persistence.scheduling import (
    Appointment,
    AppointmentStatus,
    AuthorisationStatus,
    InsuranceAuthorisation,
    Referral,
)
from station.services.appointment_status import move, transition_refusal
from station.services.context import ServiceContext
from station.services.errors import NotFoundError
from station.services.store import audit, writing

ORDER_VERIFIED = "order.verified"
_GONE = (AppointmentStatus.NO_SHOW,)


def order_of(session: Session, appointment: Appointment) -> Order | None:
    """The latest order written for an appointment."""
    return session.scalars(
        sa.select(Order).where(Order.appointment_id == appointment.id).order_by(Order.id.desc())
    ).first()


def _appointment_for_today(
    session: Session, patient: Patient, start: datetime, end: datetime
) -> Appointment | None:
    """Today's live booking, else today's cancelled one, else the next one (to name its day)."""
    mine = sa.select(Appointment).where(Appointment.patient_id == patient.id,
                                        Appointment.status.not_in(_GONE))
    today = session.scalars(mine.where(Appointment.start_at >= start, Appointment.start_at < end)
                            .order_by(Appointment.start_at)).all()
    live = [a for a in today if a.status is not AppointmentStatus.CANCELLED]
    if live or today:
        return (live or today)[0]
    return session.scalars(mine.where(Appointment.start_at >= end,
                                      Appointment.status == AppointmentStatus.BOOKED)
                           .order_by(Appointment.start_at)).first()


def _authorisation(session: Session, patient: Patient) -> rules.Authorisation | None:
    """The approved (or lapsed) authorisation that ends last; pending or denied is none."""
    stored = session.scalars(
        sa.select(InsuranceAuthorisation)
        .where(InsuranceAuthorisation.patient_id == patient.id,
               InsuranceAuthorisation.status.in_((AuthorisationStatus.APPROVED,
                                                  AuthorisationStatus.EXPIRED)))
        .order_by(InsuranceAuthorisation.valid_to.desc())
    ).first()
    if stored is None:
        return None
    return rules.Authorisation(stored.number, stored.valid_from, stored.valid_to)


def _dose(session: Session, order: Order | None) -> rules.PreparedDose | None:
    if order is None:
        return None
    stored = session.scalars(
        sa.select(DosePreparation).where(DosePreparation.order_id == order.id)
        .order_by(DosePreparation.compounded_at.desc(), DosePreparation.id.desc())
    ).first()
    return None if stored is None else rules.PreparedDose(stored.compounded_at,
                                                          stored.beyond_use_at)


def order_verified(order: Order | None) -> bool:
    """Whether a pharmacist or physician verified the order."""
    return order is not None and order.verified_at is not None


class CheckInService:
    """Checks a patient in, or says every reason the clinic turns them away."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def verify_order(self, order_id: int) -> None:
        """Record that the acting user (pharmacist or physician) verified the order."""
        with writing(self._ctx, "record the order verification") as session:
            order = session.get(Order, order_id)
            if order is None:
                raise NotFoundError("order", order_id)
            order.verified_at, order.verified_by_id = self._ctx.now(), self._ctx.actor.user_id
            audit(session, self._ctx, ORDER_VERIFIED, order, {"by": self._ctx.actor.name})

    def gather_facts(
        self, session: Session, patient: Patient
    ) -> tuple[rules.CheckInFacts, Appointment | None]:
        """What the desk knows about ``patient`` now, and the appointment it is about."""
        now = self._ctx.now()
        tz = self._ctx.clinic_tz
        day = now.astimezone(tz).date()
        start = datetime.combine(day, time(0), tz)
        appointment = _appointment_for_today(session, patient, start, start + timedelta(days=1))
        order = order_of(session, appointment) if appointment is not None else None
        referral = session.scalars(sa.select(Referral).where(
            Referral.patient_id == patient.id, Referral.verified_at.is_not(None))).first()
        booked = None if appointment is None else rules.Appointment(
            appointment.start_at, appointment.status is AppointmentStatus.CANCELLED)
        return rules.CheckInFacts(
            appointment=booked,
            referral_verified=referral is not None,
            authorisation=_authorisation(session, patient),
            dose=_dose(session, order),
            order_verified=order_verified(order),
        ), appointment

    def check_in(self, patient_mrn: str) -> Result[Appointment]:
        """Check the patient in for today's appointment, or refuse with every reason.

        A refusal stores nothing. An accepted check-in moves the appointment to
        "checked in" and is in the audit log before this returns.
        """
        with writing(self._ctx, "check the patient in") as session:
            patient = session.scalars(sa.select(Patient).where(Patient.mrn == patient_mrn)).first()
            if patient is None:
                raise NotFoundError("patient with record number", patient_mrn)
            known, appointment = self.gather_facts(session, patient)
            decided = rules.check_in(known, self._ctx.now(), self._ctx.clinic_tz)
            if isinstance(decided, Refused):
                return decided
            assert appointment is not None  # the rule refuses without one
            refusal = transition_refusal(appointment, AppointmentStatus.CHECKED_IN)
            if refusal is not None:
                return Refused((refusal,))
            move(session, self._ctx, appointment, AppointmentStatus.CHECKED_IN)
        return Accepted(appointment)
