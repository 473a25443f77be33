"""Runs a scenario file headless: `pump-sim --stand-in --scenario F` on ptys, the station's
MonitoringService on a SQLite file, the nurse's part played through the services, and
what the station raised in simulated time.

The station runs as a training station does: its wall clock (the services' and the
monitoring's) follows the simulator's (`SimulatorTime`, read from the control socket),
so a stored time is a simulated one, and a clinical timer (a break's overrun) runs at
the simulator's speed, also when the speed changes during the run. Every fired
`station` step is recorded by a `ScenarioNurse` (booking, check-in, start, pause,
side effect) as soon as the run sees it.
"""

from __future__ import annotations

import functools
import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import DriverConfig, SessionTiming
from devices.driver import Sample as DriverSample
from devices.simulator.scenario import Expectation, Scenario
from station.alarms import Cause, CauseCode, TransitionKind
from station.alarms.clock import WallClock
from station.monitoring import (
    ChairUpdate,
    MonitoringService,
    MonitorSettings,
    PumpEndpoint,
    StoredSchedule,
)
from station.services import Actor, StationServices, load_library
from station.training.scenario_nurse import ScenarioNurse
from station.training.simulated_time import SimulatorTime
from tests.support.simulator_process import SimulatorProcess
from ui.trainer.station_clock import following_simulator

# The link runs on real time, and a detector needs about one sample per pump second: a
# scenario teaching one of them runs at 10x. The clinical timers follow the simulator's
# clock; they are checked once per monitoring tick (0.25 s), so at 30x a 60 s window
# leaves the shared machine 2 s of real time.
REAL_TIME_CONDITIONS = frozenset({"link_lost", "occlusion", "dislodgement", "infiltration",
                                  "pump_stall", "pump_reset"})
RAISED_OR_HIGHER = (TransitionKind.RAISED, TransitionKind.ESCALATED)


def speed_for(scenario: Scenario) -> float:
    return 10.0 if any(e.alarm in REAL_TIME_CONDITIONS for e in scenario.expectations) else 30.0


def settings_for(speed: float) -> MonitorSettings:
    return MonitorSettings(
        driver=DriverConfig(poll_interval_s=max(0.1, 1.0 / speed), link_timeout_s=5.0,
                            timing=SessionTiming(reply_timeout_s=0.5, retries=1),
                            backoff_initial_s=0.05, backoff_max_s=0.5),
        detection_time_scale=speed,
    )


@dataclass
class Seen:
    """Where in simulated time the station saw each alarm (at each priority it reached)
    and each pump status."""

    raised: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    at_priority: dict[tuple[int, str, str], list[float]] = field(default_factory=dict)
    statuses: dict[tuple[int, str], list[float]] = field(default_factory=dict)

    def times(self, expectation: Expectation) -> list[float]:
        if expectation.alarm is not None and expectation.priority is not None:
            return self.at_priority.get(
                (expectation.pump, expectation.alarm, expectation.priority), [])
        if expectation.alarm is not None:
            return self.raised.get((expectation.pump, expectation.alarm), [])
        assert expectation.status is not None
        return self.statuses.get((expectation.pump, expectation.status), [])

    def met(self, expectation: Expectation) -> bool:
        return any(expectation.after_s <= t <= expectation.before_s
                   for t in self.times(expectation))


@dataclass(frozen=True)
class SpeedChange:
    """The trainer moves the speed slider when the simulator reaches `at_sim_s`."""

    at_sim_s: float
    speed: float


class ScenarioRun:
    """One scenario against the station; `run()` returns what was seen.

    `speed`: the simulator's at the start (default `speed_for`); `speed_change`: a change
    during the run, as the trainer's console makes it.
    """

    def __init__(self, path: Path, scenario: Scenario, sessions: sessionmaker[Session], *,
                 speed: float | None = None, speed_change: SpeedChange | None = None) -> None:
        self.scenario = scenario
        self.speed = speed or speed_for(scenario)
        self.sim = SimulatorProcess(pumps=scenario.pumps, speed=self.speed, seed=3,
                                    extra_args=["--stand-in", "--scenario", str(path)])
        self._sessions = sessions
        self._speed_change = speed_change
        self._updates: queue.SimpleQueue[ChairUpdate] = queue.SimpleQueue()
        self._reset_done: set[str] = set()
        self.seen = Seen()
        self.scenario_status: dict[str, Any] = {}
        self.nurse_problems: list[str] = []
        self.nurse: ScenarioNurse | None = None
        self.clock: SimulatorTime  # the station's, once `run` began

    def run(self) -> Seen:
        with self.sim, following_simulator(self.sim.ports[0].control) as clock:
            self.clock = clock
            labels = [(f"C{p.pump}", p.serial) for p in self.sim.ports]
            endpoints = [PumpEndpoint(f"C{p.pump}", p.port) for p in self.sim.ports]
            self.nurse = nurse = ScenarioNurse(
                self._sessions, labels, functools.partial(_services, self._sessions,
                                                          clock.utc_now),
                now=clock.utc_now())
            monitoring = MonitoringService(
                endpoints, self._sessions, settings=settings_for(self.speed),
                clock=WallClock(clock.utc_now), schedule=StoredSchedule(nurse.services))
            nurse.on_started = monitoring.refresh_binding
            nurse.services.context.changes.subscribe(monitoring.records_changed)
            monitoring.subscribe(self._updates.put)
            with monitoring:
                self._watch(monitoring, clock)
            self.scenario_status = self.sim.control(op="scenario", action="status")
        return self.seen

    def _watch(self, monitoring: MonitoringService, clock: SimulatorTime) -> None:
        expectations = self.scenario.expectations
        end_sim = max((e.before_s for e in expectations), default=self.scenario.duration_s)
        end_sim = max(end_sim, self.scenario.duration_s) + 5.0
        fired = 0
        change = self._speed_change
        while not all(self.seen.met(e) for e in expectations):
            now_sim = clock.sim_seconds()
            if now_sim > end_sim:
                return
            if change is not None and now_sim >= change.at_sim_s:
                self.sim.control(op="speed", speed=change.speed)
                change = None
            fired = self._play_the_nurse(fired)
            try:
                update = self._updates.get(timeout=0.1)
            except queue.Empty:
                continue
            self._note(monitoring, clock, update)

    def _play_the_nurse(self, fired: int) -> int:
        """The station steps the simulator fired since the last look, recorded now."""
        status = self.sim.control(op="scenario", action="status", since=fired)
        assert self.nurse is not None
        for step in status["fired"]:
            if "station" in step:
                self.nurse_problems.extend(self.nurse.perform(step["station"]))
        return int(status["fired_count"])

    def _note(self, monitoring: MonitoringService, clock: SimulatorTime,
              update: ChairUpdate) -> None:
        chair = update.snapshot.chair_id
        pump = int(chair[1:])
        power_up = chair not in self._reset_done  # its pump_reset is the power-up one
        if power_up and any(
                a.condition == "pump_reset" and a.state == "latched"
                for a in update.snapshot.alarms):
            # As the demo does: the power-up alarm is reset once, so a later power cycle
            # raises it again.
            self._reset_done.add(chair)
            monitoring.reset(chair, "pump_reset", "trainer", Cause(
                CauseCode.ROUTINE_EVENT, "scenario: simulated pump just switched on"))
        for transition in update.transitions:
            if transition.kind not in RAISED_OR_HIGHER or (
                    power_up and transition.condition == "pump_reset"):
                continue
            at = clock.sim_seconds_at(transition.at)
            if transition.kind is TransitionKind.RAISED:
                self.seen.raised.setdefault((pump, transition.condition), []).append(at)
            self.seen.at_priority.setdefault(
                (pump, transition.condition, transition.priority.value), []).append(at)
        event = update.event
        if isinstance(event, DriverSample):
            self.seen.statuses.setdefault((pump, event.status.value), []).append(
                clock.sim_seconds_at(event.at.utc))


def _services(sessions: sessionmaker[Session], clock: Callable[[], datetime],
              actor: Actor) -> StationServices:
    """The station's services as the nurse (`actor`) on the simulator's clock."""
    return StationServices.build(sessions, clock=clock, library=load_library(), actor=actor,
                                 clinic_tz=UTC)
