"""One table's numbers as labelled text fields (text, so a typed "nan" is refused by
name rather than silently clamped by a spin box)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from station.access.library_edit import Number, read_value
from ui.workflows.widgets import TOUCH_PX

_WRONG = "QLineEdit { border: 3px solid #a00000; }"
# Read-only fields must not look like ones waiting for input (the nurse's view).
_READ_ONLY = "QLineEdit:read-only { background: #e6e6e6; color: #1a1a1a; }"


def _shown(value: Number | None) -> str:
    return "" if value is None else f"{value:g}"


class FieldsForm(QWidget):
    """Labelled fields for ``fields`` (key -> words); blank means "not set here"."""

    def __init__(self, fields: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words = dict(fields)
        self.edits: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        for key, words in fields.items():
            edit = QLineEdit()
            edit.setAccessibleName(words)
            edit.setMinimumHeight(TOUCH_PX)
            edit.setMaximumWidth(220)
            label = QLabel(words)
            label.setBuddy(edit)
            label.setMinimumHeight(TOUCH_PX)  # the words level with their field
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.edits[key], self.labels[key] = edit, label
            layout.addRow(label, edit)

    def show_values(self, values: Mapping[str, Number], *, unset: str,
                    rate_unit: str = "", hints: Mapping[str, str] | None = None) -> None:
        """Fill the fields; a blank one shows its ``hints`` entry, else ``unset``; rates
        get their unit."""
        for key, edit in self.edits.items():
            edit.setText(_shown(values.get(key)))
            edit.setPlaceholderText((hints or {}).get(key, unset))
            edit.setStyleSheet(_READ_ONLY)
            words = self._words[key]
            if rate_unit and key.startswith(("hard_", "soft_")):
                words = f"{words} ({rate_unit})"
            self.labels[key].setText(words)

    def set_read_only(self, read_only: bool) -> None:
        for edit in self.edits.values():
            edit.setReadOnly(read_only)

    def values(self) -> dict[str, Number | None]:
        """Every field as a value; :class:`FieldRefusedError` names the first bad one."""
        return {key: read_value(key, edit.text()) for key, edit in self.edits.items()}

    def mark_wrong(self, key: str) -> None:
        """Outline the refused field and put the cursor in it."""
        edit = self.edits.get(key)
        if edit is not None:
            edit.setStyleSheet(_WRONG)
            edit.setFocus()
