"""At 1366x768 with an alarm showing, the chair's plots and numerics stay readable."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.alarms.alarm_banner import TOUCH_PX
from ui.chairside.app import Demo
from ui.chairside.main_window import ALARM_LIST_NARROW_PX

WAIT_MS = 20000
PLOT_MIN_PX = 300  # three value panes of ~70 px with two-line titles, one marker lane


def test_with_an_alarm_the_plot_keeps_300_px_and_the_numerics_one_line(
        demo: Demo, qtbot: QtBot) -> None:
    window = demo.station.window
    assert (window.width(), window.height()) == (1366, 768)
    c2 = window.chair("C2")
    assert window.tabs is not None
    window.tabs.setCurrentWidget(c2)
    qtbot.waitUntil(lambda: len(c2.buffer) > 5 and c2.due is not None, timeout=WAIT_MS)
    demo.simulator.control(op="inject", pump=2, fault="occlusion", params={"severity": 1.0})
    qtbot.waitUntil(lambda: c2.alarm_banner.isVisible()
                    and c2.alarm_banner.shown is not None
                    and c2.alarm_banner.shown.condition == "pump_stall", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: c2.plot.compact, timeout=WAIT_MS)  # after the re-layout

    assert c2.plot.height() >= PLOT_MIN_PX
    for pane in (c2.plot.rate_plot, c2.plot.volume_plot, c2.plot.pressure_plot):
        title = pane.getAxis("left").label  # two lines, turned: its width is its height
        assert title.boundingRect().width() <= pane.geometry().height()
    assert window.alarm_list.width() <= ALARM_LIST_NARROW_PX
    assert c2.numerics.compact
    for name, label in c2.numerics.values.items():
        line = label.fontMetrics().lineSpacing()
        assert label.height() < 2 * line, f"{name} ({label.text()!r}) wraps"
        assert label.width() >= label.sizeHint().width(), f"{name} is cut"
    # The view buttons moved into the due times' row, still touch-sized.
    assert c2.plot.controls.parentWidget() is c2
    for button in (c2.plot.follow_button, c2.plot.whole_button,
                   window.alarm_list.ack_button, window.alarm_list.reset_button):
        assert button.height() >= TOUCH_PX
    # Everything of the chair is on screen: nothing is pushed out at the bottom.
    bottom = c2.action_bar.mapTo(window, c2.action_bar.rect().bottomLeft()).y()
    assert bottom <= window.height()
