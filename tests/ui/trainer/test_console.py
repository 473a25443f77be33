"""The trainer's console against a real `pump-sim` process (pytest-qt, offscreen)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from devices.simulator import cli as sim_cli
from devices.simulator.control import request
from ui.trainer.app import open_console, run_trainer
from ui.trainer.window import TrainerWindow

TIMEOUT_MS = 20000


@pytest.fixture
def console(qtbot: QtBot, tmp_path: Path) -> Iterator[TrainerWindow]:
    window = open_console(["--pumps", "2", "--speed", "20", "--runs-dir", str(tmp_path)])
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: bool(window.faults.catalogue), timeout=TIMEOUT_MS)
    yield window
    window.close()


def _status(window: TrainerWindow, pump: int) -> dict[str, Any]:
    assert window.link.control is not None
    reply = request(window.link.control, {"op": "status", "pump": pump})
    return dict(reply["pumps"][0])


def test_the_console_shows_each_pump_s_port_and_live_state(
        console: TrainerWindow, qtbot: QtBot) -> None:
    model = console.pumps
    assert model.rowCount() == 2
    assert [model.index(r, 1).data() for r in range(2)] == [p["port"] for p in console.link.ports]
    assert model.index(0, 1).data().startswith("/dev/pts/")
    qtbot.waitUntil(lambda: model.index(1, 7).data() not in ("", None), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(console.plot.series(1)[0]) >= 3, timeout=TIMEOUT_MS)
    times, _ = console.plot.series(1)
    assert list(times) == sorted(times)


def test_every_fault_can_be_injected_and_cleared(console: TrainerWindow, qtbot: QtBot) -> None:
    faults = list(console.faults.catalogue)
    assert set(faults) == {"occlusion", "dislodgement", "infiltration", "air_in_line",
                           "low_battery", "pulled_cable", "garbled", "slow_replies",
                           "power_cycle"}
    console.faults.pump.setCurrentText("pump 2")
    for fault in faults:
        console.faults.select(fault)
        console.faults.inject_button.click()
        qtbot.waitUntil(lambda f=fault: console.message.text() == f"injected {f}",
                        timeout=TIMEOUT_MS)
    present = _status(console, 2)["faults"]
    assert set(present) == set(faults) - {"power_cycle"}
    console.faults.select("occlusion", severity=0.4)
    console.faults.for_s.setValue(600)
    console.faults.pump.setCurrentText("pump 1")
    console.faults.inject_button.click()
    qtbot.waitUntil(lambda: "occlusion (severity=0.4, until" in (
        console.pumps.index(0, 9).data() or ""), timeout=TIMEOUT_MS)
    console.faults.clear_button.click()
    qtbot.waitUntil(lambda: console.pumps.index(0, 9).data() == "", timeout=TIMEOUT_MS)
    console.faults.pump.setCurrentText("pump 2")
    console.faults.clear_all_button.click()
    qtbot.waitUntil(lambda: not _status(console, 2)["faults"], timeout=TIMEOUT_MS)


def test_a_fault_can_wait_for_its_simulated_time(console: TrainerWindow, qtbot: QtBot) -> None:
    console.faults.select("dislodgement")
    console.faults.in_s.setValue(40)
    start = console.time_s
    console.faults.inject_button.click()
    assert console.faults.pending.text().startswith("Waiting: dislodgement at ")
    assert "dislodgement" not in _status(console, 1)["faults"]
    qtbot.waitUntil(lambda: "dislodgement" in (console.pumps.index(0, 9).data() or ""),
                    timeout=TIMEOUT_MS)
    assert console.time_s >= start + 40 and console.faults.pending.text() == ""


SCENARIO = """\
title = "Console test"
description = "A prompt, then an occlusion."

[[step]]
at_s = 0
stand_in = true
keypad = ["RAT 100 MH", "RUN"]

[[step]]
at_s = 20
prompt = "Play the patient: 'my arm hurts'."

[[step]]
at_s = 600
inject = "occlusion"
"""


def test_a_scenario_runs_pauses_speeds_up_and_stops(
        console: TrainerWindow, qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "console.toml"
    path.write_text(SCENARIO)
    panel = console.scenario
    panel.add_file(path)
    panel.load_button.click()
    qtbot.waitUntil(lambda: panel.heading.text() == "Console test (loaded)", timeout=TIMEOUT_MS)
    assert panel.description.text() == "A prompt, then an occlusion."
    panel.stand_in.setChecked(True)
    panel.start_button.click()
    qtbot.waitUntil(panel.prompt.isVisible, timeout=TIMEOUT_MS)
    assert panel.prompt.text() == "0:20  Play the patient: 'my arm hurts'."
    assert _status(console, 1)["rate_ml_h"] == 100
    panel.pause_button.click()
    qtbot.waitUntil(panel.resume_button.isEnabled, timeout=TIMEOUT_MS)
    assert panel.heading.text() == "Console test (paused)"
    panel.speed.setValue(60)
    qtbot.waitUntil(lambda: request(console.link.control, {"op": "scenario",  # type: ignore[arg-type]
                                                           "action": "status"})["speed"] == 60,
                    timeout=TIMEOUT_MS)
    panel.resume_button.click()
    qtbot.waitUntil(lambda: "(running)" in panel.heading.text(), timeout=TIMEOUT_MS)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: panel.heading.text() == "Console test (stopped)", timeout=TIMEOUT_MS)
    assert "occlusion" not in _status(console, 1)["faults"]  # stopped before 600 s
    assert panel.log.rowCount() == 2


def test_a_recorded_run_replays(console: TrainerWindow, qtbot: QtBot, tmp_path: Path) -> None:
    record = console.recording
    folder = Path(record.folder.text())
    record.record_button.click()
    qtbot.waitUntil(record.stop_button.isEnabled, timeout=TIMEOUT_MS)
    console.faults.select("air_in_line")
    console.faults.inject_button.click()
    qtbot.waitUntil(lambda: console.message.text() == "injected air_in_line", timeout=TIMEOUT_MS)
    record.stop_button.click()
    qtbot.waitUntil(lambda: record.files.text().startswith("Recorded: pump1.csv, pump2.csv, "
                                                           "run.json"), timeout=TIMEOUT_MS)
    assert (folder / "pump1.csv").stat().st_size > 0
    console.faults.clear_all_button.click()
    qtbot.waitUntil(lambda: not _status(console, 1)["faults"], timeout=TIMEOUT_MS)
    record.replay_run(folder)
    panel = console.scenario
    qtbot.waitUntil(lambda: panel.heading.text().startswith("Recorded run "), timeout=TIMEOUT_MS)
    panel.start_button.click()
    qtbot.waitUntil(lambda: "air_in_line" in _status(console, 1)["faults"], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: panel.log.rowCount() == 1, timeout=TIMEOUT_MS)
    assert panel.log.entries[0].text == "pump 1: inject air_in_line"


def test_stopping_the_simulator_empties_the_console(console: TrainerWindow, qtbot: QtBot) -> None:
    control = console.link.control
    assert control is not None
    console.stop_button.click()
    assert console.pumps.rowCount() == 0 and console.start_button.isEnabled()
    qtbot.waitUntil(lambda: not control.exists(), timeout=TIMEOUT_MS)


def test_pump_sim_gui_hands_over_to_the_console(monkeypatch: pytest.MonkeyPatch) -> None:
    executed: list[list[str]] = []

    def fake_execv(path: str, command: list[str]) -> None:  # exec would end this test
        executed.append(command)

    monkeypatch.setattr(sim_cli.os, "execv", fake_execv)
    sim_cli.main(["--gui", "--pumps", "3", "--scenario", "x.toml"])
    assert executed[0][1:] == ["-m", "ui.cli", "trainer", "--pumps", "3", "--scenario", "x.toml"]


def test_bad_console_options_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_trainer(["--pumps", "9"]) == 2
    assert "--pumps must be 1-8" in capsys.readouterr().err


def test_the_pump_s_own_keys_program_run_and_stop_it(console: TrainerWindow, qtbot: QtBot) -> None:
    panel = console.faults
    panel.pump.setCurrentText("pump 1")
    panel.key_buttons["Run"].click()  # no rate yet: the pump refuses
    qtbot.waitUntil(lambda: "keypad RUN refused" in console.message.text(), timeout=TIMEOUT_MS)
    panel.rate.setValue(80)
    panel.key_buttons["Set rate"].click()
    panel.key_buttons["Run"].click()
    qtbot.waitUntil(lambda: console.message.text() == "pressed RUN at the pump",
                    timeout=TIMEOUT_MS)
    assert _status(console, 1)["rate_ml_h"] == 80
    panel.key_buttons["Stop"].click()
    qtbot.waitUntil(lambda: _status(console, 1)["rate_ml_h"] == 0, timeout=TIMEOUT_MS)


def test_a_simulator_that_does_not_answer_never_freezes_the_window(
        qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "silent.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(path))
        silent.listen(1)  # connections wait in the backlog; nothing ever answers
        window = open_console(["--control", str(path)])
        qtbot.addWidget(window)
        window.show()
        ticks: list[int] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(50)
        try:
            qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=TIMEOUT_MS)
            assert window.link.runner.busy  # the request is still waiting, on the worker
            qtbot.waitUntil(lambda: "cannot be reached" in window.message.text(),
                            timeout=TIMEOUT_MS)
        finally:
            timer.stop()
            window.close()
    assert window.pumps.rowCount() == 0
