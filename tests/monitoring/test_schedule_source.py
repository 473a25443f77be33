"""A chair's clinical schedule as read from the stored record through the services
(real SQLite file, the services' settable clock; no pump needed to read it)."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import ManualClock
from station.domain.pauses import PauseReason
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.monitoring import (
    NO_SCHEDULE,
    ChairMonitor,
    MonitorRecorder,
    MonitorSettings,
    PumpEndpoint,
    StoredSchedule,
)
from station.persistence.delivery import TitrationChangeKind, TitrationStep
from station.services import load_library
from tests.services.world import World, accepted, seed_world, start_running
from ui.chairside.roster import load_chair_patient


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    return seed_world(sessions, load_library())


def test_a_chair_without_a_visit_today_has_no_schedule(world: World) -> None:
    source = StoredSchedule(world.svc)
    assert source("C2") == NO_SCHEDULE  # nobody booked there
    booked = source("C1")  # booked, not yet infusing: nothing is timed yet
    assert (booked.appointment_id, booked.vitals_due_at, booked.titration_due_at) == (
        world.appointment_id, None, None)


def test_a_running_titration_and_its_checks(world: World) -> None:
    infusion_id = start_running(world)
    schedule = StoredSchedule(world.svc)("C1")
    start = world.clock.now
    assert schedule.infusion_id == infusion_id
    assert (schedule.titration_due_at, schedule.titration_overdue_at) == (
        start + timedelta(minutes=30), start + timedelta(minutes=35))
    assert schedule.vitals_due_at == start + timedelta(minutes=30)  # taken at the start
    assert schedule.site_check_due_at == start + timedelta(minutes=120)
    assert schedule.paused_at is None and schedule.observation_ends_at is None


def test_a_pause_has_its_thresholds_and_stops_the_step_clock(world: World) -> None:
    infusion_id = start_running(world)
    world.clock.advance(12)
    accepted(world.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                    at=world.clock.now))
    schedule = StoredSchedule(world.svc)("C1")
    assert (schedule.pause_medium_at, schedule.pause_high_at) == (
        world.clock.now + timedelta(minutes=10), world.clock.now + timedelta(minutes=20))
    assert schedule.titration_due_at is None


def test_after_a_halving_for_a_reaction_stepping_up_is_not_overdue(world: World) -> None:
    infusion_id = start_running(world)
    world.clock.advance(30)
    accepted(world.svc.titration.confirm_step(infusion_id))
    world.clock.advance(5)
    accepted(world.svc.observations.record_side_effect(
        world.appointment_id, Symptom.FLUSHING, ReactionGrade.MODERATE,
        action_taken=ActionTaken.RATE_HALVED, observed_at=world.clock.now))
    schedule = StoredSchedule(world.svc)("C1")
    # Ocrelizumab holds the half rate 30 min; going back up is then allowed, not urged.
    assert schedule.titration_due_at == world.clock.now + timedelta(minutes=30)
    assert schedule.titration_overdue_at is None
    assert schedule.next_step == "step 2 (80 mL/h)"


def test_the_observation_after_completion(world: World) -> None:
    infusion_id = start_running(world)
    world.clock.advance(40)
    completion = accepted(world.svc.completion.complete(
        infusion_id, at=world.clock.now, shortfall_reason="test: ended early"))
    schedule = StoredSchedule(world.svc)("C1")
    assert (schedule.completed_at, schedule.observation_ends_at) == (
        world.clock.now, completion.observation_ends_at)
    assert schedule.titration_due_at is None and schedule.expected_end is None
    assert completion.observation_ends_at == world.clock.now + timedelta(minutes=60)


def test_a_record_the_rules_cannot_replay_does_not_stop_the_chairs_tick(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    infusion_id = start_running(world)
    # A step "confirmed" one minute after the start: the titration rules refuse to
    # replay it (someone edited the log), so reading the schedule fails.
    world.add(TitrationStep(infusion_id=infusion_id, kind=TitrationChangeKind.STEP_CONFIRMED,
                            at=world.clock.now + timedelta(minutes=1), step=2,
                            rate_ml_h=80.0, by_id=world.nurse.user_id))
    clock = ManualClock(world.clock.now)
    recorder = MonitorRecorder(world.sessions, utc_now=clock.utc_now,
                               monotonic=clock.monotonic)
    chair = ChairMonitor(PumpEndpoint("C1", "/dev/pts/9"), recorder, clock,
                         MonitorSettings(), StoredSchedule(world.svc))
    with caplog.at_level(logging.ERROR):
        chair.begin()
    assert "C1: cannot read the clinical schedule" in caplog.text
    clock.advance(MonitorSettings().link_watch_s)
    update = chair.tick()  # the other timers still run
    assert update is not None
    assert [a.condition for a in update.snapshot.alarms] == ["link_lost"]


def test_an_infusion_running_past_midnight_keeps_its_schedule(world: World) -> None:
    infusion_id = start_running(world)
    world.clock.now = world.clock.now.replace(hour=23, minute=50)
    world.clock.advance(30)  # 00:20 the next day
    schedule = StoredSchedule(world.svc)("C1")
    assert schedule.infusion_id == infusion_id
    assert schedule.vitals_due_at is not None and schedule.vitals_due_at < world.clock.now
    # The chair panel's patient is the same visit, not "no patient".
    patient = load_chair_patient(world.sessions, "C1", world.clock.now.date(), UTC)
    assert patient is not None and patient.infusion_id == infusion_id
