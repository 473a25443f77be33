"""Today's training schedule for the demo: made-up patients booked on the simulated chairs.

Books one appointment per chair with everything check-in asks for (verified referral,
approved authorisation, verified order, prepared dose). The first chairs are already
infusing (checked in, checklist done, start confirmed), so a new user sees live plots
at once; the next one waits for check-in; the fourth patient's authorisation has run
out, so check-in there shows a refusal. Only for a training database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.orm import Session, sessionmaker

from station.domain.checklist import PatientIdentifier
from station.domain.refusals import Accepted, Result, T
from station.domain.site_assessment import InfiltrationGrade
from station.domain.units import Rate
from station.domain.vital_signs import VitalSign
from station.persistence.delivery import Pump
from station.persistence.orders import DosePreparation, Order, VascularAccess
from station.persistence.people import Allergy, Patient, User
from station.persistence.records import Records
from station.persistence.scheduling import (
    Appointment,
    AuthorisationStatus,
    Chair,
    InsuranceAuthorisation,
    Referral,
)
from station.services import Actor, StationServices
from station.services.bundle import load_library

NORMAL_VITALS = {VitalSign.SYSTOLIC_BP: 122, VitalSign.DIASTOLIC_BP: 78,
                 VitalSign.HEART_RATE: 70, VitalSign.TEMPERATURE: 36.7, VitalSign.SPO2: 98,
                 VitalSign.RESPIRATORY_RATE: 14}


@dataclass(frozen=True)
class DemoPatient:
    """A made-up patient and what is ordered for them."""

    mrn: str
    family: str
    given: str
    born: date
    allergies: tuple[str, ...]
    drug_id: str
    dose_mg: float
    volume_ml: float
    premedications: tuple[str, ...] = ()
    ordered_rate_ml_h: float | None = None  # fixed-rate drugs
    authorised: bool = True


DEMO_PATIENTS = (
    DemoPatient("TRN-1001", "Jansen", "Anna", date(1968, 3, 14), ("penicillin",),
                "ocrelizumab-later", 600, 500, ("methylprednisolone", "diphenhydramine")),
    DemoPatient("TRN-1002", "Okafor", "Ben", date(1981, 7, 2), (),
                "vedolizumab-maintenance", 300, 250),
    DemoPatient("TRN-1003", "Silva", "Carla", date(1990, 11, 23), ("latex", "iodine"),
                "sodium-chloride-0.9", 0, 250, ordered_rate_ml_h=100),
    DemoPatient("TRN-1004", "Novak", "Dan", date(1955, 1, 9), (),
                "sodium-chloride-0.9", 0, 250, ordered_rate_ml_h=100, authorised=False),
)
RUNNING_CHAIRS = 2  # the first chairs start infusing at once


@dataclass(frozen=True)
class DemoStart:
    """An infusion the demo starts on a simulated pump as soon as it answers."""

    chair_label: str
    infusion_id: int
    rate_ml_h: float
    vtbi_ml: float


@dataclass(frozen=True)
class DemoDay:
    actor: Actor
    starts: tuple[DemoStart, ...]


def _accepted(result: Result[T], what: str) -> T:
    if not isinstance(result, Accepted):
        raise RuntimeError(f"demo schedule: could not {what}: {result}")
    return result.value


def seed_demo_day(sessions: sessionmaker[Session], pumps: Sequence[tuple[str, str]], *,
                  now: datetime, tz: tzinfo, running: int = RUNNING_CHAIRS,
                  clock: Callable[[], datetime] | None = None) -> DemoDay:
    """Book today's demo patients on `pumps` ((chair label, pump serial) each); the first
    `running` are infusing."""
    running_chairs = running
    records = Records(sessions)
    nurse = User(username="training.nurse", display_name="Training Nurse", created_at=now)
    chairs = [Chair(label=label) for label, _ in pumps]
    pump_rows = [Pump(port_url="simulated", model="simulated", serial_number=serial)
                 for _, serial in pumps]
    records.add(nurse, *chairs, *pump_rows)
    actor = Actor(nurse.id, nurse.display_name)
    services = StationServices.build(sessions, clock=clock or (lambda: datetime.now(UTC)),
                                     library=load_library(), actor=actor, clinic_tz=tz)
    starts = []
    for index, (chair, pump) in enumerate(zip(chairs, pump_rows, strict=True)):
        patient = DEMO_PATIENTS[index % len(DEMO_PATIENTS)]
        running = index < running_chairs
        start_at = now - timedelta(minutes=20) if running else now + timedelta(minutes=10 * index)
        start_at = _on_the_day_of(now, start_at, tz)
        appointment_id = _book(records, services, patient, chair, start_at=start_at, now=now)
        if running:
            starts.append(_start(services, patient, appointment_id, chair=chair.label,
                                 pump_id=pump.id, now=now))
    return DemoDay(actor, tuple(starts))


def _on_the_day_of(now: datetime, start_at: datetime, tz: tzinfo) -> datetime:
    """The booking kept on the clinic day of `now`: a demo started near midnight must
    still find today's appointments in every chair."""
    day_start = datetime.combine(now.astimezone(tz).date(), time(0), tz)
    last = day_start + timedelta(days=1) - timedelta(minutes=1)
    return min(max(start_at, day_start), last)


def _book(records: Records, services: StationServices, demo: DemoPatient, chair: Chair, *,
          start_at: datetime, now: datetime) -> int:
    patient = Patient(mrn=demo.mrn, family_name=demo.family, given_name=demo.given,
                      date_of_birth=demo.born)
    appointment = Appointment(patient=patient, chair_id=chair.id, start_at=start_at,
                              expected_duration_min=240)
    order = Order(patient=patient, appointment=appointment, ordered_at=now - timedelta(days=7),
                  drug=demo.drug_id, dose_amount=demo.dose_mg, dose_unit="mg",
                  diluent="NaCl 0.9 %", volume_ml=demo.volume_ml,
                  access=VascularAccess.PERIPHERAL, access_site="left forearm",
                  titration_protocol=demo.drug_id, observation_min=30,
                  site_check_interval_min=120, rate=demo.ordered_rate_ml_h,
                  rate_unit=None if demo.ordered_rate_ml_h is None else "mL/h")
    records.add(patient, appointment, order)
    today = now.date()
    records.add(
        *(Allergy(patient_id=patient.id, substance=s) for s in demo.allergies),
        Referral(patient_id=patient.id, referring_provider="Dr Training",
                 received_at=now - timedelta(days=30), verified_at=now - timedelta(days=20)),
        InsuranceAuthorisation(
            patient_id=patient.id, payer="Training Health", number=f"PA-{demo.mrn}",
            valid_from=today - timedelta(days=60),
            valid_to=today + timedelta(days=30) if demo.authorised else today - timedelta(days=1),
            status=AuthorisationStatus.APPROVED),
        DosePreparation(order_id=order.id, compounded_at=now - timedelta(hours=1), lot="TRN",
                        beyond_use_at=now + timedelta(hours=10)),
    )
    services.checkin.verify_order(order.id)
    return appointment.id


def _start(services: StationServices, demo: DemoPatient, appointment_id: int, *, chair: str,
           pump_id: int, now: datetime) -> DemoStart:
    _accepted(services.checkin.check_in(demo.mrn), "check in")
    _accepted(services.schedule.seat(appointment_id), "seat the patient")
    checklist = services.checklist
    checklist.confirm_identifiers(appointment_id, [PatientIdentifier.FULL_NAME,
                                                   PatientIdentifier.DATE_OF_BIRTH])
    checklist.review_medication_list(appointment_id)
    checklist.review_allergies(appointment_id)
    for name in demo.premedications:
        _accepted(checklist.give_premedication(appointment_id, name,
                                               given_at=now - timedelta(minutes=45)),
                  f"give {name}")
    observations = services.observations
    _accepted(observations.record_vitals(appointment_id, NORMAL_VITALS, taken_at=now),
              "record vitals")
    _accepted(observations.record_site(appointment_id, InfiltrationGrade.NONE, 0,
                                       dressing_intact=True, assessed_at=now),
              "record the site")
    rate = None if demo.ordered_rate_ml_h is None else Rate(demo.ordered_rate_ml_h)
    prepared = _accepted(services.infusions.prepare_start(appointment_id, pump_id=pump_id,
                                                          ordered_rate=rate), "prepare the start")
    _accepted(services.infusions.confirm_started(prepared.infusion_id, now), "start")
    return DemoStart(chair, prepared.infusion_id, prepared.program.rate_ml_h,
                     prepared.program.vtbi_ml)
