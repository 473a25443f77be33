"""The patient banner of one chair: who, what drug and dose, when, and the state in colour."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from ui.chairside.chair_state import STATE_COLOURS, StateText
from ui.chairside.roster import ChairPatient


def _label(points: int, bold: bool = False) -> QLabel:
    label = QLabel()
    font = QFont(label.font())
    font.setPointSize(points)
    font.setBold(bold)
    label.setFont(font)
    return label


class PatientBanner(QFrame):
    """Name, MRN, date of birth, allergies, drug and dose, appointment, state."""

    def __init__(self, chair_id: str, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chair_id = chair_id
        self._tz = tz
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"Patient in chair {chair_id}")
        self.chair = _label(16, bold=True)
        self.chair.setText(chair_id)
        self.name = _label(14, bold=True)
        self.ids = _label(11)
        self.allergies = _label(11, bold=True)
        self.drug = _label(11)
        self.appointment = _label(10)
        self.state = _label(13, bold=True)
        self.state.setMinimumHeight(36)
        self.state.setMinimumWidth(220)
        self.state.setContentsMargins(8, 2, 8, 2)
        self.state.setAutoFillBackground(True)
        for label in (self.name, self.ids, self.drug, self.allergies, self.appointment):
            label.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.chair, 0, 0)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.state, 0, 2)
        grid.addWidget(self.ids, 1, 1)
        grid.addWidget(self.appointment, 1, 2)
        grid.addWidget(self.drug, 2, 1)
        grid.addWidget(self.allergies, 2, 2)
        grid.setColumnStretch(1, 1)
        self.show_patient(None)

    def show_patient(self, patient: ChairPatient | None) -> None:
        if patient is None:
            self.name.setText("No patient booked today")
            for label in (self.ids, self.drug, self.allergies, self.appointment):
                label.clear()
            return
        self.name.setText(patient.name)
        self.ids.setText(f"MRN {patient.mrn}   Born {patient.date_of_birth:%d %b %Y}")
        self.drug.setText(f"{patient.drug}  {patient.dose}".strip())
        allergies = ", ".join(patient.allergies) or "none known"
        self.allergies.setText(f"Allergies: {allergies}")
        self.allergies.setStyleSheet("color: #b00000;" if patient.allergies else "")
        start = patient.start_at.astimezone(self._tz)
        self.appointment.setText(f"Booked {start:%H:%M}, {patient.duration_min} min")

    def show_state(self, state: StateText) -> None:
        background, text = STATE_COLOURS[state.state]
        self.state.setText(state.text)
        self.state.setAccessibleName(f"Chair {self.chair_id} state: {state.text}")
        # A style sheet here: the state changes rarely (not a flash), and it must win
        # over the platform style on every platform.
        self.state.setStyleSheet(f"background: {background}; color: {text}; border-radius: 4px;")

