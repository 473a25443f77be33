"""The clinical schedule's alarms, raised by the monitoring service with no window open.

Against `pump-sim` on a pty and a real SQLite file. The services and the monitoring
share one wall clock that the test moves (`WallClock`: the pump link runs on real
monotonic time),
so a 20-minute break takes no 20 minutes. The services' writes reach the monitoring
thread through `RecordChanges`, the only way it learns of them here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import LinkState
from station.alarms import Priority, TransitionKind
from station.alarms.clock import WallClock
from station.domain.pauses import PauseReason, ResumeRate
from station.domain.site_assessment import InfiltrationGrade
from station.monitoring import ChairUpdate, PumpEndpoint, StoredSchedule
from station.persistence import Records
from station.persistence.alarms import AlarmTransition as StoredTransition
from station.persistence.delivery import Pump
from station.services import load_library
from tests.monitoring.conftest import SPEED, Watched
from tests.monitoring.world import SIM_SERIAL, stored_alarms, stored_kinds
from tests.services.world import NORMAL_VITALS, World, accepted, seed_world, start_running
from tests.support.simulator_process import SimulatorProcess


@pytest.fixture
def running(sessions: sessionmaker[Session], simulator: Callable[..., SimulatorProcess],
            watch: Callable[..., Watched]) -> tuple[World, int, Watched]:
    """Ocrelizumab running in C1 on the simulator's pump since 08:30, monitored."""
    world = seed_world(sessions, load_library())
    pump = Pump(port_url="unknown yet", model="NE1000", serial_number=SIM_SERIAL)
    world.add(pump)
    world.pumps.append(pump.id)
    infusion_id = start_running(world, pump_index=len(world.pumps) - 1)
    sim = simulator(speed=SPEED)
    watched = watch(sessions, [PumpEndpoint("C1", sim.ports[0].port)],
                    clock=WallClock(world.clock), schedule=StoredSchedule(world.svc))
    world.svc.context.changes.subscribe(watched.service.records_changed)
    watched.link(LinkState.UP)
    watched.next_update(lambda u: u.snapshot.schedule.infusion_id == infusion_id)
    return world, infusion_id, watched


def _scheduled(match: Callable[[ChairUpdate], bool]) -> Callable[[ChairUpdate], bool]:
    return lambda update: update.snapshot.chair_id == "C1" and match(update)


def stored_priorities(sessions: sessionmaker[Session], alarm_id: int) -> list[str]:
    rows = Records(sessions).select_all(
        sa.select(StoredTransition).where(StoredTransition.alarm_id == alarm_id)
        .order_by(StoredTransition.id))
    return [t.priority.value for t in rows]


def test_a_break_that_runs_over_is_medium_at_10_min_then_high_at_20_min(
        running: tuple[World, int, Watched]) -> None:
    world, infusion_id, watched = running
    accepted(world.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                    at=world.clock.now))
    _, update = watched.next_update(_scheduled(lambda u: u.snapshot.schedule.paused_at
                                               is not None))
    schedule = update.snapshot.schedule
    assert schedule.pause_medium_at is not None and schedule.pause_high_at is not None
    assert (schedule.pause_medium_at - world.clock.now).total_seconds() == 600
    assert (schedule.pause_high_at - world.clock.now).total_seconds() == 1200
    assert schedule.titration_due_at is None  # a pause stops the step's clock

    world.clock.advance(9.9)
    watched.samples(5)  # several ticks later: still only the countdown
    assert all(a.condition != "pause_overrun" for a in watched.service.snapshot("C1").alarms)
    world.clock.advance(0.1)
    _, medium, _ = watched.transition("pause_overrun")
    assert medium.priority is Priority.MEDIUM
    world.clock.advance(10)
    _, high, _ = watched.transition("pause_overrun", TransitionKind.ESCALATED)
    assert high.priority is Priority.HIGH
    assert watched.service.snapshot("C1").sound_now is Priority.HIGH

    accepted(world.svc.pauses.resume(infusion_id, ResumeRate.SAME, at=world.clock.now))
    watched.transition("pause_overrun", TransitionKind.CONDITION_ENDED)
    watched.service.stop()
    [alarm] = stored_alarms(world.sessions, "pause_overrun")
    assert stored_kinds(world.sessions, alarm.id) == ["raised", "escalated", "condition_ended"]
    assert alarm.priority.value == "medium"  # as raised; the escalation is its own row
    assert stored_priorities(world.sessions, alarm.id) == ["medium", "high", "high"]


def test_a_titration_step_is_due_then_overdue_and_ends_when_confirmed(
        running: tuple[World, int, Watched]) -> None:
    world, infusion_id, watched = running
    snapshot = watched.service.snapshot("C1").schedule
    assert snapshot.titration_due_at is not None and snapshot.titration_overdue_at is not None
    assert (snapshot.titration_due_at - world.clock.now).total_seconds() == 30 * 60
    assert snapshot.next_step == "step 2 (80 mL/h)"
    # The plan's end: 20 + 40 + 60 + 80 mL over four 30-min steps, 300 mL at 200 mL/h
    # (not 500 mL at the 40 mL/h running now).
    assert snapshot.expected_end is not None
    assert (snapshot.expected_end - world.clock.now).total_seconds() == 3.5 * 3600

    world.clock.advance(30)
    _, due, _ = watched.transition("titration_step_due")
    assert (due.priority, due.detail) == (Priority.LOW, "step 2 (80 mL/h) due 09:00:00 UTC")
    world.clock.advance(5)
    _, overdue, update = watched.transition("titration_step_overdue")
    assert overdue.priority is Priority.MEDIUM
    assert any(t.condition == "titration_step_due" and t.kind is TransitionKind.CONDITION_ENDED
               for t in update.transitions)

    accepted(world.svc.titration.confirm_step(infusion_id))
    _, _, cleared = watched.transition("titration_step_overdue",
                                       TransitionKind.CONDITION_ENDED)
    assert cleared.snapshot.schedule.next_step == "step 3 (120 mL/h)"
    watched.service.stop()
    for code in ("titration_step_due", "titration_step_overdue"):
        [alarm] = stored_alarms(world.sessions, code)
        assert stored_kinds(world.sessions, alarm.id) == ["raised", "condition_ended"]


def test_checks_due_end_when_recorded_and_the_observation_is_over_after_completion(
        running: tuple[World, int, Watched]) -> None:
    world, infusion_id, watched = running
    world.clock.advance(30)  # vital signs every 30 min for this drug
    watched.transition("vital_signs_due")
    accepted(world.svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                                  taken_at=world.clock.now))
    watched.transition("vital_signs_due", TransitionKind.CONDITION_ENDED)
    world.clock.advance(90)  # the site every 120 min
    watched.transition("site_check_due")
    accepted(world.svc.observations.record_site(
        world.appointment_id, InfiltrationGrade.NONE, 0, dressing_intact=True,
        assessed_at=world.clock.now))
    watched.transition("site_check_due", TransitionKind.CONDITION_ENDED)

    done = world.svc.completion.complete(infusion_id, at=world.clock.now,
                                         shortfall_reason="test: ended early")
    completion = accepted(done)
    _, update = watched.next_update(_scheduled(
        lambda u: u.snapshot.schedule.observation_ends_at is not None))
    assert update.snapshot.schedule.observation_ends_at == completion.observation_ends_at
    assert update.snapshot.schedule.titration_due_at is None
    world.clock.now = completion.observation_ends_at
    _, over, _ = watched.transition("observation_over")
    assert over.priority is Priority.ADVISORY
    watched.service.stop()
    [alarm] = stored_alarms(world.sessions, "observation_over")
    assert alarm.raised_at == completion.observation_ends_at
