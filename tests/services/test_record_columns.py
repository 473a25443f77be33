"""The services keep the clinical record in its columns and tables, not in audit detail:
what they write lands there, and what they read comes from there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import sqlalchemy as sa

from station.domain.checkin import CheckInRefusal
from station.domain.checklist import PatientIdentifier
from station.domain.completion import DischargeRefusal
from station.domain.pauses import PauseReason, ResumeRate
from station.domain.side_effects import ActionTaken, ReactionGrade, SuggestedAction, Symptom
from station.domain.units import Rate
from station.persistence.audit_log import AuditLog
from station.persistence.base import Base
from station.persistence.checklist import ChecklistItem, ChecklistItemKind, PremedicationGiven
from station.persistence.delivery import (
    Infusion,
    Pause,
    SoftLimitOverride,
    TitrationChangeKind,
    TitrationStep,
)
from station.persistence.observations import SideEffect, SideEffectKind, SiteAssessment
from station.persistence.orders import Order
from station.persistence.people import ActorKind
from station.persistence.records import Records
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import (
    NORMAL_VITALS,
    World,
    accepted,
    add_patient_booking,
    codes,
    seated_and_ready,
    start_running,
)

RowT = TypeVar("RowT", bound=Base)


def _get(world: World, cls: type[RowT], record_id: int) -> RowT:
    found = Records(world.sessions).get(cls, record_id)
    assert found is not None
    return found


def _rows(world: World, cls: type[RowT]) -> list[RowT]:
    """Every row of ``cls``, in the order written."""
    with world.sessions() as session:
        return list(session.scalars(sa.select(cls).order_by(sa.text("id"))))


def test_verification_is_stored_on_the_order_and_read_from_it(world: World) -> None:
    order = _get(world, Order, world.order_id)
    assert order.verified_at == world.clock.now and order.verified_by_id == world.nurse.user_id

    # An audit entry alone no longer verifies an order: the column does.
    _, unverified = add_patient_booking(world, "MRN-2", "C2", world.clock.now + timedelta(hours=1))
    order = _get(world, Order, unverified)
    order.verified_at = None
    Records(world.sessions).save(order)
    AuditLog(world.sessions, clock=world.clock).record(
        "order.verified", actor_kind=ActorKind.USER, actor_user_id=world.nurse.user_id,
        entity_type="orders", entity_id=str(unverified), detail={"by": "someone"})
    assert CheckInRefusal.ORDER_NOT_VERIFIED in codes(world.svc.checkin.check_in("MRN-2"))


def test_rate_and_weight_come_from_the_order_unless_given(world: World) -> None:
    saline = seated_and_ready(world, "MRN-S", "C3", drug_id="sodium-chloride-0.9",
                              volume_ml=1000)
    with world.sessions() as session, session.begin():
        order = session.scalars(sa.select(Order).where(Order.appointment_id == saline)).one()
        order.rate, order.rate_unit, order.patient_weight_kg = 120.0, "mL/h", 81.5

    from_order = accepted(world.svc.infusions.prepare_start(saline, pump_id=world.pumps[1]))
    infusion = _get(world, Infusion, from_order.infusion_id)
    assert from_order.program.rate_ml_h == 120
    assert (infusion.rate_ml_h, infusion.vtbi_ml, infusion.patient_weight_kg,
            infusion.titrated) == (120, 1000, 81.5, False)
    assert infusion.library_version == world.library.version

    overridden = accepted(world.svc.infusions.prepare_start(
        saline, pump_id=world.pumps[1], ordered_rate=Rate(250), weight_kg=80))
    infusion = _get(world, Infusion, overridden.infusion_id)
    assert overridden.infusion_id == from_order.infusion_id  # the planned one, re-prepared
    assert (infusion.rate_ml_h, infusion.patient_weight_kg) == (250, 80)


def test_a_per_kg_order_with_a_weight_needs_none_at_the_start(world: World) -> None:
    ivig = seated_and_ready(world, "MRN-I", "C2", drug_id="ivig-octagam-10", volume_ml=350)
    with world.sessions() as session, session.begin():
        order = session.scalars(sa.select(Order).where(Order.appointment_id == ivig)).one()
        order.patient_weight_kg = 70.0

    prepared = accepted(world.svc.infusions.prepare_start(ivig, pump_id=world.pumps[0]))
    infusion = Records(world.sessions).get(Infusion, prepared.infusion_id)
    assert infusion is not None and infusion.titrated and infusion.patient_weight_kg == 70


@BOTH_BACKENDS
def test_a_soft_limit_override_has_its_own_row(world: World) -> None:
    saline = seated_and_ready(world, "MRN-S", "C3", drug_id="sodium-chloride-0.9",
                              volume_ml=1000)
    prepared = accepted(world.svc.infusions.prepare_start(
        saline, pump_id=world.pumps[1], ordered_rate=Rate(600),
        override_reason="fluid challenge ordered by Dr Who"))

    [row] = _rows(world, SoftLimitOverride)
    assert (row.infusion_id, row.drug, row.zone, row.value, row.limit, row.unit, row.reason,
            row.by_id, row.at) == (
        prepared.infusion_id, "sodium-chloride-0.9", "above the soft maximum", 600,
        world.library.drug("sodium-chloride-0.9").limits.soft_max, "mL/h",
        "fluid challenge ordered by Dr Who", world.nurse.user_id, world.clock.now)


@BOTH_BACKENDS
def test_checklist_pauses_steps_side_effects_and_completion_are_rows(world: World) -> None:
    svc = world.svc
    t0 = world.clock.now
    infusion_id = start_running(world)
    items = _rows(world, ChecklistItem)
    assert [(i.kind, i.identifiers) for i in items] == [
        (ChecklistItemKind.IDENTIFIERS_CONFIRMED,
         ",".join(sorted([PatientIdentifier.DATE_OF_BIRTH, PatientIdentifier.FULL_NAME]))),
        (ChecklistItemKind.MEDICATION_LIST_REVIEWED, ""),
        (ChecklistItemKind.ALLERGIES_REVIEWED, ""),
    ]
    given = _rows(world, PremedicationGiven)
    assert [(g.name, g.given_at) for g in given] == [
        ("methylprednisolone", t0 - timedelta(minutes=45)),
        ("diphenhydramine", t0 - timedelta(minutes=45))]
    [site] = _rows(world, SiteAssessment)
    assert site.dressing_intact
    infusion = Records(world.sessions).get(Infusion, infusion_id)
    assert infusion is not None and infusion.started_by_id == world.nurse.user_id

    world.clock.advance(30)
    accepted(svc.titration.confirm_step(infusion_id))
    world.clock.advance(10)
    accepted(svc.pauses.pause(infusion_id, PauseReason.OTHER, at=world.clock.now,
                              note="phone call"))
    world.clock.advance(5)
    accepted(svc.pauses.resume(infusion_id, ResumeRate.SAME, at=world.clock.now))
    [pause] = _rows(world, Pause)
    assert (pause.note, pause.rate_before_ml_h, pause.resume_mode, pause.resumed_rate_ml_h,
            pause.resumed_after_reaction) == ("phone call", 80, "same rate", 80, False)

    world.clock.advance(5)
    accepted(svc.observations.record_side_effect(
        world.appointment_id, Symptom.FLUSHING, ReactionGrade.MODERATE,
        action_taken=ActionTaken.RATE_HALVED, observed_at=world.clock.now))
    [effect] = _rows(world, SideEffect)
    assert (effect.kind, effect.rate_ml_h, effect.suggested_action) == (
        SideEffectKind.FLUSHING, 80, SuggestedAction.INTERRUPT_OR_HALVE.value)
    steps = _rows(world, TitrationStep)
    assert [(s.kind, s.step, s.rate_ml_h) for s in steps] == [
        (TitrationChangeKind.STEP_CONFIRMED, 2, 80), (TitrationChangeKind.RATE_HALVED, None, 40)]

    svc.observations.reassess_reaction(world.appointment_id, None)
    [effect] = _rows(world, SideEffect)
    assert (effect.reassessed_at, effect.reassessed_grade) == (world.clock.now, None)

    world.clock.advance(10)
    done = accepted(svc.completion.complete(infusion_id, at=world.clock.now,
                                            shortfall_reason="patient had to leave"))
    infusion = Records(world.sessions).get(Infusion, infusion_id)
    assert infusion is not None
    assert (infusion.observation_ends_at, infusion.shortfall_reason,
            infusion.completed_by_id) == (done.observation_ends_at, "patient had to leave",
                                          world.nurse.user_id)
    assert svc.completion.observation(world.appointment_id).due_at == done.observation_ends_at


def test_a_reaction_resolved_in_its_column_lets_the_patient_leave(world: World) -> None:
    svc = world.svc
    infusion_id = start_running(world)
    world.clock.advance(10)
    accepted(svc.observations.record_side_effect(
        world.appointment_id, Symptom.CHEST_TIGHTNESS, ReactionGrade.MODERATE,
        action_taken=ActionTaken.STOPPED, observed_at=world.clock.now))
    accepted(svc.completion.complete(infusion_id, at=world.clock.now,
                                     shortfall_reason="stopped for a reaction"))
    world.clock.advance(120)
    accepted(svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                            taken_at=world.clock.now))
    assert codes(svc.completion.discharge(world.appointment_id)) == (
        DischargeRefusal.REACTION_UNRESOLVED,)

    svc.observations.reassess_reaction(world.appointment_id, ReactionGrade.MILD)
    [effect] = _rows(world, SideEffect)
    assert (effect.kind, effect.reassessed_grade) == (SideEffectKind.CHEST_TIGHTNESS, 1)
    accepted(svc.completion.discharge(world.appointment_id))
