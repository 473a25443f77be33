"""Every fault injected into a running simulator through its control socket."""

from __future__ import annotations

import subprocess
import sys
import time

import serial

from devices.protocol import parse_conditions, parse_pressure
from tests.support.host import Host
from tests.support.simulator_process import REPO_ROOT, SimulatorProcess, wait_until


def ready_host(sim: SimulatorProcess, pump: int = 1) -> Host:
    host = Host(sim.open_serial(pump))
    assert host.ask("0") == "00A?R"
    return host


def pressure(host: Host) -> float:
    reply = host.ask("0XPR")
    return parse_pressure(reply[3:])


def start_infusion(host: Host, rate: str = "100MH") -> None:
    assert host.ask(f"0RAT{rate}") == "00S"
    assert host.ask("0RUN") == "00I"


def test_occlusion_stalls_the_pump_at_its_limit(simulator: SimulatorProcess) -> None:
    host = ready_host(simulator)
    start_infusion(host, "200MH")
    assert 5.0 < pressure(host) < 30.0
    assert simulator.control(op="inject", pump=1, fault="occlusion") == {"ok": True}
    # 200 mL/h into 0.002 mL/mmHg: ~28 mmHg/s simulated, 20x: the limit in about 1 s.
    assert wait_until(lambda: host.ask("0") == "00A?S", timeout_s=10.0)
    assert host.ask("0") == "00P"
    assert pressure(host) > 400.0
    status = simulator.control(op="status", pump=1)["pumps"][0]
    assert status["labels"] == ["occlusion"] and status["status"] == "P"
    assert simulator.control(op="clear", pump=1, fault="occlusion") == {"ok": True}
    assert wait_until(lambda: pressure(host) < 30.0, timeout_s=10.0)


def test_dislodgement_infiltration_and_air_show_in_the_extension(
    simulator: SimulatorProcess,
) -> None:
    host = ready_host(simulator)
    start_infusion(host, "100MH")
    before = pressure(host)
    simulator.control(op="inject", pump=1, fault="dislodgement")
    assert wait_until(lambda: pressure(host) < before - 5.0, timeout_s=5.0)
    simulator.control(op="clear", pump=1)
    simulator.control(op="inject", pump=1, fault="infiltration", params={"fraction": 1.0})
    simulator.control(op="set", pump=1, values={"tissue_stiffness_mmhg_per_ml": 20.0})
    assert wait_until(lambda: pressure(host) > before + 10.0, timeout_s=10.0)
    assert parse_conditions(host.ask("0XCN")[3:]).air_in_line is False
    simulator.control(op="inject", pump=1, fault="air_in_line")
    assert parse_conditions(host.ask("0XCN")[3:]).air_in_line is True


def test_low_battery_drains_to_dark_then_mains_brings_alarm_r(
    simulator: SimulatorProcess,
) -> None:
    host = ready_host(simulator)
    reply = simulator.control(
        op="inject", pump=1, fault="low_battery",
        params={"level_percent": 1.0, "drain_percent_per_h": 360.0},
    )
    assert reply == {"ok": True}
    assert parse_conditions(host.ask("0XCN")[3:]).battery_percent in (0, 1)
    start_infusion(host, "10MH")
    # 1 % at 360 %/h: 10 simulated seconds, half a second real.
    assert wait_until(lambda: host.silent("0", wait_s=0.2), timeout_s=10.0)
    simulator.control(op="clear", pump=1, fault="low_battery")
    assert host.ask("0") == "00A?R"
    assert host.ask("0") == "00S"
    assert parse_conditions(host.ask("0XCN")[3:]).battery_percent == 100


def test_pulled_cable_silent_then_plugged_back(simulator: SimulatorProcess) -> None:
    host = ready_host(simulator)
    simulator.control(op="pull_cable", pump=1)
    assert host.silent("0VER")
    simulator.control(op="plug_cable", pump=1)
    assert host.ask("0VER") == "00SNE1000V3.928"


def test_pulled_cable_close_mode_closes_and_reopens_the_port(tmp_path: object) -> None:
    from pathlib import Path

    link_dir = tmp_path / "links" / "not-yet-made"  # the simulator creates it
    with SimulatorProcess(speed=5, extra_args=["--link-dir", str(link_dir)]) as sim:
        link = link_dir / "pump1"
        assert link.resolve() == Path(sim.ports[0].port)
        host = ready_host(sim)
        sim.control(op="pull_cable", pump=1, mode="close")
        # The host sees the line drop: a read on a hung-up pty fails or returns nothing.
        def hung_up() -> bool:
            try:
                return host.silent("0", wait_s=0.1)
            except serial.SerialException:
                return True
        assert wait_until(hung_up, timeout_s=5.0)
        sim.control(op="plug_cable", pump=1)
        event = sim.read_event()
        assert event["event"] == "reopened" and event["pump"] == 1
        assert link.resolve() == Path(event["port"])
        again = Host(serial.serial_for_url(event["port"], baudrate=19200, timeout=2.0))
        try:
            assert again.ask("0VER") == "00SNE1000V3.928"
        finally:
            again.link.close()
        assert sim.stop() == 0


def test_garbled_replies_then_clean_again(simulator: SimulatorProcess) -> None:
    link = simulator.open_serial(1)
    simulator.control(op="inject", pump=1, fault="garbled", params={"probability": 1.0})
    seen = []
    for _ in range(5):
        link.write(b"0VER\r")
        link.timeout = 0.3
        seen.append(bytes(link.read(17)))
    assert all(reply != b"\x0200SNE1000V3.928\x03" for reply in seen)
    simulator.control(op="clear", pump=1, fault="garbled")
    link.reset_input_buffer()
    host = Host(link)
    assert host.ask("0VER") in ("00A?R", "00SNE1000V3.928")


def test_slow_replies_are_delayed(simulator: SimulatorProcess) -> None:
    host = ready_host(simulator)
    simulator.control(op="inject", pump=1, fault="slow_replies", params={"delay_s": 0.4})
    started = time.monotonic()
    assert host.ask("0VER") == "00SNE1000V3.928"
    assert time.monotonic() - started >= 0.4
    simulator.control(op="clear", pump=1, fault="slow_replies")
    started = time.monotonic()
    assert host.ask("0VER") == "00SNE1000V3.928"
    assert time.monotonic() - started < 0.3


def test_power_cycle_gives_alarm_r_and_keeps_safe_mode(simulator: SimulatorProcess) -> None:
    host = ready_host(simulator)
    start_infusion(host)
    assert host.ask("0SAF100") == "00I"
    assert simulator.control(op="power_cycle", pump=1) == {"ok": True}
    unasked = host.reply()
    assert (unasked.mode.value, unasked.payload) == ("safe", b"00A?R")
    assert host.ask("0", safe=True) == "00A?R"
    assert host.ask("0", safe=True) == "00S"
    assert host.ask("0RAT", safe=True) == "00S100.0MH"


def test_control_errors_name_the_problem(simulator: SimulatorProcess) -> None:
    assert "unknown fault 'jam'" in simulator.control(op="inject", pump=1, fault="jam")["error"]
    assert "no pump 7" in simulator.control(op="status", pump=7)["error"]
    reply = simulator.control(op="inject", pump=1, fault="occlusion", params={"severity": 3})
    assert "occlusion.severity must be within" in reply["error"]
    assert "unknown op" in simulator.control(op="explode")["error"]
    faults = simulator.control(op="faults")["faults"]
    assert faults["garbled"] == {"probability": {"default": 0.2, "min": 0.0, "max": 1.0}}


def test_control_subcommand_client(simulator: SimulatorProcess) -> None:
    socket_path = str(simulator.ports[0].control)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "devices.simulator", "control", "--socket", socket_path,
             *args],
            capture_output=True, text=True, cwd=REPO_ROOT, timeout=30, check=False,
        )

    done = run("inject", "1", "occlusion", "severity=0.5", "--duration", "60")
    assert done.returncode == 0, done.stderr
    status = run("status", "1")
    assert '"occlusion"' in status.stdout and '"severity": 0.5' in status.stdout
    refused = run("inject", "1", "teleport")
    assert refused.returncode == 1 and "unknown fault" in refused.stdout
