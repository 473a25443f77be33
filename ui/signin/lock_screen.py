"""What covers the chairs while nobody is signed in or the station is locked.

The unit's open alarms stay on it (a read-only list, most urgent first, refreshed on
the window's redraw clock) and the window keeps sounding them; acting on an alarm
needs a signed-in nurse, so the list has no buttons.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from station.alarms import ChairAlarms
from ui.alarms.alarm_list_view import AlarmListView
from ui.signin.sign_in_form import SignInForm
from ui.workflows.widgets import big_label

TRAINING_STYLE = ("background: #f0e442; color: #000000; font-size: 12pt; font-weight: bold;"
                  " padding: 6px; border: 3px dashed #000000;")


class LockScreen(QWidget):
    """The sign-in form beside the unit's open alarms (and, in training, the training
    users' credentials)."""

    def __init__(self, chairs: Sequence[ChairAlarms], *, training_hint: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sign-in screen")
        self.form = SignInForm()
        self.alarm_title = big_label("No open alarms", points=14)
        self.alarm_title.setAccessibleName("Open alarms")
        self.alarms = AlarmListView(chairs)
        self.alarms.setAccessibleName("Open alarms at the chairs")
        self.alarms.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.alarms.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab stays in the form
        self.training = QLabel(training_hint)
        self.training.setAccessibleName("Training credentials")
        self.training.setWordWrap(True)
        self.training.setStyleSheet(TRAINING_STYLE)
        self.training.setVisible(bool(training_hint))
        side = QVBoxLayout()
        side.addWidget(self.form)
        side.addWidget(self.training)
        side.addStretch(1)
        listing = QVBoxLayout()
        listing.addWidget(self.alarm_title)
        listing.addWidget(self.alarms, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(listing, 3)
        layout.addLayout(side, 2)

    def refresh(self) -> None:
        """Re-read the alarms (called by the window's redraw clock; hidden, nothing)."""
        if not self.isVisible():
            return
        self.alarms.refresh()
        count = self.alarms.alarm_model.rowCount()
        text = ("No open alarms" if count == 0 else
                f"{count} open alarm{'s' if count != 1 else ''}: sign in to act on them")
        if self.alarm_title.text() != text:
            self.alarm_title.setText(text)
