"""The alarm banner of one chair: its most urgent alarm, what to do, and the actions.

Priority shows as colour, symbol and word together; high flashes at about 2 Hz, medium
at about 0.5 Hz, low and advisory stay steady. `refresh()` (from the station's redraw
clock) re-reads the chair's alarm engine; the flashing has its own timer, which runs
only while a flashing alarm is shown and stops when the banner is closed.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QColor, QHideEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from station.alarms import Cause, CauseCode
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.palette import NO_ALARM, PriorityStyle, style_for
from ui.models.alarm_rows import AlarmRow, countdown_text, row_of

TOUCH_PX = 44


def cause_label(code: CauseCode) -> str:
    return code.value.replace("_", " ").capitalize()


class AlarmBanner(QFrame):
    """Most urgent open alarm of one chair, with acknowledge, audio pause and reset."""

    def __init__(self, actions: AlarmActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alarm_actions = actions
        self.chair = actions.chair
        self.setObjectName("alarmBanner")
        # The palette, not a style sheet, carries the colour: a flash toggle then only
        # repaints, it does not re-polish and re-lay out the banner.
        self.setAutoFillBackground(True)
        self.setAccessibleName(f"Alarms of chair {self.chair.chair_id}")
        self.shown: AlarmRow | None = None
        self._style = NO_ALARM
        self._flash_on = True
        self.flash_timer = QTimer(self)
        self.flash_timer.timeout.connect(self._toggle_flash)
        self.badge = self._label(bold=True)
        self.what = self._label()
        self.todo = self._label()
        self.state = self._label()
        self.more = self._label()
        self.message = self._label()
        self.ack_button = self._button("Acknowledge", self._on_acknowledge)
        self.pause_button = self._button("Pause audio", self._on_pause)
        self.reset_button = self._button("Reset", self._on_reset)
        self.cause_box = QComboBox()
        self.cause_box.setAccessibleName("Cause of the alarm")
        self.cause_box.setMinimumHeight(TOUCH_PX)
        for code in CauseCode:
            self.cause_box.addItem(cause_label(code), code)
        self._lay_out()
        actions.changed.connect(self._clear_message)
        actions.changed.connect(self.refresh)
        actions.refused.connect(self._show_message)
        self._show_row(None, 0)
        self.refresh()

    @property
    def flash_interval_ms(self) -> int | None:
        """The running flash toggle interval, None when steady."""
        return self.flash_timer.interval() if self.flash_timer.isActive() else None

    def refresh(self) -> None:
        """Re-read the chair's alarms; cheap when nothing changed."""
        alarms = self.chair.alarms()
        row = row_of(alarms[0]) if alarms else None
        style = style_for(row.priority if row else None)
        if style != self._style:
            self._apply_style(style)
        if row != self.shown:
            self.shown = row
            self._show_row(row, len(alarms) - 1)
        paused = self.chair.pause_remaining_s()
        self.pause_button.setText("Pause audio" if paused is None else
                                  f"Audio paused {countdown_text(paused)}")
        # Any alarm of the chair may start sounding, not only the one shown.
        self.pause_button.setEnabled(any(a.sounding for a in alarms))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.flash_timer.stop()
        super().closeEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt API
        self.flash_timer.stop()
        super().hideEvent(event)

    # -- showing --------------------------------------------------------------------

    def _show_row(self, row: AlarmRow | None, others: int) -> None:
        self.badge.setText(style_for(row.priority).badge() if row else NO_ALARM.word)
        self.what.setText(f"{row.title}: {row.what_happened}" if row else "")
        self.todo.setText(f"What to do: {row.what_to_do}" if row else "")
        self.state.setText(row.state_text if row else "")
        self.more.setText(f"+{others} more" if others > 0 else "")
        self.setAccessibleDescription(
            f"{self.badge.text()} {self.what.text()} {self.todo.text()}".strip())
        self.ack_button.setEnabled(row is not None and not row.latched and not row.acknowledged)
        self.reset_button.setEnabled(row is not None and row.latched)
        self.cause_box.setEnabled(row is not None and row.latched)

    def _apply_style(self, style: PriorityStyle) -> None:
        self._style = style
        self._flash_on = True
        self._paint(style.background)
        interval = style.flash_interval_ms
        if interval is None:
            self.flash_timer.stop()
        elif self.isVisible():
            self.flash_timer.start(interval)
        else:
            self.flash_timer.setInterval(interval)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._style.flash_interval_ms is not None and not self.flash_timer.isActive():
            self.flash_timer.start(self._style.flash_interval_ms)

    def _toggle_flash(self) -> None:
        self._flash_on = not self._flash_on
        self._paint(self._style.background if self._flash_on else self._style.dim_background)

    @property
    def colour(self) -> str:
        """The background colour shown now, `#RRGGBB`."""
        return self.palette().color(QPalette.ColorRole.Window).name().upper()

    def _paint(self, colour: str) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(colour))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(self._style.foreground))
        self.setPalette(palette)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _clear_message(self) -> None:
        self.message.clear()
        self.message.hide()

    # -- actions --------------------------------------------------------------------

    def _on_acknowledge(self) -> None:
        if self.shown is not None:
            self.alarm_actions.acknowledge(self.shown.condition)

    def _on_pause(self) -> None:
        self.alarm_actions.pause_audio()

    def _on_reset(self) -> None:
        if self.shown is not None:
            code = self.cause_box.currentData()
            self.alarm_actions.reset(self.shown.condition, Cause(CauseCode(code)))

    # -- building -------------------------------------------------------------------

    def _label(self, *, bold: bool = False) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        if bold:
            label.setStyleSheet("font-weight: bold; font-size: 16pt;")
        return label

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumSize(TOUCH_PX * 3, TOUCH_PX)
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        return button

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        for control in (self.ack_button, self.pause_button, self.cause_box, self.reset_button):
            buttons.addWidget(control)
        buttons.addStretch(1)
        grid = QGridLayout(self)
        # Tight: at 1366x768 every pixel of the banner is taken from the chair's plot.
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.badge, 0, 0)
        grid.addWidget(self.what, 0, 1)
        grid.addWidget(self.more, 0, 2)
        grid.addWidget(self.todo, 1, 1)
        grid.addWidget(self.state, 1, 2)
        grid.addLayout(buttons, 2, 0, 1, 3)
        grid.addWidget(self.message, 3, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        self.message.hide()  # shown only while it has something to say
        self.message.setStyleSheet("font-weight: bold;")
