"""The console's models, checked by qtmodeltester with what a real simulator reports."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester

from tests.support.simulator_process import SimulatorProcess
from ui.trainer.prompt_model import LogEntry, PromptLogModel
from ui.trainer.pump_model import COLUMNS, PumpTableModel, faults_text


def test_the_pump_table_passes_qtmodeltester_with_a_simulator_s_replies(
        qtmodeltester: ModelTester) -> None:
    with SimulatorProcess(pumps=2, speed=10.0) as sim:
        ports = sim.control(op="ports")["pumps"]
        sim.control(op="inject", pump=2, fault="occlusion", params={"severity": 0.5},
                    duration_s=60)
        status = sim.control(op="status")["pumps"]
    model = PumpTableModel()
    qtmodeltester.check(model, force_py=True)
    model.set_ports(ports)  # the tester watches every change from here on
    model.update(status)
    assert model.rowCount() == 2 and model.columnCount() == len(COLUMNS)
    assert model.index(0, 1).data() == ports[0]["port"]
    assert model.index(1, 3).data() == "SN0002"
    assert model.index(1, 4).data() == "ALARM reset"  # nobody has polled it yet
    faults = model.index(1, 9).data()
    assert faults.startswith("occlusion (severity=0.5, until ") and model.index(0, 9).data() == ""
    model.set_ports([])
    assert model.rowCount() == 0


def test_the_scenario_log_passes_qtmodeltester_and_marks_prompts(
        qtmodeltester: ModelTester) -> None:
    model = PromptLogModel()
    qtmodeltester.check(model, force_py=True)
    model.append([LogEntry(0.0, "pump 1: keypad RUN", None),
                  LogEntry(1320.0, "prompt", "Play the patient."),
                  LogEntry(1330.0, "pump 1: keypad STP", None, ("pump 1: keypad STP refused",))])
    assert model.index(1, 0).data() == " 22:00  TRAINER: Play the patient."
    assert "REFUSED" in model.index(2, 0).data()
    assert model.latest_prompt() == model.entries[1]
    model.clear()
    assert model.rowCount() == 0


def test_fault_text_says_parameters_and_when_it_ends() -> None:
    assert faults_text({"garbled": {"probability": 0.2, "ends_at_s": None},
                        "dislodgement": {"ends_at_s": 90.0}}) == (
        "dislodgement (until 90 s); garbled (probability=0.2)")
