"""The station's alarm list: a table over `AlarmListModel`, refreshed from the engines."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from station.alarms import ChairAlarms
from ui.alarms.alarm_list_model import AlarmListModel, Column
from ui.models.alarm_rows import rows_from

ROW_PX = 48  # touch-sized rows


class AlarmListView(QTableView):
    """Every open alarm of `chairs`, most urgent first; `refresh()` re-reads them."""

    def __init__(self, chairs: Sequence[ChairAlarms], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chairs = list(chairs)
        # No Qt parent: the model lives as long as something holds it (a proxy, a tester).
        self.alarm_model = AlarmListModel()
        self.setModel(self.alarm_model)
        self.setAccessibleName("Alarm list")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.verticalHeader().setDefaultSectionSize(ROW_PX)
        self.verticalHeader().setMinimumSectionSize(ROW_PX)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        for column in Column:
            mode = (QHeaderView.ResizeMode.Stretch
                    if column in (Column.ALARM, Column.WHAT_TO_DO)
                    else QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(column, mode)
        self.refresh()

    def refresh(self) -> None:
        self.alarm_model.set_rows(rows_from(self.chairs))
