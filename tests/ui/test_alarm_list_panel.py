"""Actions on any alarm of the list: acknowledge, reset a latched one with its cause."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from station.alarms import CauseCode, TransitionKind
from tests.ui.alarm_fixtures import Chair
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.alarm_banner import TOUCH_PX
from ui.alarms.alarm_list_panel import AlarmListPanel


def make_panel(qtbot: QtBot, *chairs: Chair) -> AlarmListPanel:
    panel = AlarmListPanel({c.chair_id: AlarmActions(c.alarms, lambda: "rn-042")
                            for c in chairs})
    qtbot.addWidget(panel)
    return panel


def test_a_latched_alarm_behind_an_active_one_can_be_reset_with_its_cause(
        qtbot: QtBot) -> None:
    one, two = Chair("chair-1"), Chair("chair-2")
    two.alarms.raise_condition("pump_reset")
    two.alarms.clear_condition("pump_reset")  # latched, waiting for a reset
    two.alarms.raise_condition("air_in_line")  # high, active: the banner shows this one
    one.alarms.raise_condition("occlusion")
    panel = make_panel(qtbot, one, two)
    panel.refresh()
    conditions = [panel.view.alarm_model.row_at(r).condition for r in range(3)]
    assert conditions == ["air_in_line", "occlusion", "pump_reset"]  # equal times: by chair
    assert not panel.reset_button.isEnabled()
    panel.view.selectRow(2)
    assert panel.reset_button.isEnabled() and not panel.ack_button.isEnabled()
    panel.cause_box.setCurrentIndex(panel.cause_box.findData(CauseCode.PUMP_FAULT))
    panel.reset_button.click()
    reset = two.sink.transitions[-1]
    assert (reset.kind, reset.condition, reset.actor) == (TransitionKind.RESET, "pump_reset",
                                                          "rn-042")
    assert reset.cause is not None and reset.cause.code is CauseCode.PUMP_FAULT
    assert panel.view.alarm_model.rowCount() == 2


def test_acknowledge_goes_to_the_selected_alarm_chair(qtbot: QtBot) -> None:
    one, two = Chair("chair-1"), Chair("chair-2")
    one.alarms.raise_condition("occlusion")
    two.alarms.raise_condition("site_check_due")
    panel = make_panel(qtbot, one, two)
    panel.view.selectRow(1)
    assert panel.selected() is not None and panel.selected().chair_id == "chair-2"  # type: ignore[union-attr]
    panel.ack_button.click()
    assert two.sink.transitions[-1].kind is TransitionKind.ACKNOWLEDGED
    assert one.sink.kinds() == [TransitionKind.RAISED]
    assert panel.ack_button.minimumHeight() >= TOUCH_PX
    assert panel.reset_button.accessibleName() == "Reset selected"
