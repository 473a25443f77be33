"""Vital signs, site checks and pauses through the services: plausibility, confirmation,
next-due timers, and refusals that store nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.domain.checklist import PatientIdentifier
from station.domain.pauses import PauseReason, PauseRefusal, ResumeRate
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.domain.site_assessment import InfiltrationGrade, SiteAction, SiteRefusal
from station.domain.units import Rate
from station.domain.vital_signs import VitalSign, VitalsRefusal
from station.persistence.observations import SiteAssessment, VitalSigns
from station.services.codes import ServiceRefusal
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import (
    NINE,
    NORMAL_VITALS,
    World,
    accepted,
    add_patient_booking,
    codes,
    seat,
    snapshot,
    start_running,
)


@pytest.mark.parametrize(("values", "confirmed", "expected"), [
    ({VitalSign.SYSTOLIC_BP: 400, VitalSign.DIASTOLIC_BP: 80}, (), (VitalsRefusal.IMPLAUSIBLE,)),
    ({VitalSign.SYSTOLIC_BP: 120}, (), (VitalsRefusal.BP_INCOMPLETE,)),
    ({VitalSign.SYSTOLIC_BP: 70, VitalSign.DIASTOLIC_BP: 80}, (), (VitalsRefusal.BP_ORDER,)),
    ({VitalSign.HEART_RATE: 130}, (), (VitalsRefusal.CONFIRM_UNUSUAL,)),
    ({}, (), (VitalsRefusal.EMPTY,)),
    ({VitalSign.HEART_RATE: 130}, (VitalSign.HEART_RATE,), ()),
])
def test_vital_signs_are_checked_before_they_are_stored(
    world: World, values: dict[VitalSign, float], confirmed: tuple[VitalSign, ...],
    expected: tuple[str, ...],
) -> None:
    before = snapshot(world.sessions)
    result = world.svc.observations.record_vitals(world.appointment_id, values,
                                                  taken_at=world.clock.now,
                                                  confirmed_unusual=frozenset(confirmed))
    if expected:
        assert codes(result) == expected
        assert snapshot(world.sessions) == before
    else:
        accepted(result)


@BOTH_BACKENDS
def test_stored_vitals_round_trip_and_say_when_the_next_set_is_due(world: World) -> None:
    view = accepted(world.svc.observations.record_vitals(
        world.appointment_id, {**NORMAL_VITALS, VitalSign.TEMPERATURE: 37.26},
        taken_at=world.clock.now - timedelta(minutes=5)))
    assert view.next_due.remaining == timedelta(minutes=25)  # ocrelizumab: every 30 min
    with world.sessions() as session:
        row = session.query(VitalSigns).one()
        assert (row.systolic_mmhg, row.diastolic_mmhg, row.temperature_c, row.spo2_percent) == (
            120, 80, 37.3, 98)
        assert row.recorded_by_id == world.nurse.user_id


@pytest.mark.parametrize(("grade", "extent", "confirm", "expected"), [
    (InfiltrationGrade.GRADE_2, 70, False, (SiteRefusal.EXTENT_IMPLAUSIBLE,)),
    (InfiltrationGrade.GRADE_1, 10, False, (SiteRefusal.CONFIRM_EXTENT,)),
])
def test_implausible_or_unconfirmed_site_checks_store_nothing(
    world: World, grade: InfiltrationGrade, extent: float, confirm: bool,
    expected: tuple[str, ...],
) -> None:
    before = snapshot(world.sessions)
    assert codes(world.svc.observations.record_site(
        world.appointment_id, grade, extent, dressing_intact=True, assessed_at=world.clock.now,
        confirm_mismatch=confirm)) == expected
    assert snapshot(world.sessions) == before


def test_an_infiltration_asks_to_stop_and_the_dressing_is_kept(world: World) -> None:
    start_running(world)
    world.clock.advance(30)
    view = accepted(world.svc.observations.record_site(
        world.appointment_id, InfiltrationGrade.GRADE_1, 10, dressing_intact=False,
        assessed_at=world.clock.now, confirm_mismatch=True, note="cool and pale"))
    assert view.actions == (SiteAction.STOP_AND_RESITE, SiteAction.REDRESS)
    assert view.next_check.remaining == timedelta(hours=2)  # ocrelizumab later doses
    checklist = world.svc.checklist.checklist(world.appointment_id)
    assert checklist.site_assessment is not None
    assert checklist.site_assessment.dressing_intact is False
    with world.sessions() as session:
        row = session.query(SiteAssessment).order_by(SiteAssessment.id.desc()).first()
        assert row is not None
        assert (row.site, row.infiltration_grade, row.extent_cm) == ("left forearm", 1, 10)


def test_a_pause_for_other_needs_a_note_and_stores_nothing(world: World) -> None:
    infusion_id = start_running(world)
    world.clock.advance(5)
    before = snapshot(world.sessions)
    assert codes(world.svc.pauses.pause(infusion_id, PauseReason.OTHER,
                                        at=world.clock.now)) == (PauseRefusal.OTHER_NEEDS_NOTE,)
    assert codes(world.svc.pauses.resume(infusion_id, ResumeRate.SAME,
                                         at=world.clock.now)) == (ServiceRefusal.NOT_PAUSED,)
    assert codes(world.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                        at=world.clock.now - timedelta(minutes=10))) == (
        ServiceRefusal.BEFORE_SEGMENT,)
    assert snapshot(world.sessions) == before
    view = accepted(world.svc.pauses.pause(infusion_id, PauseReason.OTHER, at=world.clock.now,
                                           note="line flushed"))
    assert view.pause.note == "line flushed"
    assert codes(world.svc.pauses.pause(infusion_id, PauseReason.LINE_PROBLEM,
                                        at=world.clock.now)) == (ServiceRefusal.NOT_RUNNING,)
    assert codes(world.svc.titration.confirm_step(infusion_id)) == (ServiceRefusal.NOT_RUNNING,)
    world.clock.advance(21)
    current = world.svc.pauses.current(infusion_id)
    assert current is not None and current.status.until_high.overdue


def test_help_to_walk_follows_dizziness_when_nothing_sedating_was_given(world: World) -> None:
    svc, now = world.svc, world.clock.now
    saline, _ = add_patient_booking(world, "MRN-S", "C3", NINE, drug_id="sodium-chloride-0.9",
                                    volume_ml=1000)
    seat(world, "MRN-S", saline)
    svc.checklist.confirm_identifiers(saline, [PatientIdentifier.FULL_NAME,
                                               PatientIdentifier.WRISTBAND_BARCODE])
    svc.checklist.review_medication_list(saline)
    svc.checklist.review_allergies(saline)
    accepted(svc.observations.record_vitals(saline, NORMAL_VITALS, taken_at=now))
    accepted(svc.observations.record_site(saline, InfiltrationGrade.NONE, 0,
                                          dressing_intact=True, assessed_at=now))
    prepared = accepted(svc.infusions.prepare_start(saline, pump_id=world.pumps[1],
                                                    ordered_rate=Rate(250)))
    accepted(svc.infusions.confirm_started(prepared.infusion_id, now))
    first = accepted(svc.pauses.pause(prepared.infusion_id, PauseReason.PATIENT_REQUEST,
                                      at=world.clock.advance(10)))
    assert not first.walking_help.needed
    accepted(svc.pauses.resume(prepared.infusion_id, ResumeRate.SAME,
                               at=world.clock.advance(3)))
    accepted(svc.observations.record_side_effect(
        saline, Symptom.DIZZINESS, ReactionGrade.MILD, action_taken=ActionTaken.CONTINUED,
        observed_at=world.clock.advance(5)))
    second = accepted(svc.pauses.pause(prepared.infusion_id, PauseReason.BATHROOM_BREAK,
                                       at=world.clock.advance(1)))
    assert second.walking_help.reasons == ("dizziness was recorded during this visit",)


def test_vitals_and_site_timers_run_from_the_latest_record(world: World) -> None:
    svc = world.svc.observations
    assert svc.vitals_due(world.appointment_id) is None
    assert svc.site_check_due(world.appointment_id) is None
    start_running(world)  # vitals and site checked now (08:30)
    world.clock.advance(40)
    vitals = svc.vitals_due(world.appointment_id)
    assert vitals is not None and vitals.overdue  # ocrelizumab: every 30 min
    assert vitals.remaining == timedelta(minutes=-10)
    site = svc.site_check_due(world.appointment_id)
    assert site is not None and site.remaining == timedelta(minutes=80)  # every 2 h
    accepted(svc.record_vitals(world.appointment_id, NORMAL_VITALS, taken_at=world.clock.now))
    again = svc.vitals_due(world.appointment_id)
    assert again is not None and again.remaining == timedelta(minutes=30)
