"""`infusion-station` sub-commands, through the real entry point function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devices.simulator.process import SimulatorProcess
from ui.cli import main


def test_db_upgrade_creates_then_reports_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'station.sqlite'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert "upgraded from empty" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", url]) == 0
    assert "up to date" in capsys.readouterr().out


def test_db_upgrade_with_a_bad_url_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--db", "nosuchdriver://x"]) == 1
    assert "infusion-station db upgrade:" in capsys.readouterr().err


def test_probe_of_a_missing_port_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["probe", "/dev/nonexistent-pump", "--timeout", "0.2"])
    assert status != 0
    assert "no such port" in capsys.readouterr().err.lower()


def test_analyze_names_the_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "trace.csv"
    trace.write_text("time_s,rate_ml_h,volume_ml,pressure_mmhg,status\n0,10,0,8,I\nx,1,2,3,I\n")
    assert main(["analyze", str(trace)]) == 2
    assert "line 3: time_s is not a number" in capsys.readouterr().err


def test_analyze_of_a_quiet_trace_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"{t},100,{t * 100 / 3600:.3f},{10 + 0.3 * (t % 3):.1f},I" for t in range(600)]
    trace = tmp_path / "trace.csv"
    trace.write_text("time_s,rate_ml_h,volume_ml,pressure_mmhg,status\n" + "\n".join(rows))
    assert main(["analyze", str(trace)]) == 0
    assert capsys.readouterr().out == ""


def test_monitor_reports_the_power_up_alarm_of_a_real_pump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'station.sqlite'}"
    with SimulatorProcess(pumps=1, speed=5, seed=2) as simulator:
        port = simulator.ports[0].port
        assert main(["monitor", f"chair1={port}", "--db", url, "--duration", "6"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert any(
        line.get("condition") == "pump_reset" and line.get("kind") == "raised"
        for line in lines
    ), lines


def test_demo_refuses_an_impossible_pump_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--pumps", "5"]) == 2
    assert "--pumps must be 1-4" in capsys.readouterr().err


def test_run_refuses_a_bad_port_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "=", "--db", "sqlite://"]) == 2
    assert "infusion-station run:" in capsys.readouterr().err
