"""Completion: the volumes, ending the delivery, the observation countdown, discharge
with a summary of the visit.

The `observation_over` advisory is raised and stored by the monitoring service from the
stored completion; this view only counts down to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from station.domain.completion import Completion, CompletionRefusal, VolumeSummary
from station.domain.refusals import Refused, say_minutes, say_number
from station.persistence.scheduling import Appointment
from station.services import StationServices
from station.services.completion import InfusionTotals
from ui.reports.export_action import VISIT_EXPORTS, RecordExport
from ui.workflows import pump_commands
from ui.workflows.pump_commands import PumpCommands
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import (
    TOUCH_PX,
    MessageLine,
    TickingView,
    big_label,
    clock_time,
    mm_ss,
    refusal_text,
    touch_button,
)


def say_volumes(volumes: VolumeSummary) -> str:
    count = len(volumes.per_segment)
    parts = " + ".join(say_number(v) for v in volumes.per_segment)
    return (f"{say_number(volumes.total_ml)} of {say_number(volumes.ordered_ml)} mL given"
            f" ({count} segment{'s' if count != 1 else ''}: {parts} mL)")


def visit_summary(appointment: Appointment, completion: Completion, discharged_at: datetime,
                  tz: tzinfo) -> str:
    """What the visit was, for the nurse's hand-over and the patient's leaflet."""
    patient = appointment.patient
    lines = [f"Visit of {patient.given_name} {patient.family_name} ({patient.mrn})",
             f"Booked {clock_time(appointment.start_at, tz)}; infusion ended "
             f"{clock_time(completion.completed_at, tz)} by {completion.completed_by}",
             say_volumes(completion.volumes),
             f"Observed until {clock_time(completion.observation_ends_at, tz)}; discharged "
             f"{clock_time(discharged_at, tz)} "
             f"({say_minutes(discharged_at - completion.completed_at)} after the end)"]
    if completion.shortfall_reason:
        lines.insert(3, f"Ended short: {completion.shortfall_reason}")
    return "\n".join(lines)


class CompletionView(TickingView):
    """End the infusion, count the observation down, discharge."""

    completed = Signal(object)  # Completion
    discharged = Signal(str)  # the visit summary

    def __init__(self, services: StationServices, runner: ServiceRunner, pump: PumpCommands,
                 infusion_id: int, appointment_id: int, *, tz: tzinfo = UTC,
                 tick_ms: int = 1000, export_dir: Path | None = None, training: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(tick_ms, parent)
        self._services, self._runner, self._pump = services, runner, pump
        self._infusion_id, self._appointment_id = infusion_id, appointment_id
        self._tz = tz
        self._completion: Completion | None = None
        self.setAccessibleName("Completion and discharge")
        self.volumes = big_label(points=16)
        self.volumes.setAccessibleName("Volumes given")
        self.shortfall = QLineEdit()
        self.shortfall.setPlaceholderText("Why the infusion ends short of the order")
        self.shortfall.setAccessibleName("Reason for ending short")
        self.shortfall.setMinimumHeight(TOUCH_PX)
        self.shortfall.setVisible(False)
        self.end_button = touch_button("End infusion  (Ctrl+E)", "End the infusion",
                                       shortcut="Ctrl+E")
        self.end_button.clicked.connect(self.end_infusion)
        self.observation = big_label(points=18)
        self.observation.setAccessibleName("Observation countdown")
        self.discharge_button = touch_button("Discharge  (Ctrl+D)", "Discharge the patient",
                                             shortcut="Ctrl+D")
        self.discharge_button.clicked.connect(self.discharge)
        self.discharge_button.setVisible(False)
        # Export the record once the infusion has ended (docs/records.md): the PDF, and the
        # data forms other systems read.
        self._exports = [RecordExport(services, runner, infusion_id, folder=export_dir,
                                      training=training, tz=tz, kind=kind, parent=self)
                         for kind in VISIT_EXPORTS]
        self._export = self._exports[0]
        self.export_button = touch_button("Export record (PDF)", "Export the infusion record")
        self.export_button.clicked.connect(self._export.start)
        self.export_data = QWidget()
        self.export_data.setAccessibleName("Export the visit's data")
        row = QHBoxLayout(self.export_data)
        row.setContentsMargins(0, 0, 0, 0)
        for export in self._exports[1:]:
            button = touch_button(f"Export {export.kind.upper()}",
                                  f"Export {VISIT_EXPORTS[export.kind][1]}")
            button.clicked.connect(export.start)
            row.addWidget(button)
        self.export_button.setVisible(False)
        self.export_data.setVisible(False)
        self.summary = big_label(points=13, bold=False)
        self.summary.setAccessibleName("Visit summary")
        self._message = MessageLine()
        for export in self._exports:
            export.exported.connect(lambda path: self._message.done(f"Saved: {path}"))
            export.failed.connect(self._message.problem)
        layout = QVBoxLayout(self)
        for widget in (self.volumes, self.shortfall, self.end_button, self.observation,
                       self.discharge_button, self.export_button, self.export_data,
                       self.summary, self._message):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.reload_totals()

    @property
    def message(self) -> str:
        return self._message.text()

    def reload_totals(self) -> None:
        services, infusion_id = self._services, self._infusion_id
        self._runner.call(lambda: services.completion.totals(infusion_id), self._on_totals,
                          self._message.problem, doing="read the volumes")

    def end_infusion(self) -> None:
        """Record the Delivery Complete, then stop the pump."""
        services, pump, infusion_id = self._services, self._pump, self._infusion_id
        reason = self.shortfall.text().strip()

        def work() -> Any:
            done = services.completion.complete(infusion_id, at=services.context.now(),
                                                shortfall_reason=reason)
            if not isinstance(done, Refused):
                pump_commands.stop(pump)
            return done

        self.end_button.setEnabled(False)
        self._runner.call(work, self._on_completed, self._on_error, doing="end the infusion")

    def discharge(self) -> None:
        services, appointment_id = self._services, self._appointment_id
        self.discharge_button.setEnabled(False)
        self._runner.call(lambda: services.completion.discharge(appointment_id),
                          self._on_discharged, self._on_error, doing="discharge the patient")

    def refresh(self) -> None:
        """The observation countdown on the services' clock."""
        done = self._completion
        if done is None:
            return
        left = done.observation_ends_at - self._services.context.now()
        over = left.total_seconds() <= 0
        self.observation.setText(
            "Observation over: check the patient and take vital signs, then discharge"
            if over else f"Observation until {clock_time(done.observation_ends_at, self._tz)}"
                         f" (in {mm_ss(left)})")

    def _on_totals(self, totals: object) -> None:
        if isinstance(totals, InfusionTotals):
            self.volumes.setText(say_volumes(totals.volumes))

    def _on_completed(self, result: Any) -> None:
        self.end_button.setEnabled(True)
        if isinstance(result, Refused):
            self.shortfall.setVisible(CompletionRefusal.SHORTFALL_NEEDS_REASON in result.codes)
            self._message.problem("Not ended:\n" + refusal_text(result))
            return
        done: Completion = result.value
        self._completion = done
        self.volumes.setText(say_volumes(done.volumes))
        self.end_button.setVisible(False)
        self.shortfall.setVisible(False)
        self.discharge_button.setVisible(True)
        self.export_button.setVisible(True)
        self.export_data.setVisible(True)
        self._message.done("Infusion ended; pump stopped.")
        self.refresh()
        self._update_ticking()
        self.completed.emit(done)

    def _on_discharged(self, result: Any) -> None:
        self.discharge_button.setEnabled(True)
        if isinstance(result, Refused):
            self._message.problem("Not yet:\n" + refusal_text(result))
            return
        assert self._completion is not None
        text = visit_summary(result.value, self._completion, self._services.context.now(),
                             self._tz)
        self.summary.setText(text)
        self._update_ticking()
        self.discharge_button.setVisible(False)
        self.observation.setText("Discharged: the visit is complete.")
        self._message.done("Discharged.")
        self.discharged.emit(text)

    def _on_error(self, text: str) -> None:
        self.end_button.setEnabled(True)
        self.discharge_button.setEnabled(True)
        self._message.problem(text)

    def _counting(self) -> bool:
        return self._completion is not None and not self.summary.text()
