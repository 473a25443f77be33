"""Idle lock: no key, click, touch or wheel for `idle_s` seconds locks the station."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication

DEFAULT_IDLE_LOCK_S = 5 * 60.0
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
             QEvent.Type.Wheel, QEvent.Type.TabletPress}


class IdleWatch(QObject):
    """Watches the application's input; `refresh()` (on the redraw clock) emits `idle`
    once when the time since the last input reaches `idle_s` on the injected clock."""

    idle = Signal()

    def __init__(self, idle_s: float = DEFAULT_IDLE_LOCK_S, *,
                 clock: Callable[[], float], parent: QObject | None = None) -> None:
        super().__init__(parent)
        if idle_s <= 0:
            raise ValueError("the idle lock time must be positive")
        self.idle_s = idle_s
        self._clock = clock
        self._last_input = clock()
        self.armed = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def arm(self) -> None:
        """Count from now (someone signed in)."""
        self._last_input = self._clock()
        self.armed = True

    def disarm(self) -> None:
        """Nothing to lock (locked or signed out already)."""
        self.armed = False

    def stop(self) -> None:
        self.disarm()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _ACTIVITY:
            self._last_input = self._clock()
        return False

    def refresh(self) -> None:
        if self.armed and self._clock() - self._last_input >= self.idle_s:
            self.armed = False
            self.idle.emit()
