"""The workstation window over a real simulator, MonitoringService and SQLite file."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from station.persistence.alarms import Alarm, AlarmTransition, AlarmTransitionKind
from ui.chairside.action_bar import Action
from ui.chairside.app import Demo, no_sound, open_demo
from ui.chairside.chair_state import ChairState

WAIT_MS = 20000


def state_of(demo: Demo, chair: str) -> str:
    return demo.station.window.chair(chair).banner.state.text()


def test_four_chairs_show_live_samples_in_plots_and_numerics(demo: Demo, qtbot: QtBot) -> None:
    window = demo.station.window
    assert [p.chair_id for p in window.panels] == ["C1", "C2", "C3", "C4"]
    assert window.training_mark.isVisible()
    c1, c2, c3 = window.chair("C1"), window.chair("C2"), window.chair("C3")
    qtbot.waitUntil(lambda: len(c1.buffer) > 10 and len(c2.buffer) > 10, timeout=WAIT_MS)
    # The demo programmed the pumps at the ordered rates: the plot's curve holds them.
    qtbot.waitUntil(lambda: c1.buffer.last_sample is not None
                    and c1.buffer.last_sample.rate_ml_h == 40.0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: c1.plot.rate_curve.getData()[1] is not None
                    and 40.0 in set(c1.plot.rate_curve.getData()[1]), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: c1.numerics.values["rate"].text().startswith("40.0"),
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: state_of(demo, "C1") == ChairState.INFUSING.value, timeout=WAIT_MS)
    assert c1.banner.name.text() == "JANSEN, Anna"
    assert "penicillin" in c1.banner.allergies.text()
    qtbot.waitUntil(lambda: state_of(demo, "C3") == ChairState.WAITING.value, timeout=WAIT_MS)
    qtbot.waitUntil(c3.action_bar.buttons[Action.CHECK_IN].isEnabled, timeout=WAIT_MS)
    assert not c3.action_bar.buttons[Action.TITRATE].isEnabled()
    assert window.tabs is not None and window.tabs.tabText(0) == "C1: Infusing"
    # Due checks are followed from the start: vitals were taken at the start.
    qtbot.waitUntil(lambda: c1.due is not None and "Vital signs" in c1.due.vitals.text(),
                    timeout=WAIT_MS)
    assert c1.parts.alarms.alarm("vital_signs_due") is None
    assert c3.due is None  # not before the infusion starts


def test_a_stall_shows_the_banner_and_the_alarm_list(demo: Demo, qtbot: QtBot) -> None:
    window = demo.station.window
    c2 = window.chair("C2")
    qtbot.waitUntil(lambda: len(c2.buffer) > 10, timeout=WAIT_MS)
    demo.simulator.control(op="inject", pump=2, fault="occlusion", params={"severity": 1.0})
    qtbot.waitUntil(lambda: c2.alarm_banner.shown is not None
                    and c2.alarm_banner.shown.condition == "pump_stall", timeout=WAIT_MS)
    assert c2.alarm_banner.isVisibleTo(c2)
    assert "HIGH" in c2.alarm_banner.badge.text()
    assert state_of(demo, "C2") == "Alarm: Pump stall"
    model = window.alarm_list.view.alarm_model
    qtbot.waitUntil(lambda: any(model.row_at(i).condition == "pump_stall"
                                and model.row_at(i).chair_id == "C2"
                                for i in range(model.rowCount())), timeout=WAIT_MS)


def test_acknowledge_from_the_window_is_stored(demo: Demo, qtbot: QtBot) -> None:
    window = demo.station.window
    c3 = window.chair("C3")
    qtbot.waitUntil(lambda: c3.snapshot is not None and c3.snapshot.pump is not None,
                    timeout=WAIT_MS)
    demo.simulator.control(op="pull_cable", pump=3, mode="silent")
    qtbot.waitUntil(lambda: c3.alarm_banner.shown is not None
                    and c3.alarm_banner.shown.condition == "link_lost", timeout=WAIT_MS)
    assert state_of(demo, "C3").startswith("Link lost")
    window.tabs.setCurrentWidget(c3)  # type: ignore[union-attr]
    qtbot.waitUntil(c3.alarm_banner.ack_button.isEnabled, timeout=WAIT_MS)
    c3.alarm_banner.ack_button.click()
    qtbot.waitUntil(lambda: any(a.condition == "link_lost" and a.state == "acknowledged"
                                for a in demo.monitoring.snapshot("C3").alarms),
                    timeout=WAIT_MS)
    with demo.sessions() as session:
        stored = session.execute(
            sa.select(AlarmTransition.actor_user_id)
            .join(Alarm, AlarmTransition.alarm_id == Alarm.id)
            .where(Alarm.code == "link_lost",
                   AlarmTransition.kind == AlarmTransitionKind.ACKNOWLEDGED)).all()
    assert stored == [(demo.services.context.actor.user_id,)]
    demo.simulator.control(op="plug_cable", pump=3)


def test_closing_the_window_stops_every_thread_and_timer(qtbot: QtBot) -> None:
    before = set(threading.enumerate())
    with open_demo(2, 10.0, 4, running=1, sound=no_sound, grid=True) as demo:
        window = demo.station.window
        window.show()
        window.start()
        panel = window.chair("C1")
        qtbot.waitUntil(lambda: len(panel.buffer) > 3, timeout=WAIT_MS)
        assert window.clock.timer.isActive()
        with qtbot.waitSignal(window.closed, timeout=WAIT_MS):
            window.close()
        assert not window.clock.timer.isActive()
    assert set(threading.enumerate()) <= before
