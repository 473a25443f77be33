"""Samples against the stored programme, with the simulator as its own process and a real
SQLite file: near end, complete, keep-vein-open, a rate that is not the ordered step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import LinkState, PumpPoller
from devices.driver import Sample as DriverSample
from station.alarms import Priority, TransitionKind
from station.monitoring import PumpEndpoint
from station.persistence import Records
from station.persistence.delivery import TitrationChangeKind, TitrationStep
from tests.monitoring.conftest import FAST, SPEED, Watched
from tests.monitoring.world import seed_running_infusion, stored_alarms
from tests.persistence.factories import T0
from tests.support.simulator_process import SimulatorProcess

Sim = Callable[..., SimulatorProcess]
Watch = Callable[..., Watched]
# Near end from 20 % of the VTBI left, whatever the rate: a few samples before the end.
NEAR_END = replace(FAST, near_end_fraction=0.2, near_end_s=0.0)
# The simulator's pump starts with its power-up `A?R` (pump_reset): not this file's.
PROGRAMME = {"volume_near_end", "volume_complete", "kvo_running", "rate_mismatch"}


def program_pump(pump: PumpPoller, rate_ml_h: float, vtbi_ml: float | None = None) -> None:
    pump.set_rate(rate_ml_h).result(timeout=5)
    if vtbi_ml is not None:
        pump.set_volume(vtbi_ml).result(timeout=5)
    pump.run().result(timeout=5)


def watch_pump(watch: Watch, sessions: sessionmaker[Session], sim: SimulatorProcess) -> Watched:
    watched = watch(sessions, [PumpEndpoint("C1", sim.ports[0].port)], NEAR_END)
    watched.link(LinkState.UP)
    return watched


def raised_conditions(watched: Watched) -> list[str]:
    return [t.condition for u in watched.seen for t in u.transitions
            if t.kind is TransitionKind.RAISED and t.condition in PROGRAMME]


def test_a_small_volume_is_near_end_then_complete_when_the_pump_stops(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(sessions, rate_ml_h=360.0, vtbi_ml=3.0)
    sim = simulator(speed=SPEED)  # no KVO: the pump stops at the volume
    watched = watch_pump(watch, sessions, sim)
    program_pump(watched.service.pump("C1"), 360.0, 3.0)

    _, near, near_update = watched.transition("volume_near_end")
    _, complete, update = watched.transition("volume_complete")

    sample = near_update.event
    assert isinstance(sample, DriverSample)
    assert 2.4 - 0.01 <= sample.volume_ml < 3.0
    assert (near.priority, complete.priority) == (Priority.LOW, Priority.LOW)
    assert complete.detail == "3 of 3 mL given"
    assert any(t.condition == "volume_near_end" and t.kind is TransitionKind.CONDITION_ENDED
               for t in update.transitions)
    watched.samples(5)  # the pump stays stopped: nothing more, nothing twice
    assert raised_conditions(watched) == ["volume_near_end", "volume_complete"]
    open_now = {a.condition for a in watched.service.snapshot("C1").alarms}
    assert open_now & PROGRAMME == {"volume_complete"}
    [stored] = stored_alarms(sessions, "volume_complete")
    assert stored.priority.value == "low"


def test_a_pump_that_goes_on_at_kvo_after_the_volume_raises_kvo_running(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(sessions, rate_ml_h=360.0, vtbi_ml=2.0)
    sim = simulator(speed=SPEED, extra_args=("--kvo-rate", "5"))
    watched = watch_pump(watch, sessions, sim)
    program_pump(watched.service.pump("C1"), 360.0, 2.0)

    _, kvo, update = watched.transition("kvo_running")

    assert kvo.priority is Priority.LOW
    assert {"volume_complete", "kvo_running"} <= {a.condition for a in update.snapshot.alarms}
    later = watched.samples(5)
    assert later[-1].volume_ml > later[0].volume_ml >= 2.0  # still infusing, slowly
    assert "rate_mismatch" not in raised_conditions(watched)
    assert raised_conditions(watched).count("kvo_running") == 1


def test_a_rate_off_the_latest_step_is_a_mismatch_after_a_few_samples_and_ends_when_corrected(
        simulator: Sim, watch: Watch, sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions, rate_ml_h=50.0, vtbi_ml=500.0)
    Records(sessions).add(TitrationStep(
        infusion_id=seeded.infusion_id, kind=TitrationChangeKind.STEP_CONFIRMED, at=T0,
        step=2, rate_ml_h=100.0, vitals_taken_at=None, by_id=seeded.user_id))
    sim = simulator(speed=SPEED)
    watched = watch_pump(watch, sessions, sim)
    pump = watched.service.pump("C1")
    program_pump(pump, 100.0)  # the step's rate: no alarm
    watched.samples(5)
    assert "rate_mismatch" not in raised_conditions(watched)

    pump.set_rate(130.0).result(timeout=5)  # set at the pump, not the ordered step
    _, raised, _ = watched.transition("rate_mismatch")

    off_rate = [u.event for u in watched.seen if isinstance(u.event, DriverSample)
                and u.event.rate_ml_h == 130.0]
    assert len(off_rate) >= NEAR_END.rate_mismatch_samples  # debounced
    assert raised.priority is Priority.MEDIUM
    assert raised.detail == ("The pump runs at 130 mL/h, too high: the current step "
                             "expects 100 mL/h.")
    [stored] = stored_alarms(sessions, "rate_mismatch")
    assert (stored.infusion_id, stored.category.value) == (seeded.infusion_id, "technical")

    pump.set_rate(100.0).result(timeout=5)
    watched.transition("rate_mismatch", TransitionKind.CONDITION_ENDED)
    assert "rate_mismatch" not in {a.condition for a in watched.service.snapshot("C1").alarms}
