"""How the chairside window and the overview open the settings screen.

One window per station, acting for the station's signed-in session. It is closed when
the station locks or signs out (a settings window left open over a locked station
would let anyone at the keyboard change the library as the user who walked away), and
opened read-only while the station is locked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from station.access.library_admin import LibraryAdministration
from station.domain.drug_library import DrugLibrary
from station.services.context import ActingUser
from ui.settings.settings_window import SettingsWindow
from ui.workflows.service_runner import ServiceRunner

WINDOW_SIZE = (1000, 680)  # fits 1366x768 beside the taskbar


class SettingsEntry(QObject):
    """Opens (and closes) the station's one settings window."""

    def __init__(self, admin: LibraryAdministration, who: ActingUser, runner: ServiceRunner,
                 *, locked: Callable[[], bool] = lambda: False,
                 use_library: Callable[[DrugLibrary], None] = lambda _library: None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._admin, self._who, self._runner, self._locked = admin, who, runner, locked
        self._use_library = use_library
        self.window: SettingsWindow | None = None

    def open(self) -> SettingsWindow:
        """Show the window with who may edit as of now and the library as it is now."""
        if self.window is None:
            self.window = SettingsWindow(self._admin, self._who, self._runner,
                                         locked=self._locked, use_library=self._use_library)
            self.window.resize(*WINDOW_SIZE)
        self.window.refresh()
        self.window.show()
        self.window.raise_()
        return self.window

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
