"""Titration: the rate now, the next step and its due time, one action to step up.

Confirming asks the service first (refused when not due, during a reaction hold, or
without fresh vitals for IVIG), then sends the new rate to the pump and puts the step
on the plot.
"""

from __future__ import annotations

from datetime import UTC, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from station.domain.refusals import Refused, say_number
from station.services import StationServices
from station.services.titration import TitrationView
from ui.models.markers import titration_marker
from ui.models.series_buffer import SeriesBuffer
from ui.workflows import pump_commands
from ui.workflows.pump_commands import PumpCommands
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import (
    MessageLine,
    TickingView,
    big_label,
    clock_time,
    mm_ss,
    refusal_text,
    relabel,
    touch_button,
)

EARLY = timedelta(minutes=1)  # the service accepts a step one minute early


class TitrationBar(TickingView):
    """Next step and due time always visible; Ctrl+T confirms and sets the pump."""

    step_confirmed = Signal(float)  # the new rate, once the pump took it

    def __init__(self, services: StationServices, runner: ServiceRunner, pump: PumpCommands,
                 infusion_id: int, *, buffer: SeriesBuffer | None = None, tz: tzinfo = UTC,
                 tick_ms: int = 1000, parent: QWidget | None = None) -> None:
        super().__init__(tick_ms, parent)
        self._services, self._runner, self._pump = services, runner, pump
        self._infusion_id, self._buffer, self._tz = infusion_id, buffer, tz
        self._view: TitrationView | None = None
        self._was_due = False
        self.setAccessibleName("Titration")
        self.now_label = big_label(points=16)
        self.now_label.setAccessibleName("Rate now")
        self.next_label = big_label(points=16)
        self.next_label.setAccessibleName("Next titration step")
        self.confirm_button = touch_button("Confirm step  (Ctrl+T)",
                                           "Confirm the next titration step and set the pump",
                                           shortcut="Ctrl+T")
        self.confirm_button.setEnabled(False)
        self.confirm_button.clicked.connect(self.confirm)
        self._message = MessageLine()
        row = QHBoxLayout()
        row.addWidget(self.now_label, 1)
        row.addWidget(self.next_label, 2)
        row.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self._message)
        self.reload()

    @property
    def message(self) -> str:
        return self._message.text()

    def reload(self) -> None:
        """Read the titration state again (after a pause, a reaction, a step)."""
        services, infusion_id = self._services, self._infusion_id
        self._runner.call(lambda: services.titration.view(infusion_id), self._on_view,
                          self._message.problem, doing="read the titration steps")

    def confirm(self) -> None:
        """Confirm the due step with the service, then set the pump to its rate."""
        services, pump, infusion_id = self._services, self._pump, self._infusion_id

        def work() -> Any:
            done = services.titration.confirm_step(infusion_id)
            if isinstance(done, Refused):
                return done
            pump_commands.set_rate(pump, done.value.rate_ml_h)
            return done.value

        self.confirm_button.setEnabled(False)
        self._message.done("Setting the pump…")
        self._runner.call(work, self._on_confirmed, self._on_error,
                          doing="confirm the titration step")

    def refresh(self) -> None:
        """Redraw the countdown to the next step; enable the action once it is due."""
        view = self._view
        if view is None:
            self.now_label.setText("Fixed rate: no titration steps")
            self.next_label.setText("")
            self.confirm_button.setEnabled(False)
            return
        self.now_label.setText(f"Now {say_number(view.rate_ml_h)} mL/h")
        step = view.state.next_step
        if step is None or view.next_due is None:
            self.next_label.setText(f"Top rate reached; expected end "
                                    f"{clock_time(view.expected_end, self._tz)}")
            self.confirm_button.setEnabled(False)
            return
        left = view.next_due - self._services.context.now()
        due = left <= EARLY
        when = "DUE NOW" if left <= timedelta(0) else f"in {mm_ss(left)}"
        self.next_label.setText(f"Next: {say_number(step.rate_ml_h)} mL/h at "
                                f"{clock_time(view.next_due, self._tz)} ({when})")
        self.next_label.setStyleSheet("color: #a00000;" if left <= timedelta(0) else "")
        relabel(self.confirm_button, f"Set {say_number(step.rate_ml_h)} mL/h  (Ctrl+T)")
        self.confirm_button.setEnabled(due and not self._runner.busy)
        if due and not self._was_due:
            self._message.clear()  # an earlier "not due yet" no longer holds
        self._was_due = due

    def _on_view(self, view: object) -> None:
        self._view = view if isinstance(view, TitrationView) else None
        self.refresh()
        self._update_ticking()

    def _on_confirmed(self, result: object) -> None:
        if isinstance(result, Refused):
            self._message.problem("Step not confirmed:\n" + refusal_text(result))
            self.refresh()
            return
        if not isinstance(result, TitrationView):
            return
        if self._buffer is not None and result.state.confirmations:
            self._buffer.add_marker(titration_marker(result.state.confirmations[-1]))
        self._message.done(f"Pump set to {say_number(result.rate_ml_h)} mL/h.")
        self._on_view(result)
        self.step_confirmed.emit(float(result.rate_ml_h))

    def _on_error(self, text: str) -> None:
        self._message.problem(text)
        self.refresh()

    def _counting(self) -> bool:
        return self._view is not None
