"""Bathroom break and other pauses: stop the pump, count down, resume same or half.

The countdown runs from the service's pause view (the library's reminder thresholds)
on the services' own clock, so tests move time instead of waiting. The panel only
shows it: the `pause_overrun` alarm itself is raised and stored by the monitoring
service from the stored pause (station/monitoring/schedule.py), whether or not this
panel is open; `overrun_level_changed` says when the shown level changes.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from station.domain.pauses import PauseAlarmLevel, PauseReason, ResumeRate, Resumption
from station.domain.refusals import Refused, Result, say_number
from station.services import StationServices
from station.services.pauses import PauseView
from ui.models.series_buffer import SeriesBuffer, epoch
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
    touch_button,
)


class BreakPanel(TickingView):
    """One chair's pause controls: the labelled "Bathroom break" action, timer, resume."""

    paused = Signal(object)  # PauseView, once the pump is stopped and the pause stored
    resumed = Signal(float)  # the rate the pump restarted at, mL/h
    overrun_level_changed = Signal(int)  # PauseAlarmLevel value: 0 none, 2 medium, 3 high

    def __init__(self, services: StationServices, runner: ServiceRunner, pump: PumpCommands,
                 infusion_id: int, *, buffer: SeriesBuffer | None = None, tz: tzinfo = UTC,
                 tick_ms: int = 1000, parent: QWidget | None = None) -> None:
        super().__init__(tick_ms, parent)
        self._services, self._runner, self._pump = services, runner, pump
        self._infusion_id, self._buffer, self._tz = infusion_id, buffer, tz
        self._view: PauseView | None = None
        self._level = PauseAlarmLevel.NONE
        self._build()
        self._update_mode()
        self.reload()

    def reload(self) -> None:
        """Read the pause again (a side effect may have paused the infusion)."""
        services, infusion_id = self._services, self._infusion_id
        self._runner.call(lambda: services.pauses.current(infusion_id), self._on_loaded,
                          self._message.problem, doing="read the pause")

    # -- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        self.setAccessibleName("Pause and resume")
        self.break_button = touch_button("Bathroom break  (Ctrl+B)",
                                         "Bathroom break: stop the pump", shortcut="Ctrl+B")
        self.break_button.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.break_button.clicked.connect(lambda: self.pause(PauseReason.BATHROOM_BREAK))
        self.reason = QComboBox()
        self.reason.setAccessibleName("Other pause reason")
        self.reason.setMinimumHeight(48)
        for reason in PauseReason:
            if reason is not PauseReason.BATHROOM_BREAK:
                self.reason.addItem(reason.value.capitalize(), reason)
        self.note = QLineEdit()
        self.note.setAccessibleName("Pause note")
        self.note.setPlaceholderText("Note (needed for \"other\")")
        self.note.setMinimumHeight(48)
        self.other_button = touch_button("Pause for this reason", "Pause for the chosen reason")
        self.other_button.clicked.connect(
            lambda: self.pause(PauseReason(self.reason.currentData())))
        self.status = big_label(points=20)
        self.status.setAccessibleName("Pause status")
        self.countdown = big_label(points=18)
        self.countdown.setAccessibleName("Pause countdown")
        self.walking = big_label(points=16)
        self.walking.setAccessibleName("Walking help")
        self.resume_same = touch_button("Resume at same rate  (Ctrl+R)",
                                        "Resume at the same rate", shortcut="Ctrl+R")
        self.resume_same.clicked.connect(lambda: self.resume(ResumeRate.SAME))
        self.resume_half = touch_button("Resume at half rate  (Ctrl+H)",
                                        "Resume at half the rate", shortcut="Ctrl+H")
        self.resume_half.clicked.connect(lambda: self.resume(ResumeRate.HALF))
        for button in (self.resume_same, self.resume_half):
            button.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self._message = MessageLine()
        other = QHBoxLayout()
        other.addWidget(self.reason)
        other.addWidget(self.note)
        other.addWidget(self.other_button)
        resume = QHBoxLayout()
        resume.addWidget(self.resume_same)
        resume.addWidget(self.resume_half)
        layout = QVBoxLayout(self)
        layout.addWidget(self.break_button)
        layout.addLayout(other)
        layout.addWidget(self.status)
        layout.addWidget(self.countdown)
        layout.addWidget(self.walking)
        layout.addLayout(resume)
        layout.addWidget(self._message)
        layout.addStretch(1)

    @property
    def message(self) -> str:
        return self._message.text()

    @property
    def level(self) -> PauseAlarmLevel:
        return self._level

    # -- actions ------------------------------------------------------------------------

    def pause(self, reason: PauseReason) -> None:
        """Stop the pump, then store the pause at the time the pump answered."""
        note = self.note.text().strip() if reason is not PauseReason.BATHROOM_BREAK else ""
        services, pump, infusion_id = self._services, self._pump, self._infusion_id

        def work() -> Result[PauseView]:
            pump_commands.stop(pump)
            return services.pauses.pause(infusion_id, reason, at=services.context.now(),
                                         note=note)

        self._set_enabled(False)
        self._message.done("Stopping the pump…")
        self._runner.call(work, self._on_paused, self._on_error, doing="pause the infusion")

    def resume(self, mode: ResumeRate) -> None:
        """Store the resumption (the service decides the rate), then restart the pump."""
        services, pump, infusion_id = self._services, self._pump, self._infusion_id

        def work() -> Result[Resumption] | tuple[Resumption, float]:
            done = services.pauses.resume(infusion_id, mode, at=services.context.now())
            if isinstance(done, Refused):
                return done
            view = services.titration.view(infusion_id)  # titrated: the step's rate wins
            rate = view.rate_ml_h if view is not None else done.value.rate_ml_h
            pump_commands.program_and_run(pump, rate)
            return done.value, rate

        self._set_enabled(False)
        self._message.done("Restarting the pump…")
        self._runner.call(work, self._on_resumed, self._on_error, doing="resume the infusion")

    def refresh(self) -> None:
        """Redraw the countdown and the overrun level on the services' clock."""
        view = self._view
        if view is None:
            return
        now = self._services.context.now()
        medium, high = view.status.until_medium, view.status.until_high
        level = (PauseAlarmLevel.HIGH if now >= high.due_at
                 else PauseAlarmLevel.MEDIUM if now >= medium.due_at else PauseAlarmLevel.NONE)
        elapsed = mm_ss(now - view.pause.paused_at)
        if level is PauseAlarmLevel.NONE:
            ahead = f"reminder in {mm_ss(medium.due_at - now)}"
        elif level is PauseAlarmLevel.MEDIUM:
            ahead = f"OVER TIME (medium alarm) · high alarm in {mm_ss(high.due_at - now)}"
        else:
            ahead = "OVER TIME (high alarm): resume or record why it stays paused"
        self.countdown.setText(f"Paused for {elapsed}\n{ahead}")
        self.countdown.setStyleSheet("" if level is PauseAlarmLevel.NONE
                                     else "color: #a00000;")
        self._set_level(level)

    # -- results ------------------------------------------------------------------------

    def _on_loaded(self, view: object) -> None:
        if isinstance(view, PauseView):
            self._show_pause(view)
        elif self._view is not None:  # resumed elsewhere
            self._view = None
            self._set_level(PauseAlarmLevel.NONE)
            self._update_mode()
            self._update_ticking()

    def _on_paused(self, result: object) -> None:
        self._set_enabled(True)
        if isinstance(result, Refused):
            self._message.problem("The pump is stopped, but the pause was not recorded:\n"
                                  + refusal_text(result))
            return
        view = getattr(result, "value", None)
        if not isinstance(view, PauseView):
            return
        if self._buffer is not None:
            self._buffer.start_pause(epoch(view.pause.paused_at), view.pause.reason.value)
        self._message.done("Pump stopped; pause recorded.")
        self._show_pause(view)
        self.paused.emit(view)

    def _on_resumed(self, result: Any) -> None:
        self._set_enabled(True)
        if isinstance(result, Refused):
            self._message.problem("Not resumed:\n" + refusal_text(result))
            return
        resumption, rate = result
        if self._buffer is not None and self._buffer.pauses and self._buffer.pauses[-1].end is None:
            self._buffer.end_pause(epoch(resumption.resumed_at))
        self._view = None
        self._update_ticking()
        self._set_level(PauseAlarmLevel.NONE)
        self._message.done(f"Pump running again at {say_number(rate)} mL/h "
                           f"after {mm_ss(resumption.duration)}.")
        self._update_mode()
        self.resumed.emit(float(rate))

    def _on_error(self, text: str) -> None:
        self._set_enabled(True)
        self._message.problem(text)

    # -- state --------------------------------------------------------------------------

    def _show_pause(self, view: PauseView) -> None:
        self._view = view
        pause = view.pause
        note = f" ({pause.note})" if pause.note else ""
        self.status.setText(f"PAUSED: {pause.reason.value}{note} since "
                            f"{clock_time(pause.paused_at, self._tz)}, by {pause.paused_by}; "
                            f"was {say_number(pause.rate_before_ml_h)} mL/h")
        help_ = view.walking_help
        if help_.needed:
            self.walking.setText("⚠ NEEDS HELP TO WALK: " + "; ".join(help_.reasons))
            self.walking.setStyleSheet("background: #f0e442; color: black; padding: 6px;")
        else:
            self.walking.setText("Walks unaided (no sedating pre-medication, no dizziness)")
            self.walking.setStyleSheet("")
        self._update_mode()
        self.refresh()
        self._update_ticking()

    def _set_level(self, level: PauseAlarmLevel) -> None:
        if level is self._level:
            return
        self._level = level
        self.overrun_level_changed.emit(int(level))

    def _update_mode(self) -> None:
        paused = self._view is not None
        running_widgets: tuple[QWidget, ...] = (self.break_button, self.reason, self.note,
                                                self.other_button)
        paused_widgets: tuple[QWidget, ...] = (self.status, self.countdown, self.walking,
                                               self.resume_same, self.resume_half)
        for widget in running_widgets:
            widget.setVisible(not paused)
        for widget in paused_widgets:
            widget.setVisible(paused)

    def _set_enabled(self, enabled: bool) -> None:
        for button in (self.break_button, self.other_button, self.resume_same,
                       self.resume_half):
            button.setEnabled(enabled)

    def _counting(self) -> bool:
        return self._view is not None
