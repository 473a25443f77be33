"""Shows the station's pump refusals (training rules, `station.training`) on the window.

`PumpGate` calls `report` on the monitoring thread; the signal is queued to the GUI
thread, where the sentence goes on the status line and stays in `messages`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel

from ui.chairside.main_window import MainWindow


class PumpRefusals(QObject):
    """Relays refusals to `window`; shows the engineering setting's banner when given."""

    refused = Signal(str, str)

    def __init__(self, window: MainWindow, banner: str | None) -> None:
        super().__init__(window)
        self._window = window
        self.messages: list[str] = []
        self.banner: QLabel | None = None
        if banner is not None:
            self.banner = QLabel(banner)
            self.banner.setAccessibleName("Engineering setting")
            self.banner.setStyleSheet("background: #d55e00; color: #ffffff; font-weight: bold;"
                                      " padding: 2px 8px;")
            window.statusBar().addPermanentWidget(self.banner)
        self.refused.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def report(self, chair: str, reason: str) -> None:
        """Thread-safe: called by the gate on the monitoring thread."""
        self.refused.emit(chair, reason)

    @Slot(str, str)
    def _show(self, chair: str, reason: str) -> None:
        self.messages.append(reason)
        self._window.show_technical_problem(reason)
