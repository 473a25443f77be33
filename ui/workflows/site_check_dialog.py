"""Site check: infiltration grade 0-4 with its criteria, the extent, the dressing."""

from __future__ import annotations

from datetime import UTC, tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from station.domain.refusals import Refused
from station.domain.site_assessment import (
    GRADE_CRITERIA,
    InfiltrationGrade,
    SiteAction,
    SiteRefusal,
)
from station.domain.timers import Countdown
from station.services import StationServices
from station.services.observations import SiteView
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import (
    TOUCH_PX,
    MessageLine,
    big_label,
    due_text,
    refusal_text,
    touch_button,
)


class SiteCheckDialog(QDialog):
    """Record one site assessment; the actions it calls for are shown, not hidden."""

    recorded = Signal(object)  # SiteView

    def __init__(self, services: StationServices, runner: ServiceRunner, appointment_id: int,
                 *, tz: tzinfo = UTC, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._runner, self._appointment_id, self._tz = (
            services, runner, appointment_id, tz)
        self.setWindowTitle("Site check")
        self.setAccessibleName("Site check entry")
        self.due = big_label(points=14)
        self.due.setAccessibleName("Site check due")
        self.grade = QComboBox()
        self.grade.setAccessibleName("Infiltration grade")
        self.grade.setMinimumHeight(TOUCH_PX)
        for grade in InfiltrationGrade:
            self.grade.addItem(f"Grade {int(grade)}: {GRADE_CRITERIA[grade]}", grade)
        self.extent = QDoubleSpinBox()
        self.extent.setRange(0.0, 50.0)
        self.extent.setDecimals(1)
        self.extent.setSuffix(" cm")
        self.extent.setAccessibleName("Extent of swelling in cm")
        self.extent.setMinimumHeight(TOUCH_PX)
        self.dressing = QCheckBox("Dressing intact")
        self.dressing.setChecked(True)
        self.dressing.setAccessibleName("Dressing intact")
        self.dressing.setMinimumHeight(TOUCH_PX)
        self.note = QLineEdit()
        self.note.setAccessibleName("Site note")
        self.note.setMinimumHeight(TOUCH_PX)
        self.confirm_mismatch = QCheckBox("I measured again: the extent and grade are right")
        self.confirm_mismatch.setAccessibleName("Confirm extent and grade")
        self.confirm_mismatch.setMinimumHeight(TOUCH_PX)
        self.confirm_mismatch.setVisible(False)
        self.save_button = touch_button("Save site check  (Ctrl+S)", "Save site check",
                                        shortcut="Ctrl+S")
        self.save_button.clicked.connect(self.save)
        self.actions_label = big_label(points=14)
        self.actions_label.setAccessibleName("What to do")
        self._message = MessageLine()
        form = QFormLayout()
        form.addRow("Grade", self.grade)
        form.addRow("Extent", self.extent)
        form.addRow("", self.dressing)
        form.addRow("Note", self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.due)
        layout.addLayout(form)
        layout.addWidget(self.confirm_mismatch)
        layout.addWidget(self.save_button)
        layout.addWidget(self.actions_label)
        layout.addWidget(self._message)
        runner.call(lambda: services.observations.site_check_due(appointment_id), self._on_due,
                    self._message.problem, doing="read when the site check is due")

    @property
    def message(self) -> str:
        return self._message.text()

    def save(self) -> None:
        grade = InfiltrationGrade(self.grade.currentData())
        extent, intact, note = self.extent.value(), self.dressing.isChecked(), self.note.text()
        confirm = self.confirm_mismatch.isChecked()
        services, appointment_id = self._services, self._appointment_id
        self.save_button.setEnabled(False)
        self._runner.call(
            lambda: services.observations.record_site(
                appointment_id, grade, extent, dressing_intact=intact,
                assessed_at=services.context.now(), confirm_mismatch=confirm, note=note),
            self._on_saved, self._on_error, doing="save the site check")

    def _on_due(self, due: object) -> None:
        self.due.setText(due_text("Site check", due if isinstance(due, Countdown) else None,
                                  self._services.context.now(), self._tz))

    def _on_saved(self, result: object) -> None:
        self.save_button.setEnabled(True)
        if isinstance(result, Refused):
            self.confirm_mismatch.setVisible(SiteRefusal.CONFIRM_EXTENT in result.codes)
            self._message.problem("Not saved:\n" + refusal_text(result))
            return
        view = getattr(result, "value", None)
        if not isinstance(view, SiteView):
            return
        todo = [a for a in view.actions if a is not SiteAction.CONTINUE]
        self.actions_label.setText("Now: " + "; ".join(a.value for a in todo) if todo
                                   else "Site fine: carry on.")
        self.actions_label.setStyleSheet("color: #a00000;" if todo else "")
        self._message.done("Saved." + (" Pause the infusion with a reason before re-siting."
                                       if any("stop" in a.value for a in todo) else ""))
        self._on_due(view.next_check)
        self.recorded.emit(view)
        if not todo:
            self.accept()

    def _on_error(self, text: str) -> None:
        self.save_button.setEnabled(True)
        self._message.problem(text)
