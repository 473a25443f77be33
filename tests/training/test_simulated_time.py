"""The training station's clock follows the simulator's time and speed (item: speed).

No real sleeps: an injected monotonic clock and reader, and a real `pump-sim` whose
speed is changed over its control socket."""

from __future__ import annotations

import functools
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from devices.simulator.control import read_clock
from station.alarms.clock import ManualClock
from station.training.simulated_time import SimulatorTime, SimulatorTimeFollower
from tests.support.simulator_process import SimulatorProcess

START = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


class FakeSimulator:
    """A simulator's clock the test moves: (time_s, speed) as its control socket says."""

    def __init__(self, time_s: float, speed: float) -> None:
        self.time_s, self.speed = time_s, speed
        self.reads = 0
        self.fail = False
        self._read = threading.Condition()

    def read(self) -> tuple[float, float]:
        with self._read:
            self.reads += 1
            self._read.notify_all()
        if self.fail:
            raise ConnectionRefusedError("no simulator")
        return self.time_s, self.speed

    def wait_reads(self, more: int) -> bool:
        """Until `more` further reads happened (the follower's thread)."""
        with self._read:
            target = self.reads + more
            return self._read.wait_for(lambda: self.reads >= target, timeout=10.0)


def _clock(sim: FakeSimulator) -> tuple[SimulatorTime, ManualClock]:
    mono = ManualClock()
    return SimulatorTime(sim.read, start_utc=START, monotonic=mono.monotonic), mono


def test_the_station_s_wall_clock_runs_at_the_simulator_s_speed() -> None:
    sim = FakeSimulator(100.0, 10.0)
    clock, mono = _clock(sim)
    assert clock.utc_now() == START and clock.sim_seconds() == 100.0
    mono.advance(1.5)  # 1.5 s real at 10x
    assert clock.sim_seconds() == pytest.approx(115.0)
    assert clock.utc_now() == START + timedelta(seconds=15)
    assert clock.sim_seconds_at(clock.utc_at(900.0)) == pytest.approx(900.0)


def test_a_speed_change_is_followed_from_the_next_sync() -> None:
    sim = FakeSimulator(0.0, 1.0)
    clock, mono = _clock(sim)
    mono.advance(2.0)
    sim.time_s, sim.speed = 2.0, 60.0  # the trainer moves the slider to 60x
    clock.sync()
    assert clock.speed == 60.0
    mono.advance(10.0)  # ten seconds of a break at 60x: ten minutes
    assert clock.utc_now() == START + timedelta(seconds=602)


def test_after_a_slow_down_the_clock_holds_and_never_runs_backwards() -> None:
    sim = FakeSimulator(0.0, 60.0)
    clock, mono = _clock(sim)
    mono.advance(1.0)
    assert clock.sim_seconds() == pytest.approx(60.0)
    sim.time_s, sim.speed = 30.0, 1.0  # it went to 1x half a second ago
    clock.sync()
    mono.advance(10.0)
    assert clock.sim_seconds() == pytest.approx(60.0)  # held: 40 s is behind what it said
    mono.advance(40.0)
    assert clock.sim_seconds() == pytest.approx(80.0)


def test_the_follower_syncs_on_its_thread_and_rides_over_a_silent_simulator(
        caplog: pytest.LogCaptureFixture) -> None:
    sim = FakeSimulator(0.0, 5.0)
    clock, _ = _clock(sim)
    sim.fail = True
    with caplog.at_level(logging.WARNING), SimulatorTimeFollower(clock, refresh_s=0.01):
        assert sim.wait_reads(3)
        sim.speed, sim.fail = 20.0, False
        assert sim.wait_reads(3)  # the first may have begun before the change
    assert clock.speed == 20.0
    warnings = [r for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(warnings) == 1  # once, not once per refresh


def test_the_clock_follows_a_real_simulator_when_its_speed_changes() -> None:
    with SimulatorProcess(pumps=1, speed=10.0, seed=2) as sim:
        read = functools.partial(read_clock, sim.ports[0].control)
        clock = SimulatorTime(read)
        assert clock.speed == 10.0
        sim.control(op="speed", speed=50)
        clock.sync()
        assert clock.speed == 50.0
        before, _ = read()
        station = clock.sim_seconds()
        after, _ = read()
        # Between two readings of the simulator's own clock (allowing a socket's turn on
        # a loaded machine: a tenth of a real second at 50x).
        assert before - 5.0 <= station <= after + 5.0
