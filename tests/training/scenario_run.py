"""Runs a scenario file headless: `pump-sim --stand-in --scenario F` on ptys, the station's
MonitoringService on a SQLite file, and what it raised mapped to simulated time.

Simulated time is read from the simulator once (its `time_s` beside our monotonic
clock, which is the system's, shared by both processes); every alarm transition and
sample carries the monotonic time at which the station saw it.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import DriverConfig, SessionTiming
from devices.driver import Sample as DriverSample
from devices.simulator.scenario import Expectation, Scenario
from station.alarms import Cause, CauseCode, TransitionKind
from station.monitoring import ChairUpdate, MonitoringService, MonitorSettings, PumpEndpoint
from tests.support.simulator_process import SimulatorProcess

# Timers and the link run on real time: a scenario teaching one of them, or a detector
# (which needs about one sample per pump second), runs at 10x; the others at 60x.
REAL_TIME_CONDITIONS = frozenset({"link_lost", "occlusion", "dislodgement", "infiltration",
                                  "pump_stall", "pump_reset"})


def speed_for(scenario: Scenario) -> float:
    return 10.0 if any(e.alarm in REAL_TIME_CONDITIONS for e in scenario.expectations) else 60.0


def settings_for(speed: float) -> MonitorSettings:
    return MonitorSettings(
        driver=DriverConfig(poll_interval_s=max(0.1, 1.0 / speed), link_timeout_s=5.0,
                            timing=SessionTiming(reply_timeout_s=0.5, retries=1),
                            backoff_initial_s=0.05, backoff_max_s=0.5),
        detection_time_scale=speed,
    )


@dataclass
class Seen:
    """Where in simulated time the station saw each alarm raised and each pump status."""

    raised: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    statuses: dict[tuple[int, str], list[float]] = field(default_factory=dict)

    def times(self, expectation: Expectation) -> list[float]:
        if expectation.alarm is not None:
            return self.raised.get((expectation.pump, expectation.alarm), [])
        assert expectation.status is not None
        return self.statuses.get((expectation.pump, expectation.status), [])

    def met(self, expectation: Expectation) -> bool:
        return any(expectation.after_s <= t <= expectation.before_s
                   for t in self.times(expectation))


class ScenarioRun:
    """One scenario against the station; `run()` returns what was seen."""

    def __init__(self, path: Path, scenario: Scenario, sessions: sessionmaker[Session]) -> None:
        self.scenario = scenario
        self.speed = speed_for(scenario)
        self.sim = SimulatorProcess(pumps=scenario.pumps, speed=self.speed, seed=3,
                                    extra_args=["--stand-in", "--scenario", str(path)])
        self._sessions = sessions
        self._updates: queue.SimpleQueue[ChairUpdate] = queue.SimpleQueue()
        self._reset_done: dict[str, float] = {}
        self._sim_t0 = 0.0
        self._mono_t0 = 0.0
        self.seen = Seen()
        self.scenario_status: dict[str, object] = {}

    def sim_time(self, monotonic_s: float) -> float:
        return self._sim_t0 + (monotonic_s - self._mono_t0) * self.speed

    def run(self) -> Seen:
        with self.sim:
            before = time.monotonic()
            status = self.sim.control(op="status", pump=1)
            self._mono_t0 = (before + time.monotonic()) / 2
            self._sim_t0 = float(status["pumps"][0]["time_s"])
            endpoints = [PumpEndpoint(f"C{p.pump}", p.port) for p in self.sim.ports]
            monitoring = MonitoringService(endpoints, self._sessions,
                                           settings=settings_for(self.speed))
            monitoring.subscribe(self._updates.put)
            with monitoring:
                self._watch(monitoring)
            self.scenario_status = self.sim.control(op="scenario", action="status")
        return self.seen

    def _watch(self, monitoring: MonitoringService) -> None:
        expectations = self.scenario.expectations
        end_sim = max((e.before_s for e in expectations), default=self.scenario.duration_s)
        end_sim = max(end_sim, self.scenario.duration_s) + 5.0
        while not all(self.seen.met(e) for e in expectations):
            now_sim = self.sim_time(time.monotonic())
            if now_sim > end_sim:
                return
            try:
                update = self._updates.get(timeout=1.0)
            except queue.Empty:
                continue
            self._note(monitoring, update)

    def _note(self, monitoring: MonitoringService, update: ChairUpdate) -> None:
        chair = update.snapshot.chair_id
        pump = int(chair[1:])
        if chair not in self._reset_done and any(
                a.condition == "pump_reset" and a.state == "latched"
                for a in update.snapshot.alarms):
            # As the demo does: the power-up alarm is reset once, so a later power cycle
            # raises it again.
            self._reset_done[chair] = time.monotonic()
            monitoring.reset(chair, "pump_reset", "trainer", Cause(
                CauseCode.ROUTINE_EVENT, "scenario: simulated pump just switched on"))
        for transition in update.transitions:
            if transition.kind is not TransitionKind.RAISED:
                continue
            if transition.condition == "pump_reset" and chair not in self._reset_done:
                continue
            self.seen.raised.setdefault((pump, transition.condition), []).append(
                self.sim_time(transition.monotonic_s))
        event = update.event
        if isinstance(event, DriverSample):
            self.seen.statuses.setdefault((pump, event.status.value), []).append(
                self.sim_time(event.at.monotonic))
