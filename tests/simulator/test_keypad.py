"""The pump's own keys: a nurse changes the pump while the station's cable is out."""

from __future__ import annotations

import numpy as np

from devices.simulator.control import handle_request
from devices.simulator.fleet import Fleet
from devices.simulator.unit import PumpUnit
from tests.simulator.conftest import PumpBench
from tests.simulator.test_process_faults import ready_host
from tests.support.simulator_process import SimulatorProcess


def test_keypad_runs_a_command_without_feeding_the_watchdog() -> None:
    bench = PumpBench().ready()
    bench.basic("SAF5")
    assert bench.pump.safe_mode
    assert bench.pump.keypad("RAT120MH").to_text() == "00S"
    assert bench.pump.keypad("RUN").to_text() == "00I"
    assert bench.pump.mechanics.flow_ml_h() == 120.0
    bench.advance(6.0)  # the keys fed nothing: the watchdog still runs out
    assert bench.pump.alarm is not None and bench.pump.mechanics.flow_ml_h() == 0.0


def test_keypad_refuses_while_the_pump_is_dark() -> None:
    bench = PumpBench().ready()
    bench.pump.power_off()
    fleet_reply = handle_request(_fleet(bench), {"op": "keypad", "pump": 1, "command": "RUN"},
                                 list)
    assert fleet_reply["ok"] is False and "keypad RUN refused" in fleet_reply["error"]


def test_keypad_needs_a_command_the_pump_has() -> None:
    for request in ({"op": "keypad", "pump": 1}, {"op": "keypad", "pump": 1, "keys": ["SAF5"]}):
        reply = handle_request(_fleet(PumpBench()), request, list)
        assert reply["ok"] is False and "not one of the pump's keys" in reply["error"]


def test_keypad_through_the_control_socket_while_the_cable_is_out(
        simulator: SimulatorProcess) -> None:
    host = ready_host(simulator)
    simulator.control(op="pull_cable", pump=1)
    assert simulator.control(op="keypad", pump=1, command="RAT 150 MH") == {
        "ok": True, "replies": ["00S"]}
    assert simulator.control(op="keypad", pump=1, command="RUN")["replies"] == ["00I"]
    assert host.silent("0RAT")
    simulator.control(op="plug_cable", pump=1)
    assert host.ask("0RAT") == "00I150.0MH"


def _fleet(bench: PumpBench) -> Fleet:
    return Fleet([PumpUnit(1, bench.pump, np.random.default_rng(0))])


def test_a_recorded_keypad_command_replays_as_its_keys() -> None:
    from devices.simulator.control import _as_step

    assert _as_step({"op": "keypad", "pump": 1, "command": "RUN"}) == {
        "pump": 1, "keypad": ["RUN"]}
    assert _as_step({"op": "keypad", "pump": 1, "keys": ["RAT 50 MH", "RUN"]}) == {
        "pump": 1, "keypad": ["RAT 50 MH", "RUN"]}
