"""The whole bathroom break through the panel: real services on SQLite, a real pump."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station.domain.pauses import PauseAlarmLevel
from station.persistence.delivery import Infusion, InfusionStatus, Pause
from station.persistence.event_store import EventStore
from station.persistence.events import InfusionEventKind
from tests.services.world import World, start_running
from tests.ui.workflows.conftest import SimPump
from tests.ui.workflows.shots import screenshot_path
from ui.workflows.break_panel import BreakPanel
from ui.workflows.pump_commands import program_and_run
from ui.workflows.service_runner import ServiceRunner


def _running(world: World, sim_pump: SimPump) -> int:
    infusion_id = start_running(world)
    program_and_run(sim_pump.poller, 40.0, 500.0)
    return infusion_id


def test_bathroom_break_pause_countdown_overrun_resume_all_stored(
        qtbot: QtBot, world: World, sim_pump: SimPump, runner: ServiceRunner) -> None:
    infusion_id = _running(world, sim_pump)
    assert sim_pump.status()["status"] == "I"
    # The overrun alarm itself is the monitoring service's (tests/monitoring/
    # test_schedule_alarms.py, and the window's in tests/ui/chairside/test_break_overrun.py):
    # the panel shows the countdown and the level.
    panel = BreakPanel(world.svc, runner, sim_pump.poller, infusion_id, tick_ms=50)
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitUntil(lambda: not runner.busy)
    assert panel.break_button.isVisible() and not panel.resume_same.isVisible()
    assert panel.break_button.minimumHeight() >= 44

    world.clock.advance(5)
    with qtbot.waitSignal(panel.paused, timeout=10000):
        panel.break_button.click()
    assert sim_pump.status()["status"] in {"S", "P"}
    assert "bathroom break" in panel.status.text()
    assert "NEEDS HELP TO WALK" in panel.walking.text()  # diphenhydramine was given
    assert "reminder in 10:00" in panel.countdown.text()
    QApplication.processEvents()  # let the layout take the new texts before the picture
    panel.grab().save(screenshot_path("workflow-break-panel.png"))

    # The library's thresholds: medium at 10 min, high at 20 min; the clock moves, no sleep.
    levels: list[int] = []
    panel.overrun_level_changed.connect(levels.append)
    world.clock.advance(9)
    panel.refresh()
    assert "reminder in 1:00" in panel.countdown.text() and panel.level is PauseAlarmLevel.NONE
    world.clock.advance(2)
    with qtbot.waitSignal(panel.overrun_level_changed, timeout=2000):
        pass  # the panel's own timer notices
    assert panel.level is PauseAlarmLevel.MEDIUM
    assert "high alarm in 9:00" in panel.countdown.text()
    world.clock.advance(10)
    panel.refresh()
    assert levels == [PauseAlarmLevel.MEDIUM, PauseAlarmLevel.HIGH]
    assert "OVER TIME (high alarm)" in panel.countdown.text()
    QApplication.processEvents()
    panel.grab().save(screenshot_path("workflow-break-panel-overrun.png"))

    with qtbot.waitSignal(panel.resumed, timeout=10000) as resumed:
        panel.resume_same.click()
    assert resumed.args == [40.0]
    assert sim_pump.status()["status"] == "I" and sim_pump.status()["rate_ml_h"] == 40.0
    assert levels[-1] == PauseAlarmLevel.NONE and panel.level is PauseAlarmLevel.NONE
    assert panel.break_button.isVisible() and "running again at 40 mL/h" in panel.message

    with world.sessions() as session:
        infusion = session.get(Infusion, infusion_id)
        assert infusion is not None and infusion.status is InfusionStatus.RUNNING
        pause = session.scalars(sa.select(Pause)).one()
        assert pause.reason == "bathroom break" and pause.needs_walking_help
        assert pause.ended_at is not None
        assert pause.ended_at.replace(tzinfo=None) - pause.started_at.replace(
            tzinfo=None) == timedelta(minutes=21)
    kinds = [e.kind for e in EventStore(world.sessions).for_infusion(infusion_id)]
    assert kinds == [InfusionEventKind.DELIVERY_START, InfusionEventKind.DELIVERY_STOP,
                     InfusionEventKind.DELIVERY_START]


def test_without_a_link_to_the_pump_the_nurse_is_told_and_nothing_is_stored(
        qtbot: QtBot, world: World, sim_pump: SimPump, runner: ServiceRunner) -> None:
    infusion_id = _running(world, sim_pump)
    panel = BreakPanel(world.svc, runner, sim_pump.poller, infusion_id)
    qtbot.addWidget(panel)
    panel.show()
    sim_pump.poller.close()  # the cable is out: the command cannot be sent
    panel.break_button.click()
    qtbot.waitUntil(lambda: "No link to the pump" in panel.message)
    assert "Traceback" not in panel.message and panel.break_button.isEnabled()
    assert world.svc.pauses.current(infusion_id) is None
    with world.sessions() as session:
        assert session.scalars(sa.select(Pause)).first() is None


def test_resume_at_half_restarts_the_pump_at_the_rate_the_record_says(
        qtbot: QtBot, world: World, sim_pump: SimPump, runner: ServiceRunner) -> None:
    infusion_id = start_running(world)
    program_and_run(sim_pump.poller, 40.0, 500.0)
    panel = BreakPanel(world.svc, runner, sim_pump.poller, infusion_id)
    qtbot.addWidget(panel)
    panel.show()
    world.clock.advance(5)
    with qtbot.waitSignal(panel.paused, timeout=10000):
        panel.break_button.click()
    world.clock.advance(4)
    with qtbot.waitSignal(panel.resumed, timeout=10000) as resumed:
        QTest.keyClick(panel, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    rate = resumed.args[0]
    assert rate == 20.0  # half of 40 mL/h
    assert sim_pump.status()["status"] == "I" and sim_pump.status()["rate_ml_h"] == rate
    [start] = [e for e in EventStore(world.sessions).for_infusion(infusion_id)
               if e.kind is InfusionEventKind.DELIVERY_START][-1:]
    assert start.rate_ml_h == rate
