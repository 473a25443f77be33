"""The sign-in form: username and password or PIN, or a badge scan.

A badge reader types the badge's text and Enter. With the cursor in the (empty)
username field, that arrives as a username with Enter and no password: the form
treats Enter in the username field with the password field empty as a badge scan.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QVBoxLayout, QWidget

from ui.workflows.widgets import TOUCH_PX, MessageLine, big_label, touch_button

FIELD_WIDTH_PX = 360


class SignInForm(QWidget):
    """Username, password or PIN, the Sign in button and the refusal line.

    Signals:
        submitted(str, str): username and secret to check.
        badge_scanned(str): the text a badge reader typed.
    """

    submitted = Signal(str, str)
    badge_scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = big_label("Sign in", points=20)
        self.title.setAccessibleName("Sign-in title")
        self.hint = big_label("Type your username and password or PIN, or scan your badge.",
                              points=12, bold=False)
        self.username = self._field("Username", echo=False)
        self.secret = self._field("Password or PIN", echo=True)
        self.sign_in_button = touch_button("Sign in", "Sign in")
        self.sign_in_button.setDefault(True)
        self.message = MessageLine()
        form = QFormLayout()
        form.addRow(big_label("Username", points=12, bold=False), self.username)
        form.addRow(big_label("Password or PIN", points=12, bold=False), self.secret)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        self.username.returnPressed.connect(self._on_username_enter)
        self.secret.returnPressed.connect(self._submit)
        self.sign_in_button.clicked.connect(self._submit)
        self.setTabOrder(self.username, self.secret)
        self.setTabOrder(self.secret, self.sign_in_button)

    def _field(self, name: str, *, echo: bool) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setMinimumSize(FIELD_WIDTH_PX, TOUCH_PX)
        field.setMaxLength(128)
        if echo:
            field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData
                                  | Qt.InputMethodHint.ImhNoPredictiveText)
        return field

    def set_busy(self, busy: bool) -> None:
        """While a sign-in is being checked: nothing to press twice."""
        for control in (self.username, self.secret, self.sign_in_button):
            control.setEnabled(not busy)

    def refuse(self, reason: str) -> None:
        self.secret.clear()
        self.message.problem(reason)
        self.secret.setFocus() if self.username.text() else self.username.setFocus()

    def reset(self, title: str, username: str = "") -> None:
        """Empty the form for the next person (``username`` filled for an unlock)."""
        self.title.setText(title)
        self.username.setText(username)
        self.secret.clear()
        self.message.clear()
        (self.secret if username else self.username).setFocus()

    def _on_username_enter(self) -> None:
        if self.secret.text():
            self._submit()
        elif self.username.text().strip():
            scan = self.username.text()
            self.username.clear()
            self.message.clear()
            self.badge_scanned.emit(scan)
        else:
            self.secret.setFocus()

    def _submit(self) -> None:
        username = self.username.text().strip()
        if not username:
            self.message.problem("Type your username, or scan your badge.")
            self.username.setFocus()
            return
        self.message.clear()
        self.submitted.emit(username, self.secret.text())
