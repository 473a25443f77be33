"""The station's alarm list with actions on the selected alarm, at whichever chair it is.

The banner acts on a chair's most urgent alarm; here a nurse can acknowledge or reset
any open alarm (a latched one behind a more urgent active one, say), with its cause.
`set_narrow(True)` puts the cause on a row of its own so the panel fits ~320 px.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station.alarms import Cause, CauseCode
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.alarm_banner import TOUCH_PX, cause_label
from ui.alarms.alarm_list_model import Column
from ui.alarms.alarm_list_view import AlarmListView
from ui.models.alarm_rows import AlarmRow

STATE_NARROW_PX = 96


class AlarmListPanel(QWidget):
    """`AlarmListView` over every chair, plus acknowledge and reset-with-cause buttons."""

    def __init__(self, actions_by_chair: Mapping[str, AlarmActions],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actions_by_chair = dict(actions_by_chair)
        self.view = AlarmListView([a.chair for a in self.actions_by_chair.values()])
        self.ack_button = self._button("Acknowledge selected", self._on_acknowledge)
        self.reset_button = self._button("Reset selected", self._on_reset)
        self.cause_box = QComboBox()
        self.cause_box.setAccessibleName("Cause of the selected alarm")
        self.cause_box.setMinimumHeight(TOUCH_PX)
        for code in CauseCode:
            self.cause_box.addItem(cause_label(code), code)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self._bar = QGridLayout()
        self._bar.setColumnStretch(3, 1)  # controls as wide as their words, to the left
        self.narrow = True  # flipped by set_narrow below, which places the controls
        self.set_narrow(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._bar)
        layout.addWidget(self.message)
        for actions in self.actions_by_chair.values():
            actions.refused.connect(self.message.setText)
            actions.changed.connect(self.message.clear)
            actions.changed.connect(self.refresh)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.view.alarm_model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def set_narrow(self, narrow: bool) -> None:
        """The two buttons over the cause (True), or all three side by side."""
        if narrow == self.narrow:
            return
        self.narrow = narrow
        for control in (self.ack_button, self.cause_box, self.reset_button):
            self._bar.removeWidget(control)
        # Narrow, the state keeps a readable width; the alarm's title is elided (its
        # chair's banner says it in full).
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(Column.STATE, QHeaderView.ResizeMode.Fixed if narrow
                                    else QHeaderView.ResizeMode.ResizeToContents)
        if narrow:
            header.resizeSection(Column.STATE, STATE_NARROW_PX)
            self._bar.addWidget(self.ack_button, 0, 0)
            self._bar.addWidget(self.reset_button, 0, 1)
            self._bar.addWidget(self.cause_box, 1, 0, 1, 2)
        else:
            self._bar.addWidget(self.ack_button, 0, 0)
            self._bar.addWidget(self.cause_box, 0, 1)
            self._bar.addWidget(self.reset_button, 0, 2)

    def selected(self) -> AlarmRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.view.alarm_model.row_at(rows[0].row()) if rows else None

    def refresh(self) -> None:
        self.view.refresh()
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected()
        self.ack_button.setEnabled(row is not None and not row.latched and not row.acknowledged)
        self.reset_button.setEnabled(row is not None and row.latched)
        self.cause_box.setEnabled(row is not None and row.latched)

    def _on_acknowledge(self) -> None:
        row = self.selected()
        if row is not None:
            self.actions_by_chair[row.chair_id].acknowledge(row.condition)

    def _on_reset(self) -> None:
        row = self.selected()
        if row is not None:
            cause = Cause(CauseCode(self.cause_box.currentData()))
            self.actions_by_chair[row.chair_id].reset(row.condition, cause)

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumSize(TOUCH_PX * 4, TOUCH_PX)
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        return button
