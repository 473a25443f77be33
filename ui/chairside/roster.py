"""Who sits in a chair today: the patient banner's facts, read on the service worker.

Qt-free reads of stored records for one chair label and one clinic day: the patient,
allergies, the appointment, its order and the infusion under way (with an open pause).
Called through the `ServiceRunner`, never on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.monitoring.schedule_source import chair_appointment
from station.persistence.delivery import Infusion, InfusionStatus, Pause, Pump
from station.persistence.orders import Order
from station.persistence.people import Allergy
from station.persistence.scheduling import Appointment, AppointmentStatus


@dataclass(frozen=True)
class ChairPatient:
    """What the patient banner shows and the workflow actions need, for one chair."""

    appointment_id: int
    appointment_status: AppointmentStatus
    start_at: datetime
    duration_min: int
    mrn: str
    name: str
    date_of_birth: date
    allergies: tuple[str, ...]
    drug: str
    dose: str
    volume_ml: float
    titration_protocol: str
    infusion_id: int | None
    infusion_status: InfusionStatus | None
    paused_since: datetime | None


def pump_row_id(sessions: sessionmaker[Session], serial_number: str) -> int | None:
    """The stored pump of a serial number (the monitoring service adds it on first sight)."""
    with sessions() as session:
        return session.scalar(sa.select(Pump.id).where(Pump.serial_number == serial_number))


def load_chair_patient(sessions: sessionmaker[Session], chair_label: str, day: date,
                       tz: tzinfo) -> ChairPatient | None:
    """The chair's current appointment of `day`: one still under care from yesterday (past
    midnight), else the first not yet completed, else the last."""
    with sessions() as session:
        current = chair_appointment(session, chair_label, day, tz, or_last_completed=True)
        return None if current is None else _patient_of(session, current)


def _patient_of(session: Session, appointment: Appointment) -> ChairPatient:
    patient = appointment.patient
    allergies = session.scalars(sa.select(Allergy).where(Allergy.patient_id == patient.id)
                                .order_by(Allergy.substance)).all()
    order = session.scalar(sa.select(Order).where(Order.appointment_id == appointment.id)
                           .order_by(Order.ordered_at.desc()))
    infusion = session.scalar(sa.select(Infusion).where(Infusion.appointment_id == appointment.id)
                              .order_by(Infusion.id.desc()))
    pause = None if infusion is None else session.scalar(
        sa.select(Pause).where(Pause.infusion_id == infusion.id, Pause.ended_at.is_(None)))
    return ChairPatient(
        appointment_id=appointment.id, appointment_status=appointment.status,
        start_at=appointment.start_at, duration_min=appointment.expected_duration_min,
        mrn=patient.mrn, name=f"{patient.family_name.upper()}, {patient.given_name}",
        date_of_birth=patient.date_of_birth,
        allergies=tuple(a.substance + (f" ({a.reaction})" if a.reaction else "")
                        for a in allergies),
        drug="" if order is None else order.drug,
        dose="" if order is None else _dose_text(order),
        volume_ml=0.0 if order is None else order.volume_ml,
        titration_protocol="" if order is None else order.titration_protocol,
        infusion_id=None if infusion is None else infusion.id,
        infusion_status=None if infusion is None else infusion.status,
        paused_since=None if pause is None else pause.started_at)


def _dose_text(order: Order) -> str:
    volume = f"{order.volume_ml:g} mL {order.diluent}"
    if not order.dose_amount:  # a fluid on its own (saline): the volume is the dose
        return volume
    return f"{order.dose_amount:g} {order.dose_unit} in {volume}"
