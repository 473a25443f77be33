"""The workflow actions of one chair: touch-sized buttons with function-key shortcuts.

Each action opens the existing workflow view (`ui/workflows/`) for the chair's
appointment, infusion and pump in a window of its own. Shortcuts apply while the focus
is in the chair's panel (Alt+1..4 moves it), so four chairs can share the same keys.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ui.workflows.widgets import touch_button


class Action(enum.Enum):
    """(button text, shortcut) of each chair workflow."""

    CHECK_IN = ("Check in / start", "F2")
    TITRATE = ("Titration step", "F3")
    BREAK = ("Bathroom break", "F4")
    SIDE_EFFECT = ("Side effect", "F5")
    VITALS = ("Vitals", "F6")
    SITE = ("Site check", "F7")
    COMPLETE = ("Complete / discharge", "F8")

    @property
    def text(self) -> str:
        return self.value[0]

    @property
    def key(self) -> str:
        return self.value[1]


class ActionBar(QWidget):
    """One button per `Action`; `triggered(Action)` by click or shortcut.

    `set_enabled(action, bool)` follows the chair's state (no titration before a start).
    """

    triggered = Signal(object)  # Action

    def __init__(self, chair_id: str, shortcut_scope: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[Action, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for action in Action:
            button = touch_button(f"{action.text}\n{action.key}",
                                  f"{action.text}, chair {chair_id}")
            button.setToolTip(f"{action.text} ({action.key})")
            button.clicked.connect(self._emitter(action))
            shortcut = QShortcut(QKeySequence(action.key), shortcut_scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._emitter(action, button))
            layout.addWidget(button)
            self.buttons[action] = button

    def set_enabled(self, action: Action, enabled: bool) -> None:
        self.buttons[action].setEnabled(enabled)

    def _emitter(self, action: Action, button: QPushButton | None = None) -> Callable[[], None]:
        def emit() -> None:
            if button is None or button.isEnabled():
                self.triggered.emit(action)
        return emit
