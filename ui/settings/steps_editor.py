"""A drug's titration steps: one row per step, rate and minutes (blank on the last)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station.access.library_edit import Step, read_step
from ui.workflows.widgets import touch_button


class StepsEditor(QWidget):
    """The steps as a two-column table with Add step and Remove step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Titration steps (the last runs until the volume is in)")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("Titration steps")
        self.table.setHorizontalHeaderLabels(["Rate", "Minutes"])
        self.table.setStyleSheet(
            "QTableWidget { background: #ffffff; } "
            "QTableWidget[readOnly=\"true\"] { background: #e6e6e6; }")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(36)
        self.add_button = touch_button("Add step", "Add a titration step")
        self.remove_button = touch_button("Remove step", "Remove the selected step")
        self.add_button.clicked.connect(self.add_step)
        self.remove_button.clicked.connect(self._remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_steps(self, steps: Sequence[Step], rate_unit: str) -> None:
        self.table.setHorizontalHeaderLabels([f"Rate ({rate_unit})", "Minutes (last: blank)"])
        self.table.setRowCount(0)
        for rate, minutes in steps:
            self._add_row(f"{rate:g}", "" if minutes is None else str(minutes))

    def steps(self) -> tuple[Step, ...]:
        """The steps as typed; :class:`FieldRefusedError` names the first bad step."""
        return tuple(read_step(row + 1, self._text(row, 0), self._text(row, 1))
                     for row in range(self.table.rowCount()))

    def set_read_only(self, read_only: bool) -> None:
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers if read_only else
            QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setProperty("readOnly", read_only)
        self.table.style().unpolish(self.table)
        self.table.style().polish(self.table)
        self.add_button.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return "" if item is None else item.text()

    def add_step(self) -> None:
        """A blank row at the end (its rate and minutes typed in the table)."""
        self._add_row("", "")

    def _add_row(self, rate: str, minutes: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(rate))
        self.table.setItem(row, 1, QTableWidgetItem(minutes))

    def _remove_row(self) -> None:
        row = self.table.currentRow()
        self.table.removeRow(row if row >= 0 else self.table.rowCount() - 1)
