"""A seeded clinic day for the service tests, with a fake clock and helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.domain.checklist import PatientIdentifier
from station.domain.drug_library import DrugLibrary
from station.domain.refusals import Accepted, Refused, Result, T
from station.domain.site_assessment import InfiltrationGrade
from station.domain.units import Rate
from station.domain.vital_signs import VitalSign
from station.persistence.base import Base
from station.persistence.delivery import Pump
from station.persistence.orders import DosePreparation, Order, VascularAccess
from station.persistence.people import Patient, User
from station.persistence.records import Records
from station.persistence.scheduling import (
    Appointment,
    AuthorisationStatus,
    Chair,
    InsuranceAuthorisation,
    Referral,
)
from station.services import Actor, StationServices

DAY = date(2026, 11, 24)
NINE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NORMAL_VITALS = {VitalSign.SYSTOLIC_BP: 120, VitalSign.DIASTOLIC_BP: 80,
                 VitalSign.HEART_RATE: 72, VitalSign.TEMPERATURE: 36.8, VitalSign.SPO2: 98,
                 VitalSign.RESPIRATORY_RATE: 14}


@dataclass
class Clock:
    """A settable clock: tests move time, nothing sleeps."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


@dataclass
class World:
    """Ids of the seeded records and the services acting as the nurse."""

    sessions: sessionmaker[Session]
    library: DrugLibrary
    clock: Clock
    nurse: Actor
    svc: StationServices
    patient_id: int
    mrn: str
    chairs: dict[str, int]
    pumps: list[int]
    appointment_id: int
    order_id: int
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, *records: Base) -> None:
        Records(self.sessions).add(*records)


def accepted(result: Result[T]) -> T:
    assert isinstance(result, Accepted), result
    return result.value


def codes(result: Result[T]) -> tuple[str, ...]:
    assert isinstance(result, Refused), result
    return result.codes


def add_patient_booking(
    world: World, mrn: str, chair: str, start: datetime, *,
    drug_id: str = "ocrelizumab-later", volume_ml: float = 500.0,
) -> tuple[int, int]:
    """Another patient with a verified referral, authorisation, order and dose; ids back."""
    patient = Patient(mrn=mrn, family_name="Roe", given_name="Sam",
                      date_of_birth=date(1975, 1, 2))
    appointment = Appointment(patient=patient, chair_id=world.chairs[chair], start_at=start,
                              expected_duration_min=240)
    order = Order(patient=patient, appointment=appointment, ordered_at=start - timedelta(days=7),
                  drug=drug_id, dose_amount=600, dose_unit="mg", diluent="NaCl 0.9 %",
                  volume_ml=volume_ml, access=VascularAccess.PERIPHERAL,
                  access_site="left forearm", titration_protocol=drug_id, observation_min=60,
                  site_check_interval_min=120)
    world.add(patient, appointment, order)
    world.add(
        Referral(patient_id=patient.id, referring_provider="Dr Who",
                 received_at=start - timedelta(days=30),
                 verified_at=start - timedelta(days=20)),
        InsuranceAuthorisation(patient_id=patient.id, payer="Acme", number=f"PA-{mrn}",
                               valid_from=DAY - timedelta(days=30),
                               valid_to=DAY + timedelta(days=30),
                               status=AuthorisationStatus.APPROVED),
        DosePreparation(order_id=order.id, compounded_at=start - timedelta(hours=2), lot="L1",
                        beyond_use_at=start + timedelta(hours=10)),
    )
    world.svc.checkin.verify_order(order.id)
    return appointment.id, order.id


def seed_world(sessions: sessionmaker[Session], library: DrugLibrary) -> World:
    """Nurse, chairs C1-C3, pumps P1-P2 and patient MRN-1 booked at 09:00 in C1."""
    clock = Clock(NINE - timedelta(minutes=30))
    nurse = User(username="nurse.a", display_name="Nurse A", created_at=NINE)
    chairs = [Chair(label=label) for label in ("C1", "C2", "C3")]
    pumps = [Pump(port_url=f"pty:///dev/pts/{i}", model="SimPump", serial_number=f"P{i}")
             for i in (1, 2)]
    Records(sessions).add(nurse, *chairs, *pumps)
    actor = Actor(nurse.id, nurse.display_name)
    svc = StationServices.build(sessions, clock=clock, library=library, actor=actor)
    world = World(sessions, library, clock, actor, svc, 0, "MRN-1",
                  {c.label: c.id for c in chairs}, [p.id for p in pumps], 0, 0)
    world.appointment_id, world.order_id = add_patient_booking(world, "MRN-1", "C1", NINE)
    world.patient_id = _patient_id(sessions, "MRN-1")
    return world


def _patient_id(sessions: sessionmaker[Session], mrn: str) -> int:
    patient = Records(sessions).patient_by_mrn(mrn)
    assert patient is not None
    return patient.id


def complete_checklist(world: World, appointment_id: int | None = None) -> None:
    """Check in and seat the patient, then do every checklist item (premeds 45 min ago)."""
    aid = appointment_id or world.appointment_id
    svc, now = world.svc, world.clock.now
    svc.checklist.confirm_identifiers(aid, [PatientIdentifier.FULL_NAME,
                                            PatientIdentifier.DATE_OF_BIRTH])
    svc.checklist.review_medication_list(aid)
    svc.checklist.review_allergies(aid)
    for name in ("methylprednisolone", "diphenhydramine"):
        accepted(svc.checklist.give_premedication(aid, name, given_at=now - timedelta(minutes=45)))
    accepted(svc.observations.record_vitals(aid, NORMAL_VITALS, taken_at=now))
    accepted(svc.observations.record_site(aid, InfiltrationGrade.NONE, 0, dressing_intact=True,
                                          assessed_at=now))


def seat(world: World, mrn: str = "MRN-1", appointment_id: int | None = None) -> None:
    """Check the patient in and seat them."""
    accepted(world.svc.checkin.check_in(mrn))
    accepted(world.svc.schedule.seat(appointment_id or world.appointment_id))


def start_running(world: World, pump_index: int = 0) -> int:
    """From check-in to a running infusion at ``clock.now``; the infusion id."""
    seat(world)
    complete_checklist(world)
    prepared = accepted(world.svc.infusions.prepare_start(world.appointment_id,
                                                           pump_id=world.pumps[pump_index]))
    accepted(world.svc.infusions.confirm_started(prepared.infusion_id, world.clock.now))
    return prepared.infusion_id


def snapshot(sessions: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove a refused call changed nothing."""
    with sessions() as session:
        return {table.name: [tuple(row) for row in session.execute(
                    sa.select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables}


def seated_and_ready(world: World, mrn: str, chair: str, *, drug_id: str,
                     volume_ml: float) -> int:
    """Another patient booked at 09:00, checked in, seated, checklist done; appointment id."""
    appointment_id, _ = add_patient_booking(world, mrn, chair, NINE, drug_id=drug_id,
                                            volume_ml=volume_ml)
    seat(world, mrn, appointment_id)
    complete_checklist(world, appointment_id)
    return appointment_id


def saline_running(world: World, *, rate_ml_h: float, volume_ml: float) -> tuple[int, int]:
    """A saline patient in chair C3 on pump P2 at a fixed rate from now; (appointment, infusion)."""
    saline = seated_and_ready(world, "MRN-S", "C3", drug_id="sodium-chloride-0.9",
                              volume_ml=volume_ml)
    prepared = accepted(world.svc.infusions.prepare_start(saline, pump_id=world.pumps[1],
                                                           ordered_rate=Rate(rate_ml_h)))
    accepted(world.svc.infusions.confirm_started(prepared.infusion_id, world.clock.now))
    return saline, prepared.infusion_id
