"""A whole visit through the services: titration steps, a bathroom break, a grade 2
reaction, completion, observation and discharge; the segments and events it leaves.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.domain.completion import DischargeRefusal
from station.domain.pauses import PauseAlarmLevel, PauseReason, PauseRefusal, ResumeRate
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.domain.titration import RateMatch
from station.domain.titration_state import TitrationRefusal
from station.persistence.delivery import Infusion, InfusionStatus, Pause
from station.persistence.event_store import EventStore
from station.persistence.events import InfusionEventKind, NotDeliveringReason
from station.persistence.scheduling import Appointment, AppointmentStatus
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import NORMAL_VITALS, World, accepted, codes, snapshot, start_running

START, STOP, COMPLETE = (InfusionEventKind.DELIVERY_START, InfusionEventKind.DELIVERY_STOP,
                         InfusionEventKind.DELIVERY_COMPLETE)


def at(world: World, minutes: float) -> None:
    """Set the clock to ``minutes`` after the infusion started (08:30 UTC)."""
    world.clock.now = world.extra["t0"] + timedelta(minutes=minutes)


def _refused_changes_nothing(world: World, call: object) -> tuple[str, ...]:
    before = snapshot(world.sessions)
    assert callable(call)
    result = call()
    assert snapshot(world.sessions) == before
    return codes(result)


@BOTH_BACKENDS
def test_visit_with_steps_a_bathroom_break_and_a_grade_2_reaction(world: World) -> None:
    svc = world.svc
    world.extra["t0"] = world.clock.now
    infusion_id = start_running(world)
    view = svc.titration.view(infusion_id)
    assert view is not None and view.rate_ml_h == 40
    assert view.next_due == world.extra["t0"] + timedelta(minutes=30)
    assert view.plan.meets_minimum_duration

    at(world, 20)
    assert _refused_changes_nothing(world, lambda: svc.titration.confirm_step(infusion_id)) == (
        TitrationRefusal.NOT_DUE,)
    at(world, 30)
    assert accepted(svc.titration.confirm_step(infusion_id)).rate_ml_h == 80

    # Bathroom break: a Delivery Stop, the pause timer, help to walk after diphenhydramine.
    at(world, 45)
    paused = accepted(svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                       at=world.clock.now))
    assert paused.walking_help.needed
    assert "diphenhydramine" in paused.walking_help.reasons[0]
    at(world, 56)
    current = svc.pauses.current(infusion_id)
    assert current is not None and current.status.level is PauseAlarmLevel.MEDIUM
    assert current.status.until_high.remaining == timedelta(minutes=9)
    assert svc.titration.check_rate(infusion_id, 0).match is RateMatch.MATCHES
    at(world, 57)
    accepted(svc.pauses.resume(infusion_id, ResumeRate.SAME, at=world.clock.now))
    view = svc.titration.view(infusion_id)
    assert view is not None  # the 12 min pause does not count towards the step
    assert view.next_due == world.extra["t0"] + timedelta(minutes=72)
    at(world, 72)
    assert accepted(svc.titration.confirm_step(infusion_id)).rate_ml_h == 120

    # Grade 2 flushing: infusion interrupted (Delivery Stop), resumed at half only.
    at(world, 80)
    accepted(svc.observations.record_side_effect(
        world.appointment_id, Symptom.FLUSHING, ReactionGrade.MODERATE,
        action_taken=ActionTaken.INTERRUPTED, observed_at=world.clock.now))
    at(world, 90)
    assert _refused_changes_nothing(world, lambda: svc.pauses.resume(
        infusion_id, ResumeRate.SAME, at=world.clock.now)) == (
        PauseRefusal.RESUME_RATE_NOT_ALLOWED,)
    accepted(svc.pauses.resume(infusion_id, ResumeRate.HALF, at=world.clock.now))
    assert svc.titration.check_rate(infusion_id, 60).ok
    assert svc.titration.check_rate(infusion_id, 120).match is RateMatch.TOO_HIGH
    at(world, 100)  # Ocrevus: half rate for at least 30 min before going up again
    assert _refused_changes_nothing(world, lambda: svc.titration.confirm_step(infusion_id)) == (
        TitrationRefusal.REACTION_HOLD,)
    at(world, 120)
    assert accepted(svc.titration.confirm_step(infusion_id)).rate_ml_h == 120  # step 3 again

    # The patient asks to stop: short of the order, so a reason is needed.
    at(world, 130)
    assert _refused_changes_nothing(world, lambda: svc.completion.complete(
        infusion_id, at=world.clock.now)) == ("completion.shortfall_needs_reason",)
    done = accepted(svc.completion.complete(infusion_id, at=world.clock.now,
                                            shortfall_reason="patient asked to stop"))
    expected = [20, 20, 20, 16, 30, 20]  # 40x30', 80x15', 80x15', 120x8', 60x30', 120x10'
    assert list(done.volumes.per_segment) == pytest.approx(expected)
    assert done.volumes.total_ml == pytest.approx(126)

    with world.sessions() as session:
        infusion = session.get_one(Infusion, infusion_id)
        assert infusion.status is InfusionStatus.COMPLETED
        assert [s.rate_ml_h for s in infusion.segments] == [40, 80, 80, 120, 60, 120]
        assert [s.volume_ml for s in infusion.segments] == pytest.approx(expected)
        assert [s.total_volume_ml for s in infusion.segments][-1] == pytest.approx(126)
        pauses = session.query(Pause).order_by(Pause.id).all()
        assert [(p.reason, p.needs_walking_help) for p in pauses] == [
            ("bathroom break", True), ("reaction", True)]

    events = EventStore(world.sessions).for_infusion(infusion_id)
    assert [(e.kind, e.rate_ml_h) for e in events] == [
        (START, 40), (START, 80), (STOP, 80), (START, 80), (START, 120), (STOP, 120),
        (START, 60), (START, 120), (COMPLETE, 120)]
    stops = [e for e in events if e.kind is STOP]
    assert {e.not_delivering_reason for e in stops} == {NotDeliveringReason.STOPPED_BY_CLINICIAN}
    assert [e.reason_detail for e in stops] == ["bathroom break", "reaction: grade 2 flushing"]
    assert [e.segment_volume_ml for e in stops] == pytest.approx([20, 16])
    assert [e.total_volume_ml for e in stops] == pytest.approx([40, 76])
    assert events[-1].segment_volume_ml == pytest.approx(20)
    assert events[-1].total_volume_ml == pytest.approx(126)
    assert all(e.actor_user_id == world.nurse.user_id for e in events)

    # Observation (60 min for ocrelizumab), vitals after the end, then discharge.
    at(world, 140)
    assert _refused_changes_nothing(world, lambda: svc.completion.discharge(
        world.appointment_id)) == (DischargeRefusal.OBSERVATION_RUNNING,
                                   DischargeRefusal.POST_VITALS_MISSING)
    assert svc.completion.observation(world.appointment_id).remaining == timedelta(minutes=50)
    at(world, 190)
    accepted(svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                            taken_at=world.clock.now))
    accepted(svc.completion.discharge(world.appointment_id))
    with world.sessions() as session:
        assert session.get_one(Appointment, world.appointment_id).status \
            is AppointmentStatus.COMPLETED


def test_grade_2_with_the_rate_halved_splits_the_segment_without_a_stop(world: World) -> None:
    svc = world.svc
    world.extra["t0"] = world.clock.now
    infusion_id = start_running(world)
    at(world, 10)
    accepted(svc.observations.record_side_effect(
        world.appointment_id, Symptom.HEADACHE, ReactionGrade.MODERATE,
        action_taken=ActionTaken.RATE_HALVED, observed_at=world.clock.now))
    events = EventStore(world.sessions).for_infusion(infusion_id)
    assert [(e.kind, e.rate_ml_h) for e in events] == [(START, 40), (START, 20)]
    assert "rate halved after grade 2 headache" in events[-1].reason_detail
    totals = svc.completion.totals(infusion_id)
    at(world, 20)
    assert svc.completion.totals(infusion_id).volumes.per_segment == pytest.approx(
        (40 / 6, 20 / 6))
    assert totals.running
    view = svc.titration.view(infusion_id)
    assert view is not None and view.rate_ml_h == 20
    assert view.next_due == world.extra["t0"] + timedelta(minutes=40)  # 30 min hold


def test_a_grade_3_reaction_cannot_be_handled_by_carrying_on(world: World) -> None:
    world.extra["t0"] = world.clock.now
    start_running(world)
    at(world, 10)
    assert _refused_changes_nothing(world, lambda: world.svc.observations.record_side_effect(
        world.appointment_id, Symptom.CHEST_TIGHTNESS, ReactionGrade.SEVERE,
        action_taken=ActionTaken.CONTINUED, observed_at=world.clock.now)) == (
        "side_effect.action_too_weak",)


@pytest.mark.parametrize(("grade", "now_grade", "mode", "expected"), [
    (ReactionGrade.SEVERE, ReactionGrade.MODERATE, ResumeRate.HALF,
     ("side_effect.not_back_to_grade_1",)),
    (ReactionGrade.SEVERE, None, ResumeRate.SAME, (PauseRefusal.RESUME_RATE_NOT_ALLOWED,)),
    (ReactionGrade.LIFE_THREATENING, None, ResumeRate.HALF, ("side_effect.discontinued",)),
])
def test_resuming_after_a_severe_reaction_follows_the_grade(
    world: World, grade: ReactionGrade, now_grade: ReactionGrade | None, mode: ResumeRate,
    expected: tuple[str, ...],
) -> None:
    world.extra["t0"] = world.clock.now
    infusion_id = start_running(world)
    at(world, 10)
    action = ActionTaken.STOPPED if grade is ReactionGrade.SEVERE else ActionTaken.DISCONTINUED
    accepted(world.svc.observations.record_side_effect(
        world.appointment_id, Symptom.SHORTNESS_OF_BREATH, grade, action_taken=action,
        observed_at=world.clock.now))
    at(world, 30)
    assert _refused_changes_nothing(world, lambda: world.svc.pauses.resume(
        infusion_id, mode, at=world.clock.now, current_grade=now_grade)) == expected


def test_discharge_waits_for_an_unresolved_reaction(world: World) -> None:
    world.extra["t0"] = world.clock.now
    infusion_id = start_running(world)
    at(world, 10)
    accepted(world.svc.observations.record_side_effect(
        world.appointment_id, Symptom.RASH, ReactionGrade.SEVERE,
        action_taken=ActionTaken.STOPPED, observed_at=world.clock.now))
    accepted(world.svc.completion.complete(infusion_id, at=world.clock.now,
                                           shortfall_reason="grade 3 rash"))
    at(world, 80)
    accepted(world.svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                                  taken_at=world.clock.now))
    assert codes(world.svc.completion.discharge(world.appointment_id)) == (
        DischargeRefusal.REACTION_UNRESOLVED,)
    world.svc.observations.reassess_reaction(world.appointment_id, ReactionGrade.MILD)
    accepted(world.svc.completion.discharge(world.appointment_id))


def test_a_reaction_noted_during_a_bathroom_break_restricts_the_resume(world: World) -> None:
    svc = world.svc
    world.extra["t0"] = world.clock.now
    infusion_id = start_running(world)
    at(world, 20)
    accepted(svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK, at=world.clock.now))
    at(world, 25)
    accepted(svc.observations.record_side_effect(
        world.appointment_id, Symptom.NAUSEA, ReactionGrade.MODERATE,
        action_taken=ActionTaken.INTERRUPTED, observed_at=world.clock.now))
    at(world, 35)
    assert codes(svc.pauses.resume(infusion_id, ResumeRate.SAME, at=world.clock.now)) == (
        PauseRefusal.RESUME_RATE_NOT_ALLOWED,)
    assert accepted(svc.pauses.resume(infusion_id, ResumeRate.HALF,
                                      at=world.clock.now)).rate_ml_h == 20
    view = svc.titration.view(infusion_id)
    assert view is not None and view.next_due == world.clock.now + timedelta(minutes=30)
    events = EventStore(world.sessions).for_infusion(infusion_id)
    assert [(e.kind, e.rate_ml_h) for e in events] == [(START, 40), (STOP, 40), (START, 20)]
