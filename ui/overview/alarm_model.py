"""The unit's alarm list as a table model: highest priority first, then the oldest."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from station.unit.tiles import TileAlarm
from ui.alarms.palette import STYLES

COLUMNS = ("Priority", "Chair", "Alarm", "State", "Since")
Index = QModelIndex | QPersistentModelIndex


class UnitAlarmModel(QAbstractTableModel):
    """Rows of `TileAlarm`, in the feed's order; replaced whole on each redraw."""

    def __init__(self) -> None:
        super().__init__()
        self.alarms: list[TileAlarm] = []

    def set_alarms(self, alarms: list[TileAlarm]) -> None:
        if alarms == self.alarms:
            return
        self.beginResetModel()
        self.alarms = list(alarms)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.alarms)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (role == Qt.ItemDataRole.DisplayRole and orientation is Qt.Orientation.Horizontal
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.alarms):
            return None
        alarm = self.alarms[index.row()]
        style = STYLES[alarm.priority]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(alarm, index.column())
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 0:
            return QColor(style.background)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return QColor(style.foreground)
        if role == Qt.ItemDataRole.ToolTipRole and alarm.alarm_id is None:
            return "The overview's own alarm: it ends when the station is heard again."
        return None

    @staticmethod
    def _text(alarm: TileAlarm, column: int) -> str:
        if column == 0:
            return STYLES[alarm.priority].badge()
        if column == 1:
            return alarm.chair_label
        if column == 2:
            technical = " (technical)" if alarm.technical else ""
            return alarm.condition.replace("_", " ") + technical
        if column == 3:
            return alarm.state + (", acknowledgement asked" if alarm.ack_requested else "")
        return _clock(alarm.raised_at)

    def alarm_at(self, row: int) -> TileAlarm | None:
        return self.alarms[row] if 0 <= row < len(self.alarms) else None


def _clock(at: datetime) -> str:
    return f"{at.astimezone():%H:%M:%S}"
