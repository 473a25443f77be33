"""One timer that redraws every view about 10 times a second, whatever the sample rate."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

REDRAW_INTERVAL_MS = 100


class Refreshable(Protocol):
    def refresh(self) -> None: ...


class RedrawClock(QObject):
    """Calls `refresh()` on each registered view at every tick; views skip when unchanged.

    Signals:
        ticked(): after every view was refreshed.
    """

    ticked = Signal()

    def __init__(self, interval_ms: int = REDRAW_INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.views: list[Refreshable] = []
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    def add(self, view: Refreshable) -> None:
        self.views.append(view)

    def remove(self, view: Refreshable) -> None:
        self.views.remove(view)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        for view in self.views:
            view.refresh()
        self.ticked.emit()
