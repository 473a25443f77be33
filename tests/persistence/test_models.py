"""Every stored concept round-trips through a real database, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.delivery import DeliverySegment, Infusion, InfusionStatus, Pause
from station.persistence.errors import RecordRejectedError
from station.persistence.observations import SideEffect, SideEffectKind, SiteAssessment, VitalSigns
from station.persistence.orders import DosePreparation, Order, PreMedication
from station.persistence.people import Allergy, CurrentMedication, Patient, Role, User
from station.persistence.records import Records
from station.persistence.scheduling import (
    Appointment,
    AppointmentStatus,
    AuthorisationStatus,
    InsuranceAuthorisation,
    Referral,
)
from tests.persistence.factories import T0, Seed


def test_patient_with_allergies_and_medications_round_trips(
    sessions: sessionmaker[Session],
) -> None:
    records = Records(sessions)
    patient = Patient(
        mrn="MRN-42", family_name="Roe", given_name="Ann", date_of_birth=date(1975, 2, 28)
    )
    patient.allergies.append(Allergy(substance="penicillin", reaction="rash"))
    patient.medications.append(
        CurrentMedication(name="methotrexate", dose="15 mg", frequency="weekly")
    )
    records.add(patient)

    loaded = records.patient_by_mrn("MRN-42")

    assert loaded is not None
    assert (loaded.family_name, loaded.given_name, loaded.date_of_birth) == (
        "Roe",
        "Ann",
        date(1975, 2, 28),
    )
    assert [a.substance for a in loaded.allergies] == ["penicillin"]
    assert [(m.name, m.dose) for m in loaded.medications] == [("methotrexate", "15 mg")]
    assert records.patient_by_mrn("MRN-404") is None


def test_user_roles_round_trip(sessions: sessionmaker[Session]) -> None:
    records = Records(sessions)
    user = User(username="charge.b", display_name="Charge B", created_at=T0)
    user.roles.extend([Role(name="nurse"), Role(name="charge_nurse")])
    records.add(user)

    loaded = records.get(User, user.id)

    assert loaded is not None
    assert sorted(r.name for r in loaded.roles) == ["charge_nurse", "nurse"]


def test_scheduling_records_round_trip(sessions: sessionmaker[Session], seed: Seed) -> None:
    records = Records(sessions)
    referral = Referral(
        patient_id=seed.patient_id,
        referring_provider="Dr Gastro",
        received_at=T0 - timedelta(days=30),
        verified_at=T0 - timedelta(days=29),
        verified_by_id=seed.user_id,
    )
    authorisation = InsuranceAuthorisation(
        patient_id=seed.patient_id,
        payer="Acme Health",
        number="PA-123",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        status=AuthorisationStatus.APPROVED,
    )
    records.add(referral, authorisation)

    got_ref = records.get(Referral, referral.id)
    got_auth = records.get(InsuranceAuthorisation, authorisation.id)
    assert got_ref is not None and got_ref.verified_at == T0 - timedelta(days=29)
    assert got_auth is not None and got_auth.status is AuthorisationStatus.APPROVED
    assert got_auth.valid_to == date(2026, 12, 31)


def test_appointment_requests_and_status_change_are_saved(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    appointment = records.get(Appointment, seed.appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.BOOKED
    appointment.wants_private_room = True
    appointment.with_companion = True
    appointment.status = AppointmentStatus.CHECKED_IN
    records.save(appointment)

    day = records.appointments_between(T0 - timedelta(hours=8), T0 + timedelta(hours=16))

    assert [(a.id, a.status) for a in day] == [(seed.appointment_id, AppointmentStatus.CHECKED_IN)]
    assert day[0].wants_private_room and day[0].with_companion
    assert day[0].patient.mrn == "MRN-0001" and day[0].chair is not None
    assert records.appointments_between(T0 + timedelta(hours=1), T0 + timedelta(days=1)) == []


def test_order_premedications_and_preparation_round_trip(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    order = records.get(Order, seed.order_id)
    assert order is not None
    order.premedications.append(PreMedication(drug="diphenhydramine", dose="50 mg", route="PO"))
    records.save(order)
    prep = DosePreparation(
        order_id=seed.order_id,
        compounded_at=T0 - timedelta(hours=2),
        lot="L-77",
        beyond_use_at=T0 + timedelta(hours=6),
        checked_by_id=seed.user_id,
    )
    records.add(prep)

    loaded = records.get(Order, seed.order_id)
    got_prep = records.get(DosePreparation, prep.id)
    assert loaded is not None and got_prep is not None
    assert [p.drug for p in loaded.premedications] == ["diphenhydramine"]
    assert (loaded.catheter_gauge, loaded.access_site) == (22, "left forearm")
    assert got_prep.beyond_use_at == T0 + timedelta(hours=6)


def test_infusion_segments_and_pauses_round_trip(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    first = DeliverySegment(
        infusion_id=seed.infusion_id,
        seq=1,
        started_at=T0,
        ended_at=T0 + timedelta(minutes=30),
        rate_ml_h=40,
        volume_ml=20,
        total_volume_ml=20,
    )
    second = DeliverySegment(
        infusion_id=seed.infusion_id, seq=2, started_at=T0 + timedelta(minutes=35), rate_ml_h=80
    )
    pause = Pause(
        infusion_id=seed.infusion_id,
        started_at=T0 + timedelta(minutes=30),
        ended_at=T0 + timedelta(minutes=35),
        reason="bathroom break",
        needs_walking_help=True,
        started_by_id=seed.user_id,
    )
    records.add(second, first, pause)

    infusion = records.get(Infusion, seed.infusion_id)

    assert infusion is not None and infusion.status is InfusionStatus.PLANNED
    assert [(s.seq, s.rate_ml_h, s.ended_at) for s in infusion.segments] == [
        (1, 40, T0 + timedelta(minutes=30)),
        (2, 80, None),
    ]
    assert infusion.pump is not None and infusion.pump.serial_number == "SN-1"
    got_pause = records.get(Pause, pause.id)
    assert got_pause is not None and got_pause.needs_walking_help


def test_duplicate_segment_number_is_rejected(sessions: sessionmaker[Session], seed: Seed) -> None:
    records = Records(sessions)
    records.add(DeliverySegment(infusion_id=seed.infusion_id, seq=1, started_at=T0, rate_ml_h=40))
    with pytest.raises(RecordRejectedError, match="refused"):
        records.add(
            DeliverySegment(infusion_id=seed.infusion_id, seq=1, started_at=T0, rate_ml_h=80)
        )


def test_observations_round_trip(sessions: sessionmaker[Session], seed: Seed) -> None:
    records = Records(sessions)
    common = {
        "appointment_id": seed.appointment_id,
        "infusion_id": seed.infusion_id,
        "observed_at": T0 + timedelta(minutes=15),
        "recorded_by_id": seed.user_id,
    }
    vitals = VitalSigns(**common, systolic_mmhg=128, diastolic_mmhg=82, heart_rate_bpm=71)
    effect = SideEffect(**common, kind=SideEffectKind.DIZZINESS, ctcae_grade=1)
    site = SiteAssessment(**common, site="left forearm", infiltration_grade=2, extent_cm=3.5)
    records.add(vitals, effect, site)

    got_vitals = records.get(VitalSigns, vitals.id)
    got_effect = records.get(SideEffect, effect.id)
    got_site = records.get(SiteAssessment, site.id)
    assert got_vitals is not None and got_vitals.systolic_mmhg == 128
    assert got_vitals.temperature_c is None
    assert got_effect is not None and got_effect.kind is SideEffectKind.DIZZINESS
    assert got_site is not None and (got_site.infiltration_grade, got_site.extent_cm) == (2, 3.5)


@pytest.mark.parametrize(
    "make_record",
    [
        lambda: SideEffect(kind=SideEffectKind.NAUSEA, ctcae_grade=6),
        lambda: SiteAssessment(site="hand", infiltration_grade=5),
    ],
    ids=["ctcae-grade-6", "infiltration-grade-5"],
)
def test_out_of_range_grades_are_rejected_by_the_database(
    sessions: sessionmaker[Session],
    seed: Seed,
    make_record: Callable[[], SideEffect | SiteAssessment],
) -> None:
    record = make_record()
    record.appointment_id = seed.appointment_id
    record.observed_at = T0
    with pytest.raises(RecordRejectedError):
        Records(sessions).add(record)
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(type(record))) == 0
