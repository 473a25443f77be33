"""Scenario steps that are the nurse's action at the station, and expectations of an
alarm's priority: checked when loaded, logged (not carried out) by the simulator."""

from __future__ import annotations

import pytest

from devices.simulator.clock import ManualClock
from devices.simulator.fleet import Fleet, build_units
from devices.simulator.scenario import ScenarioError, parse_text
from devices.simulator.scenario_step import ScenarioRunner

BREAK = """\
pumps = 1

[[step]]
at_s = 0
stand_in = true
station = "start"
params = { rate_ml_h = 100, volume_ml = 250 }

[[step]]
at_s = 300
pump = 1
stand_in = true
station = "pause"

[[expect]]
alarm = "pause_overrun"
priority = "high"
after_s = 1500
before_s = 1560
"""


def test_a_station_step_is_logged_with_what_the_nurse_records() -> None:
    scenario = parse_text(BREAK, "break.toml", json_format=False)
    start, _ = scenario.steps
    assert (start.action, start.station, dict(start.values)) == (
        "station", "start", {"rate_ml_h": 100.0, "volume_ml": 250.0})
    assert scenario.expectations[0].priority == "high"
    clock = ManualClock()
    fleet = Fleet(build_units(1, clock, seed=1))
    runner = ScenarioRunner(list(scenario.steps))
    fired = runner.run_due(400.0, fleet)
    assert [f.as_json()["station"] for f in fired] == [
        {"action": "start", "pump": None, "params": {"rate_ml_h": 100.0, "volume_ml": 250.0}},
        {"action": "pause", "pump": 1, "params": {}}]
    assert fired[1].text == "pump 1: at the station: pause (stand-in for the trainee)"
    assert all(not f.problems for f in fired)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('station = "pause"', 'station = "sleep"', "station takes one of ['pause', 'reaction', "
                                                "'resume', 'start'], got 'sleep'"),
    ('station = "pause"', 'station = "pause"\nparams = { grade = 2 }',
     "station pause takes no params, got ['grade']"),
    ("rate_ml_h = 100", "rate_ml_h = -5", "params.rate_ml_h must be a positive number"),
    ('alarm = "pause_overrun"\n', "", "priority goes with an alarm"),
    ('priority = "high"', 'priority = "urgent"', "priority goes with an alarm and is one of"),
])
def test_a_bad_station_step_or_priority_names_its_line(old: str, new: str, message: str) -> None:
    text = BREAK.replace(old, new, 1)
    if old.startswith("alarm"):
        text = text.replace('priority = "high"', 'status = "P"\npriority = "high"')
    with pytest.raises(ScenarioError) as error:
        parse_text(text, "b.toml", json_format=False)
    assert message in str(error.value)
    assert str(error.value).startswith(("b.toml:3:", "b.toml:9:", "b.toml:15:"))
