"""The trainer's controls through the control socket of a real `pump-sim` process: speed,
a scenario's life cycle, recording a run and replaying it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from devices.simulator.scenario import load_scenario_file
from tests.support.simulator_process import SimulatorProcess, wait_until

SCENARIO = """\
title = "Short"
description = "Programmed, a prompt, an occlusion."

[[step]]
at_s = 0
stand_in = true
keypad = ["RAT 100 MH", "RUN"]

[[step]]
at_s = 5
prompt = "Play the patient."

[[step]]
at_s = 30
inject = "occlusion"
"""


def _scenario(sim: SimulatorProcess, action: str, **extra: Any) -> dict[str, Any]:
    reply = sim.control(op="scenario", action=action, **extra)
    assert reply["ok"], reply
    return reply


def test_speed_changes_without_a_jump_in_simulated_time() -> None:
    with SimulatorProcess(speed=10.0) as sim:
        before = sim.control(op="status", pump=1)["pumps"][0]["time_s"]
        reply = sim.control(op="speed", speed=60)
        assert reply["ok"] and reply["speed"] == 60
        after = sim.control(op="status", pump=1)["pumps"][0]["time_s"]
        assert before <= after
        refused = sim.control(op="speed", speed=0)
        assert not refused["ok"] and "speed must be a number" in refused["error"]


def test_a_scenario_loads_starts_pauses_resumes_and_stops() -> None:
    with SimulatorProcess(speed=20.0) as sim:
        assert not sim.control(op="scenario", action="start")["ok"]  # nothing loaded
        loaded = _scenario(sim, "load", text=SCENARIO, name="short.toml")
        assert (loaded["state"], loaded["title"], loaded["steps"]) == ("loaded", "Short", 3)
        _scenario(sim, "start", stand_in=True)
        status = wait_until(lambda: (s := _scenario(sim, "status"))["fired_count"] >= 2 and s)
        assert status["fired"][1]["prompt"] == "Play the patient."
        assert sim.control(op="status", pump=1)["pumps"][0]["rate_ml_h"] == 100  # pumping
        paused = _scenario(sim, "pause")
        assert paused["state"] == "paused"
        again = _scenario(sim, "status", since=2)
        assert again["elapsed_s"] == paused["elapsed_s"] and again["fired"] == []
        assert not sim.control(op="scenario", action="pause")["ok"]
        _scenario(sim, "resume")
        wait_until(lambda: _scenario(sim, "status")["state"] == "finished", timeout_s=10)
        faults = sim.control(op="status", pump=1)["pumps"][0]["faults"]
        assert "occlusion" in faults
        _scenario(sim, "load", text=SCENARIO)
        _scenario(sim, "start")  # without the stand-in: the pump is not programmed
        assert _scenario(sim, "stop")["state"] == "stopped"
        bad = sim.control(op="scenario", action="load", text='[[step]]\nat_s = 1\nclear = 3\n')
        assert not bad["ok"] and bad["error"].startswith("scenario:1: step 1 (at_s=1)")


def test_a_recorded_run_is_a_trace_and_a_scenario_that_replays_it(tmp_path: Path) -> None:
    folder = tmp_path / "run1"
    with SimulatorProcess(speed=20.0) as sim:
        assert sim.control(op="record", action="start", dir=str(folder))["ok"]
        assert sim.control(op="inject", pump=1, fault="occlusion", params={"severity": 0.5},
                           duration_s=30)["ok"]
        assert sim.control(op="pull_cable", pump=1, mode="silent")["ok"]
        assert sim.control(op="plug_cable", pump=1)["ok"]
        wait_until(lambda: (folder / "pump1.csv").stat().st_size > 200)
        files = sim.control(op="record", action="stop")["files"]
        assert files == [str(folder / "pump1.csv"), str(folder / "run.json")]
    with (folder / "pump1.csv").open() as trace:
        rows = list(csv.DictReader(trace))
    assert rows and "occlusion" in {row["faults"] for row in rows}
    recorded = load_scenario_file(folder / "run.json")
    assert [s.describe() for s in recorded.steps] == [
        "pump 1: inject occlusion severity=0.5 for 30 s",
        "pump 1: inject pulled_cable mode=silent",
        "pump 1: clear pulled_cable",
    ]
    document = json.loads((folder / "run.json").read_text())
    with SimulatorProcess(speed=20.0) as replay:
        _scenario(replay, "load", path=str(folder / "run.json"))
        _scenario(replay, "start")
        wait_until(lambda: _scenario(replay, "status")["state"] == "finished")
        fired = _scenario(replay, "status")["fired"]
        assert [f["text"] for f in fired] == [s.describe() for s in recorded.steps]
        assert len(document["step"]) == 3


def test_the_control_command_drives_the_scenario_and_the_speed(tmp_path: Path) -> None:
    path = tmp_path / "short.toml"
    path.write_text(SCENARIO)
    with SimulatorProcess(speed=1.0) as sim:  # the 30 s scenario outlasts the commands
        control = str(sim.ports[0].control)

        def run(*args: str) -> tuple[int, dict[str, Any]]:
            done = subprocess.run([sys.executable, "-m", "devices.simulator", "control",
                                   "--socket", control, *args],
                                  capture_output=True, text=True, timeout=30, check=False)
            return done.returncode, json.loads(done.stdout) if done.stdout else {}

        assert run("scenario", "load", str(path))[1]["title"] == "Short"
        code, reply = run("scenario", "start", "--stand-in")
        assert code == 0 and reply["state"] == "running" and reply["stand_in"] is True
        assert run("speed", "2")[1]["speed"] == 2
        assert run("scenario", "stop")[1]["state"] == "stopped"
        assert run("scenario", "pause")[0] == 1  # refused: it is stopped
        assert run("record", "start", str(tmp_path / "rec"))[0] == 0
        assert run("record", "stop")[1]["files"][-1].endswith("run.json")
        done = subprocess.run([sys.executable, "-m", "devices.simulator", "control",
                               "--socket", control, "scenario", "load"],
                              capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 2 and "scenario load needs a FILE" in done.stderr


def test_the_keypad_op_is_the_pump_s_own_keys() -> None:
    with SimulatorProcess(speed=5.0) as sim:
        refused = sim.control(op="keypad", pump=1, keys=["RUN"])
        assert not refused["ok"] and "keypad RUN refused" in refused["error"]
        assert not sim.control(op="keypad", pump=1, keys=["SAF 5"])["ok"]
        assert sim.control(op="keypad", pump=1, keys=["RAT 50 MH", "RUN"])["ok"]
        pump = sim.control(op="status", pump=1)["pumps"][0]
        assert pump["rate_ml_h"] == 50 and pump["status"] == "A?R"  # the latch stays
