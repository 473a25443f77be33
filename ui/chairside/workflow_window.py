"""A workflow view (check-in, break, titration ...) in a window of its own over the chair."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout, QWidget

from ui.workflows.widgets import touch_button


class WorkflowWindow(QDialog):
    """Hosts `view`; a view that is a dialog itself ends the window when it ends.

    `keep=True`: closing only hides the window and its view (the owner shows it again
    and keeps driving the view, e.g. a running break's countdown), until `discard()`.
    """

    def __init__(self, title: str, view: QWidget, parent: QWidget | None = None, *,
                 keep: bool = False) -> None:
        super().__init__(parent)
        self.view = view
        self.keep = keep
        self._ending = False
        self.setWindowTitle(title)
        if not keep:
            self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The workflow views' sentences grow after a step (a pause's banner): room for them.
        self.setMinimumSize(900, 560)
        layout = QVBoxLayout(self)
        if isinstance(view, QDialog):
            # Embedded: its accept/reject close this window.
            view.setWindowFlags(Qt.WindowType.Widget)
            view.finished.connect(self.done)
        layout.addWidget(view, 1)
        self.close_button: QPushButton = touch_button("Close", "Close this window",
                                                      shortcut="Esc")
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.adjustSize()

    def done(self, result: int) -> None:
        # Closing must stop the view's timers (TickingView stops on close/hide).
        if self.keep:
            super().done(result)
            return
        if self._ending:
            return
        self._ending = True
        self.view.close()
        super().done(result)

    def discard(self) -> None:
        """End a kept window for good: its view is closed (timers stopped) and deleted."""
        self.keep = False
        self.done(0)
        self.deleteLater()
