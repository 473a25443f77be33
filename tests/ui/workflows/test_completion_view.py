"""Completion: end short with a reason, pump stopped, observation countdown, discharge."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station.persistence.scheduling import Appointment, AppointmentStatus
from tests.services.world import NORMAL_VITALS, World, start_running
from tests.ui.workflows.conftest import SimPump
from tests.ui.workflows.shots import screenshot_path
from ui.workflows.completion_view import CompletionView
from ui.workflows.pump_commands import program_and_run
from ui.workflows.service_runner import ServiceRunner


def test_end_short_observe_and_discharge_with_a_summary(
        qtbot: QtBot, world: World, sim_pump: SimPump, runner: ServiceRunner) -> None:
    infusion_id = start_running(world)
    program_and_run(sim_pump.poller, 40.0, 500.0)
    world.clock.advance(30)
    view = CompletionView(world.svc, runner, sim_pump.poller, infusion_id,
                          world.appointment_id)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.volumes.text() == "20 of 500 mL given (1 segment: 20 mL)")
    print(view.volumes.text())

    view.end_button.click()
    qtbot.waitUntil(lambda: "Not ended" in view.message)
    assert view.shortfall.isVisible() and sim_pump.status()["status"] == "I"
    view.shortfall.setText("patient asked to stop, prescriber informed")
    with qtbot.waitSignal(view.completed, timeout=10000):
        view.end_button.click()
    assert sim_pump.status()["status"] != "I"
    assert "Observation until 10:00 (in 1:00:00)" in view.observation.text()

    view.discharge_button.click()
    qtbot.waitUntil(lambda: "Not yet" in view.message)
    world.clock.advance(60)
    view.refresh()
    assert "Observation over" in view.observation.text()  # its advisory: the monitoring's
    world.svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                         taken_at=world.clock.now)
    with qtbot.waitSignal(view.discharged, timeout=5000) as discharged:
        view.discharge_button.click()
    summary = discharged.args[0]
    assert "MRN-1" in summary and "20 of 500 mL given" in summary
    assert "Ended short: patient asked to stop" in summary and "discharged 10:00" in summary
    view.resize(1000, 600)
    QApplication.processEvents()
    view.grab().save(screenshot_path("workflow-completion.png"))
    with world.sessions() as session:
        appointment = session.get(Appointment, world.appointment_id)
        assert appointment is not None and appointment.status is AppointmentStatus.COMPLETED
