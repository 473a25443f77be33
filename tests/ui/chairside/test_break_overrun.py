"""A bathroom break's overrun alarm rises on time after its window was closed: the
monitoring service raises it from the stored pause, the window only shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from station.alarms import Priority
from station.persistence.alarms import Alarm, AlarmTransition
from ui.chairside.action_bar import Action
from ui.chairside.app import no_sound, open_demo
from ui.workflows.break_panel import BreakPanel

WAIT_MS = 20000


@dataclass
class SettableClock:
    """The services' (and so the monitoring's) wall clock: real time, plus the jumps the
    test makes; nothing sleeps. It keeps running so that samples keep their order."""

    shift: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


def test_break_overrun_is_raised_with_the_break_window_closed(qtbot: QtBot) -> None:
    clock = SettableClock()
    with open_demo(2, 10.0, 6, running=1, sound=no_sound, grid=False, clock=clock) as demo:
        window = demo.station.window
        window.show()
        window.start()
        c1 = window.chair("C1")
        qtbot.waitUntil(lambda: c1.buffer.last_sample is not None
                        and c1.buffer.last_sample.rate_ml_h == 40.0, timeout=WAIT_MS)
        qtbot.waitUntil(c1.action_bar.buttons[Action.BREAK].isEnabled, timeout=WAIT_MS)
        window.activateWindow()
        c1.setFocus()
        QTest.keyClick(c1, Qt.Key.Key_F4)  # the chair's shortcut, with the focus in it
        assert c1.break_window is not None
        panel = c1.break_window.view
        assert isinstance(panel, BreakPanel)
        qtbot.waitUntil(panel.break_button.isEnabled, timeout=WAIT_MS)
        panel.break_button.click()
        qtbot.waitUntil(lambda: c1.patient is not None and c1.patient.paused_since is not None,
                        timeout=WAIT_MS)
        assert c1.state().text.startswith("Paused")
        c1.break_window.close()
        assert not panel.isVisible()

        # The countdown to the first overrun alarm, from the monitoring's schedule.
        qtbot.waitUntil(lambda: ", alarm in " in c1.state().text, timeout=WAIT_MS)
        assert c1.state().text.split(", alarm in ")[1] in {"10:00", "9:59", "9:58"}
        clock.shift += timedelta(minutes=45)  # past the drug's high pause threshold
        qtbot.waitUntil(lambda: (alarm := c1.parts.alarms.alarm("pause_overrun")) is not None
                        and alarm.priority is Priority.HIGH, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: c1.alarm_banner.shown is not None
                        and c1.alarm_banner.shown.condition == "pause_overrun", timeout=WAIT_MS)
        assert c1.state().text == "Alarm: Pause overrun"
        tabs = window.tabs
        assert tabs is not None
        qtbot.waitUntil(lambda: tabs.tabText(0) == "C1: Alarm: Pause overrun",
                        timeout=WAIT_MS)
        # Stored by the monitoring service, with the window's help nowhere.
        demo.monitoring.stop()
        with demo.sessions() as session:
            alarm = session.scalars(sa.select(Alarm).where(Alarm.code == "pause_overrun")).one()
            kinds = session.scalars(sa.select(AlarmTransition.kind)
                                    .where(AlarmTransition.alarm_id == alarm.id)
                                    .order_by(AlarmTransition.id)).all()
        # 45 min at once: raised straight at high (the 10-then-20-min steps are in
        # tests/monitoring/test_schedule_alarms.py).
        assert (alarm.priority.value, [k.value for k in kinds][:1]) == ("high", ["raised"])
