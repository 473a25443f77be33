"""Scenario files (checked, timed) and CSV traces, in process and through the CLI."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from devices.simulator.clock import ManualClock
from devices.simulator.fleet import Fleet, build_units
from devices.simulator.scenario import (
    ScenarioError,
    ScenarioRunner,
    load_scenario,
    parse_scenario,
)
from devices.simulator.trace import COLUMNS, TraceRecorder, TraceWriter
from tests.support.host import Host
from tests.support.simulator_process import REPO_ROOT, SimulatorProcess, wait_until

EXAMPLES = REPO_ROOT / "resources" / "scenarios"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.*")), ids=lambda p: p.name)
def test_example_scenarios_load(path: Path) -> None:
    steps = load_scenario(path)
    assert steps and [s.at_s for s in steps] == sorted(s.at_s for s in steps)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"at_s": 5, "inject": "jam"}, "step 2 (at_s=5): unknown fault 'jam'"),
        ({"inject": "occlusion"}, "step 2 (at_s=?): at_s is required"),
        ({"at_s": -1, "clear": "all"}, "at_s must be at least 0.0"),
        ({"at_s": 5, "inject": "garbled", "params": {"probability": 2}},
         "garbled.probability must be within 0.0..1.0, got 2"),
        ({"at_s": 5, "inject": "occlusion", "clear": "all"}, "exactly one of"),
        ({"at_s": 5, "clear": "occlusion", "duration_s": 3}, "go with inject only"),
        ({"at_s": 5, "set": {"venus": 3}}, "cannot set 'venus'"),
        ({"at_s": 5, "pump": 0, "clear": "all"}, "pump must be a pump number"),
        ({"at_s": 5, "inject": "air_in_line", "when": 3}, "unknown key(s) ['when']"),
    ],
)
def test_bad_steps_are_refused_naming_the_step(step: dict[str, object], message: str) -> None:
    document = {"step": [{"at_s": 1, "clear": "all"}, step]}
    with pytest.raises(ScenarioError) as error:
        parse_scenario(document, "test.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("test.toml: step 2")


def test_unreadable_files_say_so(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[step]\nat_s = ")
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid toml"):
        load_scenario(broken)
    with pytest.raises(ScenarioError, match="expected a list"):
        parse_scenario({"steps": []})


def test_runner_applies_steps_when_their_time_comes() -> None:
    clock = ManualClock()
    fleet = Fleet(build_units(2, clock, seed=1))
    runner = ScenarioRunner(
        parse_scenario({"step": [
            {"at_s": 10, "pump": 2, "inject": "occlusion", "duration_s": 5},
            {"at_s": 20, "set": {"occlusion_limit_mmhg": 300}},
        ]})
    )
    line = fleet.units[2].pump.mechanics.line
    runner.run_due(9.9, fleet)
    assert line.faults.occlusion_severity == 0.0
    clock.advance(10.0)
    runner.run_due(clock.now(), fleet)
    assert line.faults.occlusion_severity == 1.0
    clock.advance(5.0)
    fleet.units[2].injector.poll()
    assert line.faults.occlusion_severity == 0.0
    runner.run_due(20.0, fleet)
    assert runner.finished
    assert all(u.pump.mechanics.settings.occlusion_limit_mmhg == 300 for u in fleet.units.values())


def test_trace_rows_follow_the_pump() -> None:
    clock = ManualClock()
    (unit,) = build_units(1, clock, seed=1)
    out = io.StringIO()
    recorder = TraceRecorder(unit.pump, TraceWriter(out, labels=True), interval_s=1.0)
    mechanics = unit.pump.mechanics
    unit.pump.alarm = None
    mechanics.program.set_rate(36.0, None)
    mechanics.start()
    for _ in range(30):
        clock.advance(0.5)
        unit.pump.poll()
        recorder.tick()
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [*COLUMNS, "faults"]
    assert len(rows) == 1 + 16  # t = 0, 1, ... 15
    last = rows[-1]
    assert last[0] == "15.000" and last[1] == "36.0000" and last[4] == "I" and last[5] == ""
    assert float(last[2]) == pytest.approx(0.15, abs=1e-3)


def test_cli_runs_a_scenario_and_writes_traces(tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text('{"step": [{"at_s": 2, "inject": "occlusion"}]}')
    traces = tmp_path / "traces"
    args = ["--scenario", str(scenario), "--trace-dir", str(traces), "--trace-interval", "0.5"]
    with SimulatorProcess(pumps=1, speed=20, seed=7, extra_args=args) as sim:
        host = Host(sim.open_serial(1))
        assert host.ask("0") == "00A?R"
        assert host.ask("0RAT300MH") == "00S"
        assert host.ask("0RUN") == "00I"
        assert wait_until(lambda: host.ask("0") == "00A?S", timeout_s=10.0)
        assert wait_until(lambda: read_trace(traces / "pump1.csv")[-1]["status"] == "P")
        assert sim.stop() == 0
    rows = read_trace(traces / "pump1.csv")
    assert list(rows[0]) == list(COLUMNS)
    statuses = [row["status"] for row in rows]
    assert "I" in statuses and statuses[-1] == "P"
    assert max(float(row["time_s"]) for row in rows) >= 2.0
    assert max(float(row["pressure_mmhg"]) for row in rows) > 450.0


def read_trace(path: Path) -> list[dict[str, str]]:
    with path.open() as trace:
        return list(csv.DictReader(trace))


def test_cli_refuses_a_bad_scenario_with_exit_2(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text('[[step]]\nat_s = 1\npump = 3\nclear = "all"\n')
    done = subprocess.run(
        [sys.executable, "-m", "devices.simulator", "--pumps", "2", "--scenario", str(scenario)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=30, check=False,
    )
    assert done.returncode == 2
    assert "names pump 3; this run has 2" in done.stderr
