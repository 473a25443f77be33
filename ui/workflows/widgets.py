"""Small shared pieces of the workflow views: touch-sized buttons, message line, words."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QFont, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from station.domain.refusals import Refused
from station.domain.timers import Countdown

TOUCH_PX = 48  # above the 44 px minimum for a gloved finger


def touch_button(text: str, accessible: str, *, shortcut: str = "",
                 parent: QWidget | None = None) -> QPushButton:
    """A button at least 48 px high whose accessible name and tooltip say its shortcut."""
    button = QPushButton(text, parent)
    button.setMinimumHeight(TOUCH_PX)
    button.setMinimumWidth(TOUCH_PX)
    button.setAccessibleName(accessible)
    if shortcut:
        button.setShortcut(QKeySequence(shortcut))
        button.setToolTip(f"{accessible} ({shortcut})")
    return button


def big_label(text: str = "", *, points: int = 16, bold: bool = True,
              parent: QWidget | None = None) -> QLabel:
    """A word-wrapped label in large type, for what a nurse must read from a step away."""
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSize(points)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class MessageLine(QLabel):
    """Where a view says what went wrong or what was done; empty when all is well."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Message")
        self.setMinimumHeight(TOUCH_PX)

    def problem(self, text: str) -> None:
        self.setStyleSheet("color: #a00000; font-weight: bold;")
        self.setText(text)

    def done(self, text: str) -> None:
        self.setStyleSheet("color: #005a32;")
        self.setText(text)


def refusal_text(refused: Refused) -> str:
    """Every reason, one per line, in the order to deal with them."""
    return "\n".join(f"• {r.reason}" for r in refused.refusals)


def clock_time(moment: datetime, tz: tzinfo) -> str:
    """A stored UTC instant as the clinic's wall-clock time."""
    return moment.astimezone(tz).strftime("%H:%M")


def mm_ss(span: timedelta) -> str:
    """A countdown as m:ss (h:mm:ss above an hour), with a minus sign once past."""
    seconds = int(span.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def relabel(button: QPushButton, text: str) -> None:
    """Change a button's words and keep its shortcut (setText replaces it by a mnemonic)."""
    shortcut = button.shortcut()
    button.setText(text)
    button.setShortcut(shortcut)


def due_text(what: str, due: Countdown | None, now: datetime, tz: tzinfo) -> str:
    """"Vital signs due 10:15 (in 14:00)" or "... OVERDUE by 3:00"; never done: "due now"."""
    if due is None:
        return f"{what}: none recorded yet, due now"
    left = due.due_at - now
    if left <= timedelta(0):
        return f"{what} OVERDUE since {clock_time(due.due_at, tz)} (by {mm_ss(-left)})"
    return f"{what} due {clock_time(due.due_at, tz)} (in {mm_ss(left)})"


class TickingView(QWidget):
    """A view whose own timer calls `refresh()` while it is shown and has something to
    count; stopped on hide and close, so no timer outlives what it draws.
    """

    def __init__(self, tick_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.refresh)

    def refresh(self) -> None:
        """Redraw from the current state (subclasses)."""

    def _counting(self) -> bool:
        """Whether there is a countdown to redraw now (subclasses)."""
        return False

    def _update_ticking(self) -> None:
        if self.isVisible() and self._counting():
            self._timer.start()
        else:
            self._timer.stop()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._update_ticking()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        super().closeEvent(event)
