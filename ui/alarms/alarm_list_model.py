"""The alarm list as a table model: one row per open alarm, most urgent first."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from ui.alarms.palette import STYLES
from ui.models.alarm_rows import AlarmRow

Index = QModelIndex | QPersistentModelIndex
ALARM_ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the AlarmRow itself


class Column(IntEnum):
    PRIORITY = 0
    CHAIR = 1
    ALARM = 2
    WHAT_TO_DO = 3
    STATE = 4


HEADERS = {Column.PRIORITY: "Priority", Column.CHAIR: "Chair", Column.ALARM: "Alarm",
           Column.WHAT_TO_DO: "What to do", Column.STATE: "State"}


def _text(row: AlarmRow, column: Column) -> str:
    if column is Column.PRIORITY:
        return STYLES[row.priority].badge()
    if column is Column.CHAIR:
        return row.chair_id
    if column is Column.ALARM:
        return f"{row.title}: {row.what_happened}"
    if column is Column.WHAT_TO_DO:
        return row.what_to_do
    return row.state_text


class AlarmListModel(QAbstractTableModel):
    """Rows of `AlarmRow`; `set_rows` applies a new snapshot as inserts, removals, changes.

    Priority is shown as symbol and word in its own column and as the row's colour.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AlarmRow] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(Column)):
            return HEADERS[Column(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], Column(index.column())
        style = STYLES[row.priority]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{style.badge()} at {row.chair_id}\n{row.title}: {row.what_happened}\n"
                    f"What to do: {row.what_to_do}\n{row.state_text}")
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(style.background))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(style.foreground))
        if role == ALARM_ROW_ROLE:
            return row
        return None

    def row_at(self, row: int) -> AlarmRow:
        return self._rows[row]

    def set_rows(self, rows: Sequence[AlarmRow]) -> None:
        """Show `rows` (already in display order), keeping the rows that stayed."""
        wanted = {r.alarm_id for r in rows}
        for position in reversed(range(len(self._rows))):
            if self._rows[position].alarm_id not in wanted:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        kept = {r.alarm_id for r in self._rows}
        if [r.alarm_id for r in rows if r.alarm_id in kept] != [r.alarm_id for r in self._rows]:
            # An escalation reordered the rows that stayed: rare, start afresh.
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        for position, row in enumerate(rows):
            if position < len(self._rows) and self._rows[position].alarm_id == row.alarm_id:
                if self._rows[position] != row:
                    self._rows[position] = row
                    self.dataChanged.emit(self.index(position, 0),
                                          self.index(position, len(Column) - 1))
                continue
            self.beginInsertRows(QModelIndex(), position, position)
            self._rows.insert(position, row)
            self.endInsertRows()
