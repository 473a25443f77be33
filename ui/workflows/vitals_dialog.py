"""Vital signs entry: each value within its plausible range, unusual ones confirmed."""

from __future__ import annotations

from datetime import UTC, tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from station.domain.refusals import Refused
from station.domain.timers import Countdown
from station.domain.vital_signs import VITAL_SPECS, VitalSign
from station.services import StationServices
from station.services.observations import VitalsView
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import (
    TOUCH_PX,
    MessageLine,
    big_label,
    due_text,
    refusal_text,
    touch_button,
)


class VitalsDialog(QDialog):
    """Enter a set of vital signs for one appointment; Ctrl+S saves."""

    recorded = Signal(object)  # VitalsView

    def __init__(self, services: StationServices, runner: ServiceRunner, appointment_id: int,
                 *, tz: tzinfo = UTC, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._runner, self._appointment_id, self._tz = (
            services, runner, appointment_id, tz)
        self.setWindowTitle("Vital signs")
        self.setAccessibleName("Vital signs entry")
        self.due = big_label(points=14)
        self.due.setAccessibleName("Vital signs due")
        form = QFormLayout()
        self.fields: dict[VitalSign, QDoubleSpinBox] = {}
        for sign, spec in VITAL_SPECS.items():
            box = QDoubleSpinBox()
            box.setDecimals(spec.decimals)
            box.setRange(*spec.plausible)  # a value outside cannot be typed at all
            box.setValue(sum(spec.usual) / 2)
            box.setSuffix(f" {spec.unit}")
            box.setMinimumHeight(TOUCH_PX)
            box.setAccessibleName(spec.label)
            box.setToolTip(f"Usual {spec.span(spec.usual)}; possible {spec.span(spec.plausible)}")
            box.valueChanged.connect(self._update_unusual)
            form.addRow(spec.label.capitalize(), box)
            self.fields[sign] = box
        self.confirm_unusual = QCheckBox("I re-measured: the unusual values are right")
        self.confirm_unusual.setMinimumHeight(TOUCH_PX)
        self.confirm_unusual.setAccessibleName("Confirm unusual values")
        self.save_button = touch_button("Save vital signs  (Ctrl+S)", "Save vital signs",
                                        shortcut="Ctrl+S")
        self.save_button.clicked.connect(self.save)
        self._message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self.due)
        layout.addLayout(form)
        layout.addWidget(self.confirm_unusual)
        layout.addWidget(self.save_button)
        layout.addWidget(self._message)
        self._update_unusual()
        runner.call(lambda: services.observations.vitals_due(appointment_id), self._on_due,
                    self._message.problem, doing="read when vital signs are due")

    @property
    def message(self) -> str:
        return self._message.text()

    def set_values(self, values: dict[VitalSign, float]) -> None:
        for sign, value in values.items():
            self.fields[sign].setValue(value)

    def unusual(self) -> frozenset[VitalSign]:
        """Values outside the usual range (they need the re-measure confirmation)."""
        return frozenset(sign for sign, box in self.fields.items()
                         if not VITAL_SPECS[sign].usual[0] <= box.value()
                         <= VITAL_SPECS[sign].usual[1])

    def save(self) -> None:
        values = {sign: box.value() for sign, box in self.fields.items()}
        confirmed = self.unusual() if self.confirm_unusual.isChecked() else frozenset()
        services, appointment_id = self._services, self._appointment_id
        self.save_button.setEnabled(False)
        self._runner.call(
            lambda: services.observations.record_vitals(
                appointment_id, values, taken_at=services.context.now(),
                confirmed_unusual=confirmed),
            self._on_saved, self._on_error, doing="save the vital signs")

    def _update_unusual(self) -> None:
        unusual = self.unusual()
        for sign, box in self.fields.items():
            box.setStyleSheet("background: #f0e442;" if sign in unusual else "")
        self.confirm_unusual.setVisible(bool(unusual))

    def _on_due(self, due: object) -> None:
        self.due.setText(due_text("Vital signs", due if isinstance(due, Countdown) else None,
                                  self._services.context.now(), self._tz))

    def _on_saved(self, result: object) -> None:
        self.save_button.setEnabled(True)
        if isinstance(result, Refused):
            self._message.problem("Not saved:\n" + refusal_text(result))
            return
        view = getattr(result, "value", None)
        if isinstance(view, VitalsView):
            self._message.done("Saved.")
            self._on_due(view.next_due)
            self.recorded.emit(view)
            self.accept()

    def _on_error(self, text: str) -> None:
        self.save_button.setEnabled(True)
        self._message.problem(text)
