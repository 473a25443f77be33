"""The pages of the check-in and start flow: layout only; `CheckInWizard` drives them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from station.domain.checklist import PatientIdentifier
from ui.workflows.widgets import TOUCH_PX, big_label, touch_button


def _tall(widget: QWidget, accessible: str) -> None:
    widget.setMinimumHeight(TOUCH_PX)
    widget.setAccessibleName(accessible)


class FindPage(QWidget):
    """Step 1: the patient's MRN; the refusal, if any, in large words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mrn = QLineEdit()
        self.mrn.setPlaceholderText("Scan the wristband or type the MRN")
        _tall(self.mrn, "Medical record number")
        self.find_button = touch_button("Find today's appointment  (Enter)",
                                        "Find today's appointment")
        self.result = big_label(points=22)
        self.result.setAccessibleName("Check-in result")
        self.again_button = touch_button("Next patient  (Esc)", "Clear and check in the next "
                                         "patient", shortcut="Esc")
        row = QHBoxLayout()
        row.addWidget(self.mrn, 2)
        row.addWidget(self.find_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(big_label("Check-in: who is the patient?", points=18))
        layout.addLayout(row)
        layout.addWidget(self.result, 1)
        layout.addWidget(self.again_button)


class IdentifyPage(QWidget):
    """Step 2: two identifiers, medication list and allergies reviewed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patient = big_label(points=18)
        self.patient.setAccessibleName("Patient and appointment")
        self.identifiers: dict[PatientIdentifier, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.patient)
        layout.addWidget(QLabel("Ask the patient; tick at least two identifiers that match:"))
        for identifier in PatientIdentifier:
            box = QCheckBox(identifier.value.capitalize())
            _tall(box, f"Identifier matches: {identifier.value}")
            self.identifiers[identifier] = box
            layout.addWidget(box)
        self.medications = QCheckBox("Medication list reviewed for interactions")
        _tall(self.medications, "Medication list reviewed")
        self.allergies = QCheckBox("Allergies reviewed")
        _tall(self.allergies, "Allergies reviewed")
        layout.addWidget(self.medications)
        layout.addWidget(self.allergies)
        self.confirm_button = touch_button("Confirm  (Ctrl+Return)", "Confirm identity and "
                                           "reviews", shortcut="Ctrl+Return")
        layout.addWidget(self.confirm_button)
        layout.addStretch(1)

    def ticked(self) -> list[PatientIdentifier]:
        return [i for i, box in self.identifiers.items() if box.isChecked()]


class ChecklistPage(QWidget):
    """Step 3: what is still missing before the start, and the entries that close it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gaps = big_label(points=15)
        self.gaps.setAccessibleName("Checklist: still to do")
        self.premed = QLineEdit()
        self.premed.setPlaceholderText("Pre-medication given (name as on the order)")
        _tall(self.premed, "Pre-medication name")
        self.premed_minutes = QSpinBox()
        self.premed_minutes.setRange(0, 240)
        self.premed_minutes.setSuffix(" min ago")
        _tall(self.premed_minutes, "Pre-medication given how many minutes ago")
        self.premed_button = touch_button("Record given", "Record pre-medication given")
        self.vitals_button = touch_button("Vital signs…  (Ctrl+V)", "Enter vital signs",
                                          shortcut="Ctrl+V")
        self.site_button = touch_button("Site check…  (Ctrl+I)", "Enter site check",
                                        shortcut="Ctrl+I")
        self.recheck_button = touch_button("Check again", "Check the checklist again")
        self.next_button = touch_button("Next: the pump  (Ctrl+Return)", "Go on to the pump",
                                        shortcut="Ctrl+Return")
        premed = QHBoxLayout()
        premed.addWidget(self.premed, 2)
        premed.addWidget(self.premed_minutes)
        premed.addWidget(self.premed_button)
        entries = QHBoxLayout()
        entries.addWidget(self.vitals_button)
        entries.addWidget(self.site_button)
        entries.addWidget(self.recheck_button)
        layout = QVBoxLayout(self)
        layout.addWidget(big_label("Before the start", points=18))
        layout.addWidget(self.gaps, 1)
        layout.addLayout(premed)
        layout.addLayout(entries)
        layout.addWidget(self.next_button)


class PumpPage(QWidget):
    """Step 4: choose and probe the pump, the order's details, the program check."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pump = QComboBox()
        _tall(self.pump, "Pump")
        self.probe_button = touch_button("Probe pump", "Probe the chosen pump")
        self.probe_result = QLabel()
        self.probe_result.setAccessibleName("Pump probe result")
        self.ordered_rate = QDoubleSpinBox()
        self.ordered_rate.setRange(0.0, 2000.0)
        self.ordered_rate.setDecimals(1)
        self.ordered_rate.setSpecialValueText("titration protocol")  # 0: the protocol's rate
        self.ordered_rate.setSuffix(" mL/h")
        _tall(self.ordered_rate, "Ordered fixed rate in mL/h; zero for the titration protocol")
        self.weight = QDoubleSpinBox()
        self.weight.setRange(0.0, 400.0)
        self.weight.setDecimals(1)
        self.weight.setSpecialValueText("not needed")
        self.weight.setSuffix(" kg")
        _tall(self.weight, "Patient weight today in kg")
        self.filter_fitted = QCheckBox("In-line filter fitted")
        _tall(self.filter_fitted, "In-line filter fitted")
        self.override_reason = QLineEdit()
        self.override_reason.setPlaceholderText("Reason to go beyond the soft limit")
        _tall(self.override_reason, "Soft-limit override reason")
        self.override_label = QLabel("Soft-limit override reason:")
        self.review_button = touch_button("Check the program  (Ctrl+Return)",
                                          "Check the pump program", shortcut="Ctrl+Return")
        self.problems = big_label(points=15)
        self.problems.setAccessibleName("Program problems")
        probe = QHBoxLayout()
        probe.addWidget(self.pump, 2)
        probe.addWidget(self.probe_button)
        form = QFormLayout()
        form.addRow("Pump", probe)
        form.addRow("", self.probe_result)
        form.addRow("Ordered rate", self.ordered_rate)
        form.addRow("Weight", self.weight)
        form.addRow("", self.filter_fitted)
        form.addRow(self.override_label, self.override_reason)
        layout = QVBoxLayout(self)
        layout.addWidget(big_label("Program the pump from the order", points=18))
        layout.addLayout(form)
        layout.addWidget(self.review_button)
        layout.addWidget(self.problems, 1)


class StartPage(QWidget):
    """Step 5: the program as the library allowed it, and the one start action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.program = big_label(points=18)
        self.program.setAccessibleName("Pump program to start")
        self.back_button = touch_button("Back", "Back to the pump program")
        self.start_button = touch_button("Start infusion  (Ctrl+Return)",
                                         "Send the program and start the pump",
                                         shortcut="Ctrl+Return")
        self.start_button.setStyleSheet("font-size: 16pt; font-weight: bold;")
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.start_button, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.program, 1)
        layout.addLayout(row)
