"""Every shipped scenario, headless at 10x or 60x against the station's MonitoringService:
the alarms (and pump states) it teaches are seen at the simulated times the file says."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from devices.simulator.scenario import load_scenario_file
from station.alarms import CONDITIONS
from tests.support.simulator_process import REPO_ROOT
from tests.training.scenario_run import ScenarioRun, SpeedChange

SCENARIOS = sorted((REPO_ROOT / "resources" / "scenarios").glob("*.*"))

REQUIRED = {  # the issue's list: each has its file
    "bathroom-break-overrun.toml", "ocrevus-titration-infiltration.toml",
    "dislodgement-walking-back.toml", "pulled-cable.toml", "occlusion-after-break.toml",
    "grade-2-reaction.toml",
}


def test_the_issue_s_scenarios_are_shipped_with_what_they_teach() -> None:
    names = {p.name for p in SCENARIOS}
    assert names >= REQUIRED
    for path in SCENARIOS:
        scenario = load_scenario_file(path)
        assert scenario.description and scenario.expectations, path.name
        for expectation in scenario.expectations:
            assert expectation.alarm is None or expectation.alarm in CONDITIONS


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_shipped_scenario_raises_what_it_teaches_on_time(
        path: Path, sessions: sessionmaker[Session]) -> None:
    scenario = load_scenario_file(path)
    run = ScenarioRun(path, scenario, sessions)
    seen = run.run()
    for expectation in scenario.expectations:
        times = seen.times(expectation)
        what = expectation.alarm or f"status {expectation.status}"
        if expectation.priority:
            what += f" at {expectation.priority}"
        assert times, f"{what} on pump {expectation.pump} never seen; saw {seen.raised}"
        first = min(t for t in times if t >= expectation.after_s - 1e-9) \
            if expectation.status else times[0]
        assert expectation.after_s <= first <= expectation.before_s, (
            f"{what} on pump {expectation.pump} at {first:.0f} s, expected "
            f"{expectation.after_s:g}-{expectation.before_s:g} s; all: {times}")
    fired = run.scenario_status["fired"]
    assert isinstance(fired, list) and fired
    assert all(not step["problems"] for step in fired), fired
    assert run.nurse_problems == []  # every station step was recorded


def test_the_station_s_timers_follow_a_speed_change_during_the_run(
        sessions: sessionmaker[Session]) -> None:
    # The trainer starts the break scenario at 15x and moves the slider to 45x during
    # the break: the overrun still comes at 10 and 20 minutes of simulated pause (a
    # station on wall time, or on the first speed, raises it far too late).
    path = REPO_ROOT / "resources" / "scenarios" / "bathroom-break-overrun.toml"
    scenario = load_scenario_file(path)
    run = ScenarioRun(path, scenario, sessions, speed=15.0,
                      speed_change=SpeedChange(at_sim_s=450.0, speed=45.0))
    seen = run.run()
    assert run.clock.speed == 45.0
    overruns = [e for e in scenario.expectations if e.alarm == "pause_overrun"]
    assert [e.priority for e in overruns] == ["medium", "high"]
    for expectation in overruns:
        times = seen.times(expectation)
        assert times and expectation.after_s <= times[0] <= expectation.before_s, (
            expectation, times)
