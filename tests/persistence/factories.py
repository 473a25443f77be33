"""Small builders of valid records for the storage tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from station.persistence.delivery import Infusion, Pump
from station.persistence.orders import Order, VascularAccess
from station.persistence.people import Patient, User
from station.persistence.records import Records
from station.persistence.scheduling import Appointment, Chair

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    """Ids of a minimal, consistent set of records."""

    user_id: int
    patient_id: int
    chair_id: int
    appointment_id: int
    order_id: int
    pump_id: int
    infusion_id: int


def make_order(patient: Patient, appointment: Appointment) -> Order:
    """An ocrelizumab later-dose order through a peripheral line."""
    return Order(
        patient=patient,
        appointment=appointment,
        ordered_at=T0 - timedelta(days=7),
        drug="ocrelizumab",
        dose_amount=600,
        dose_unit="mg",
        diluent="NaCl 0.9 %",
        volume_ml=500,
        access=VascularAccess.PERIPHERAL,
        catheter_gauge=22,
        access_site="left forearm",
        titration_protocol="ocrevus-later",
        observation_min=60,
        site_check_interval_min=120,
    )


def seed_records(sessions: sessionmaker[Session]) -> Seed:
    """Store a user, patient, chair, appointment, order, pump and infusion."""
    user = User(username="nurse.a", display_name="Nurse A", created_at=T0)
    patient = Patient(
        mrn="MRN-0001", family_name="Doe", given_name="Jane", date_of_birth=date(1980, 5, 17)
    )
    chair = Chair(label="C1")
    appointment = Appointment(patient=patient, chair=chair, start_at=T0, expected_duration_min=240)
    order = make_order(patient, appointment)
    pump = Pump(port_url="pty:///dev/pts/9", model="SimPump 1", serial_number="SN-1")
    infusion = Infusion(order=order, appointment=appointment, pump=pump, started_at=T0)
    Records(sessions).add(user, patient, chair, appointment, order, pump, infusion)
    return Seed(user.id, patient.id, chair.id, appointment.id, order.id, pump.id, infusion.id)
