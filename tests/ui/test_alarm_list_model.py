"""The alarm list model: checked by qtmodeltester while alarms come, change and go."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from station.alarms import Cause, CauseCode, Priority
from tests.ui.alarm_fixtures import Chair
from ui.alarms.alarm_list_model import ALARM_ROW_ROLE, AlarmListModel, Column
from ui.alarms.alarm_list_view import AlarmListView
from ui.alarms.palette import STYLES
from ui.models.alarm_rows import countdown_text, rows_from


def cell(model: AlarmListModel, row: int, column: Column,
         role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
    return model.data(model.index(row, column), role)


def test_model_passes_qtmodeltester_through_a_life_of_alarms(qtmodeltester: ModelTester) -> None:
    one, two = Chair("chair-1"), Chair("chair-2")
    model = AlarmListModel()
    qtmodeltester.check(model, force_py=True)

    def show() -> None:
        model.set_rows(rows_from([one.alarms, two.alarms]))

    one.alarms.raise_condition("site_check_due")
    show()
    two.alarms.raise_condition("pump_stall")
    show()
    one.alarms.raise_condition("occlusion")
    show()
    assert [model.row_at(r).condition for r in range(model.rowCount())] == [
        "pump_stall", "occlusion", "site_check_due"]
    one.clock.advance(30)
    one.alarms.pause_audio("rn-1")
    show()
    assert "Audio paused" in str(cell(model, 1, Column.STATE))
    one.alarms.raise_condition("site_check_due", priority=Priority.HIGH)  # escalation: reorder
    show()
    # Both high, raised at the same time on their clocks: chair order breaks the tie.
    assert [model.row_at(r).condition for r in range(model.rowCount())] == [
        "site_check_due", "pump_stall", "occlusion"]
    two.alarms.clear_condition("pump_stall")  # latched: stays, waiting for reset
    show()
    assert cell(model, 1, Column.STATE) == "Condition over: reset needed"
    two.alarms.reset("pump_stall", "rn-1", Cause(CauseCode.LINE_KINKED))
    one.alarms.clear_condition("occlusion")
    show()
    assert [model.row_at(r).condition for r in range(model.rowCount())] == ["site_check_due"]
    model.set_rows([])
    assert model.rowCount() == 0


def test_priority_is_shown_as_symbol_word_and_colour(qtmodeltester: ModelTester) -> None:
    chair = Chair()
    chair.alarms.raise_condition("pump_stall")
    chair.alarms.raise_condition("occlusion")
    chair.alarms.raise_condition("site_check_due")
    model = AlarmListModel()
    model.set_rows(rows_from([chair.alarms]))
    qtmodeltester.check(model, force_py=True)
    assert [cell(model, r, Column.PRIORITY) for r in range(3)] == ["*** HIGH", "** MEDIUM",
                                                                   "* LOW"]
    brush = cell(model, 0, Column.ALARM, Qt.ItemDataRole.BackgroundRole)
    assert brush.color().name().upper() == STYLES[Priority.HIGH].background  # type: ignore[attr-defined]
    tip = str(cell(model, 0, Column.ALARM, Qt.ItemDataRole.ToolTipRole))
    assert "*** HIGH at chair-1" in tip and "What to do: Check clamps" in tip
    assert cell(model, 0, Column.WHAT_TO_DO, Qt.ItemDataRole.AccessibleTextRole)
    assert cell(model, 0, Column.CHAIR, ALARM_ROW_ROLE) == model.row_at(0)  # type: ignore[arg-type]
    assert model.headerData(int(Column.WHAT_TO_DO), Qt.Orientation.Horizontal) == "What to do"
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


def test_countdown_never_shows_zero_while_time_is_left() -> None:
    assert countdown_text(120.0) == "2:00"
    assert countdown_text(92.4) == "1:33"
    assert countdown_text(0.2) == "0:01"
    assert countdown_text(0.0) == "0:00"


def test_list_view_refreshes_from_the_engines_with_touch_sized_rows(
        qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    one, two = Chair("chair-1"), Chair("chair-2")
    view = AlarmListView([one.alarms, two.alarms])
    qtbot.addWidget(view)
    qtmodeltester.check(view.alarm_model, force_py=True)
    one.alarms.raise_condition("occlusion")
    two.alarms.raise_condition("air_in_line")
    view.refresh()
    assert view.alarm_model.rowCount() == 2
    assert view.alarm_model.row_at(0).chair_id == "chair-2"  # high before medium
    assert view.verticalHeader().defaultSectionSize() >= 44
    assert view.accessibleName() == "Alarm list"
