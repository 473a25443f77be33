"""A made-up patient's visit on a simulated chair, set up through the station services.

`book_visit` stores the patient with everything check-in asks for (verified referral,
approved authorisation, verified order, prepared dose) and books the chair;
`start_visit` checks the patient in, seats them, does the checklist, the first vital
signs and site check, and starts the infusion on the chair's pump, as a nurse does at
the station. The demo (ui/chairside/demo_schedule.py) and the headless scenario runs
(scenario_nurse.py) use them; only for a training database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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

NORMAL_VITALS = {VitalSign.SYSTOLIC_BP: 122, VitalSign.DIASTOLIC_BP: 78,
                 VitalSign.HEART_RATE: 70, VitalSign.TEMPERATURE: 36.7, VitalSign.SPO2: 98,
                 VitalSign.RESPIRATORY_RATE: 14}


@dataclass(frozen=True)
class MadeUpPatient:
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


@dataclass(frozen=True)
class VisitStart:
    """An infusion started in the record; the pump is programmed with its rate and volume
    (the demo does it once the pump answers; a scenario at the pump's keys)."""

    chair_label: str
    infusion_id: int
    rate_ml_h: float
    vtbi_ml: float


def add_chairs(records: Records, pumps: Sequence[tuple[str, str]], now: datetime
               ) -> tuple[Actor, list[Chair], list[Pump]]:
    """The training nurse, and a chair with its simulated pump for each (label, serial)."""
    nurse = User(username="training.nurse", display_name="Training Nurse", created_at=now)
    chairs = [Chair(label=label) for label, _ in pumps]
    pump_rows = [Pump(port_url="simulated", model="simulated", serial_number=serial)
                 for _, serial in pumps]
    records.add(nurse, *chairs, *pump_rows)
    return Actor(nurse.id, nurse.display_name), chairs, pump_rows


def accepted(result: Result[T], what: str) -> T:
    if not isinstance(result, Accepted):
        raise RuntimeError(f"could not {what}: {result}")
    return result.value


def book_visit(records: Records, services: StationServices, demo: MadeUpPatient, chair: Chair, *,
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


def start_visit(services: StationServices, demo: MadeUpPatient, appointment_id: int, *, chair: str,
           pump_id: int, now: datetime) -> VisitStart:
    accepted(services.checkin.check_in(demo.mrn), "check in")
    accepted(services.schedule.seat(appointment_id), "seat the patient")
    checklist = services.checklist
    checklist.confirm_identifiers(appointment_id, [PatientIdentifier.FULL_NAME,
                                                   PatientIdentifier.DATE_OF_BIRTH])
    checklist.review_medication_list(appointment_id)
    checklist.review_allergies(appointment_id)
    for name in demo.premedications:
        accepted(checklist.give_premedication(appointment_id, name,
                                               given_at=now - timedelta(minutes=45)),
                  f"give {name}")
    observations = services.observations
    accepted(observations.record_vitals(appointment_id, NORMAL_VITALS, taken_at=now),
              "record vitals")
    accepted(observations.record_site(appointment_id, InfiltrationGrade.NONE, 0,
                                       dressing_intact=True, assessed_at=now),
              "record the site")
    rate = None if demo.ordered_rate_ml_h is None else Rate(demo.ordered_rate_ml_h)
    prepared = accepted(services.infusions.prepare_start(appointment_id, pump_id=pump_id,
                                                          ordered_rate=rate), "prepare the start")
    accepted(services.infusions.confirm_started(prepared.infusion_id, now), "start")
    return VisitStart(chair, prepared.infusion_id, prepared.program.rate_ml_h,
                     prepared.program.vtbi_ml)
