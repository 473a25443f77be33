"""The clinical record columns and tables of migration 0003 round-trip, on both backends,
and the database refuses a second running infusion on one pump.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.checklist import ChecklistItem, ChecklistItemKind, PremedicationGiven
from station.persistence.delivery import (
    Infusion,
    InfusionStatus,
    Pause,
    SoftLimitOverride,
    TitrationChangeKind,
    TitrationStep,
)
from station.persistence.errors import RecordRejectedError
from station.persistence.observations import SideEffect, SideEffectKind, SiteAssessment
from station.persistence.orders import Order
from station.persistence.records import Records
from station.persistence.scheduling import Appointment
from tests.persistence.factories import T0, Seed, make_order


def test_order_rate_weight_and_verification_round_trip(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    order = records.get(Order, seed.order_id)
    assert order is not None and order.verified_at is None and order.rate is None
    order.rate, order.rate_unit, order.patient_weight_kg = 0.5, "mL/kg/min", 72.5
    order.verified_at, order.verified_by_id = T0 - timedelta(hours=1), seed.user_id
    records.save(order)

    got = records.get(Order, seed.order_id)

    assert got is not None
    assert (got.rate, got.rate_unit, got.patient_weight_kg) == (0.5, "mL/kg/min", 72.5)
    assert (got.verified_at, got.verified_by_id) == (T0 - timedelta(hours=1), seed.user_id)


def test_an_order_rate_without_its_unit_is_refused(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    appointment = records.get(Appointment, seed.appointment_id)
    assert appointment is not None
    order = make_order(appointment.patient, appointment)
    order.rate = 120.0
    with pytest.raises(RecordRejectedError):
        records.add(order)


def test_infusion_program_completion_and_overrides_round_trip(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    infusion = records.get(Infusion, seed.infusion_id)
    assert infusion is not None and not infusion.titrated and infusion.shortfall_reason == ""
    infusion.rate_ml_h, infusion.vtbi_ml, infusion.library_version = 40.0, 500.0, "2026.11"
    infusion.patient_weight_kg, infusion.titrated = 70.0, True
    infusion.started_by_id = infusion.completed_by_id = seed.user_id
    infusion.observation_ends_at = T0 + timedelta(hours=5)
    infusion.shortfall_reason = "line occluded, 30 mL left"
    records.save(infusion)
    override = SoftLimitOverride(infusion_id=seed.infusion_id, at=T0, by_id=seed.user_id,
                                 drug="sodium-chloride-0.9", zone="above the soft maximum",
                                 value=600.0, limit=500.0, unit="mL/h",
                                 reason="physician asked for a fast bolus")
    step = TitrationStep(infusion_id=seed.infusion_id, kind=TitrationChangeKind.STEP_CONFIRMED,
                         at=T0 + timedelta(minutes=30), step=2, rate_ml_h=80.0,
                         vitals_taken_at=T0 + timedelta(minutes=28), by_id=seed.user_id)
    halved = TitrationStep(infusion_id=seed.infusion_id, kind=TitrationChangeKind.RATE_HALVED,
                           at=T0 + timedelta(minutes=40), rate_ml_h=40.0)
    records.add(override, step, halved)

    got = records.get(Infusion, seed.infusion_id)
    assert got is not None
    assert (got.rate_ml_h, got.vtbi_ml, got.library_version, got.patient_weight_kg,
            got.titrated) == (40.0, 500.0, "2026.11", 70.0, True)
    assert (got.observation_ends_at, got.shortfall_reason, got.completed_by_id) == (
        T0 + timedelta(hours=5), "line occluded, 30 mL left", seed.user_id)
    got_override = records.get(SoftLimitOverride, override.id)
    assert got_override is not None
    assert (got_override.zone, got_override.value, got_override.limit, got_override.unit,
            got_override.reason) == ("above the soft maximum", 600.0, 500.0, "mL/h",
                                     "physician asked for a fast bolus")
    steps = records.select_all(sa.select(TitrationStep).order_by(TitrationStep.id))
    assert [(s.kind, s.step, s.rate_ml_h, s.vitals_taken_at) for s in steps] == [
        (TitrationChangeKind.STEP_CONFIRMED, 2, 80.0, T0 + timedelta(minutes=28)),
        (TitrationChangeKind.RATE_HALVED, None, 40.0, None),
    ]


def test_pause_note_and_resumption_round_trip(sessions: sessionmaker[Session], seed: Seed) -> None:
    records = Records(sessions)
    pause = Pause(infusion_id=seed.infusion_id, started_at=T0, reason="other",
                  note="family visit", rate_before_ml_h=80.0)
    records.add(pause)
    pause.ended_at, pause.resume_mode = T0 + timedelta(minutes=10), "half rate"
    pause.resumed_rate_ml_h, pause.resumed_after_reaction = 40.0, True
    records.save(pause)

    got = records.get(Pause, pause.id)

    assert got is not None
    assert (got.note, got.rate_before_ml_h, got.resume_mode, got.resumed_rate_ml_h,
            got.resumed_after_reaction) == ("family visit", 80.0, "half rate", 40.0, True)


def test_side_effect_detail_reassessment_and_site_dressing_round_trip(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    common = {"appointment_id": seed.appointment_id, "infusion_id": seed.infusion_id,
              "observed_at": T0, "recorded_by_id": seed.user_id}
    effect = SideEffect(**common, kind=SideEffectKind.SHORTNESS_OF_BREATH, ctcae_grade=3,
                        rate_ml_h=80.0, suggested_action="stop", deviation_reason="",
                        other_text="wheeze", reassessed_at=T0 + timedelta(minutes=30),
                        reassessed_grade=1)
    intact = SiteAssessment(**common, site="left forearm", infiltration_grade=0,
                            dressing_intact=True)
    unknown = SiteAssessment(**common, site="left forearm", infiltration_grade=0)
    records.add(effect, intact, unknown)

    got = records.get(SideEffect, effect.id)
    assert got is not None
    assert (got.kind, got.rate_ml_h, got.suggested_action, got.other_text, got.reassessed_at,
            got.reassessed_grade) == (SideEffectKind.SHORTNESS_OF_BREATH, 80.0, "stop", "wheeze",
                                      T0 + timedelta(minutes=30), 1)
    got_intact, got_unknown = records.get(SiteAssessment, intact.id), records.get(
        SiteAssessment, unknown.id)
    assert got_intact is not None and got_intact.dressing_intact
    assert got_unknown is not None and not got_unknown.dressing_intact


def test_reassessed_grade_out_of_range_is_refused(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    with pytest.raises(RecordRejectedError):
        Records(sessions).add(SideEffect(appointment_id=seed.appointment_id, observed_at=T0,
                                         kind=SideEffectKind.RASH, ctcae_grade=2,
                                         reassessed_grade=0))


def test_checklist_items_and_premedications_round_trip(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    records.add(
        ChecklistItem(appointment_id=seed.appointment_id,
                      kind=ChecklistItemKind.IDENTIFIERS_CONFIRMED,
                      identifiers="date of birth,full name", signed_at=T0,
                      signed_by_id=seed.user_id),
        ChecklistItem(appointment_id=seed.appointment_id,
                      kind=ChecklistItemKind.ALLERGIES_REVIEWED, signed_at=T0),
        PremedicationGiven(appointment_id=seed.appointment_id, name="cetirizine", dose="10 mg",
                           given_at=T0 - timedelta(minutes=40), recorded_at=T0,
                           given_by_id=seed.user_id),
    )

    items = records.select_all(sa.select(ChecklistItem).order_by(ChecklistItem.id))
    given = records.select_all(sa.select(PremedicationGiven))

    assert [(i.kind, i.identifiers) for i in items] == [
        (ChecklistItemKind.IDENTIFIERS_CONFIRMED, "date of birth,full name"),
        (ChecklistItemKind.ALLERGIES_REVIEWED, ""),
    ]
    assert [(g.name, g.dose, g.given_at) for g in given] == [
        ("cetirizine", "10 mg", T0 - timedelta(minutes=40))]


def _second_infusion(seed: Seed, status: InfusionStatus) -> Infusion:
    return Infusion(order_id=seed.order_id, appointment_id=seed.appointment_id,
                    pump_id=seed.pump_id, status=status)


@pytest.mark.parametrize("first", [InfusionStatus.RUNNING, InfusionStatus.PAUSED])
@pytest.mark.parametrize("second", [InfusionStatus.RUNNING, InfusionStatus.PAUSED])
def test_a_second_running_or_paused_infusion_on_one_pump_is_refused(
    sessions: sessionmaker[Session], seed: Seed, first: InfusionStatus, second: InfusionStatus
) -> None:
    records = Records(sessions)
    infusion = records.get(Infusion, seed.infusion_id)
    assert infusion is not None
    infusion.status = first
    records.save(infusion)

    with pytest.raises(RecordRejectedError):
        records.add(_second_infusion(seed, second))
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Infusion)) == 1


def test_the_pump_index_allows_planned_and_finished_infusions_beside_a_running_one(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    records = Records(sessions)
    infusion = records.get(Infusion, seed.infusion_id)
    assert infusion is not None
    infusion.status = InfusionStatus.RUNNING
    records.save(infusion)

    records.add(*(_second_infusion(seed, status) for status in (
        InfusionStatus.PLANNED, InfusionStatus.PLANNED, InfusionStatus.COMPLETED,
        InfusionStatus.ABORTED)))

    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Infusion)) == 5
