"""A titration step confirmed in the bar reaches the pump and the plot."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.services.world import World, start_running
from tests.ui.workflows.conftest import SimPump
from tests.ui.workflows.shots import screenshot_path
from ui.models.series_buffer import MarkerKind, SeriesBuffer
from ui.workflows.pump_commands import program_and_run
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.titration_bar import TitrationBar


def test_a_confirmed_step_sets_the_pump_and_marks_the_plot(
        qtbot: QtBot, world: World, sim_pump: SimPump, runner: ServiceRunner) -> None:
    infusion_id = start_running(world)  # ocrelizumab later doses: 40 mL/h, +40 every 30 min
    program_and_run(sim_pump.poller, 40.0, 500.0)
    buffer = SeriesBuffer()
    bar = TitrationBar(world.svc, runner, sim_pump.poller, infusion_id, buffer=buffer)
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    bar.activateWindow()
    qtbot.waitUntil(bar.isActiveWindow)
    qtbot.waitUntil(lambda: "Next: 80 mL/h at 09:00 (in 30:00)" in bar.next_label.text())
    assert "Now 40 mL/h" in bar.now_label.text()
    assert not bar.confirm_button.isEnabled()

    world.clock.advance(20)
    bar.confirm()  # too early: the service says so, the pump is untouched
    qtbot.waitUntil(lambda: "Step not confirmed" in bar.message)
    assert sim_pump.status()["rate_ml_h"] == 40.0
    assert "not due" in bar.message.lower(), bar.message

    world.clock.advance(10)
    bar.refresh()
    assert bar.confirm_button.isEnabled() and "DUE NOW" in bar.next_label.text()
    bar.resize(1200, 140)
    bar.grab().save(screenshot_path("workflow-titration-bar.png"))
    with qtbot.waitSignal(bar.step_confirmed, timeout=10000) as confirmed:
        QTest.keyClick(bar, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # the shortcut
    assert confirmed.args == [80.0], bar.message
    assert sim_pump.status()["rate_ml_h"] == 80.0
    assert [m.label for m in buffer.markers if m.kind is MarkerKind.TITRATION] == [
        "step 2: 80 mL/h"]
    view = world.svc.titration.view(infusion_id)
    assert view is not None and view.rate_ml_h == 80.0
    assert "Now 80 mL/h" in bar.now_label.text() and "Next: 120 mL/h" in bar.next_label.text()
