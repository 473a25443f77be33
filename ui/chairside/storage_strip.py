"""The strip that says, for as long as it is true, that the unit overview cannot see
this station: its records wait for the database (kept, with their times) and are sent
when it takes them again. Read from the monitoring service's storage state on the
window's redraw clock (no database work here); hidden once every record is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from PySide6.QtWidgets import QLabel, QWidget

from station.monitoring import StorageState

STRIP_STYLE = ("background: #e69f00; color: #000000; font-size: 12pt; font-weight: bold;"
               " padding: 4px; border: 2px solid #000000;")  # Okabe-Ito orange


def storage_words(state: StorageState, tz: tzinfo) -> str:
    """What the strip says ('' while everything is stored)."""
    if state.waiting_since is None:
        return ""
    since = state.waiting_since.astimezone(tz)
    return (f"Unit overview cannot see this station since {since:%H:%M} - events kept, "
            f"will be sent ({state.records_waiting} records, {state.samples_waiting} "
            f"samples waiting)")


class StorageStrip(QLabel):
    """Shown while the station's records wait for the database."""

    def __init__(self, state: Callable[[], StorageState], tz: tzinfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._tz = tz
        self.setAccessibleName("Storage status")
        self.setWordWrap(True)
        self.setStyleSheet(STRIP_STYLE)
        self.hide()

    def refresh(self) -> None:
        """On the redraw clock: follow the service's storage state."""
        words = storage_words(self._state(), self._tz)
        if words != self.text():  # a change re-lays out the window
            self.setText(words)
        self.setVisible(bool(words))
