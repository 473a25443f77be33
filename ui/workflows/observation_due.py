"""When vital signs and the site check are due, counted down on the services' clock.

Only shown here: the `vital_signs_due` and `site_check_due` alarms are raised and
stored by the monitoring service from the stored checks, whether or not this is open.
The due times are read through the services (`reload`), or given by the caller
(`show_due`: the chair panel passes its snapshot's schedule, the alarms' own times).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from station.domain.timers import Countdown, countdown
from station.services import StationServices
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import MessageLine, TickingView, big_label, due_text

VITALS, SITE = "vital_signs_due", "site_check_due"


class ObservationDue(TickingView):
    """Two due times, redrawn on the services' clock; call `reload()` after a recording."""

    due_changed = Signal(str, bool)  # the alarm condition's name, due now (as shown)

    def __init__(self, services: StationServices, runner: ServiceRunner, appointment_id: int,
                 *, tz: tzinfo = UTC, load: bool = True,
                 tick_ms: int = 1000, parent: QWidget | None = None) -> None:
        """`load=False`: show nothing until `show_due` gives the due times."""
        super().__init__(tick_ms, parent)
        self._services, self._runner, self._appointment_id = services, runner, appointment_id
        self._tz = tz
        self._due: dict[str, Countdown | None] = {VITALS: None, SITE: None}
        self._shown_due: dict[str, bool] = {VITALS: False, SITE: False}
        self._loaded = False
        self.vitals = big_label(points=14)
        self.vitals.setAccessibleName("Vital signs due")
        self.site = big_label(points=14)
        self.site.setAccessibleName("Site check due")
        self._message = MessageLine()
        layout = QHBoxLayout(self)
        layout.addWidget(self.vitals)
        layout.addWidget(self.site)
        layout.addWidget(self._message)
        if load:
            self.reload()

    def show_due(self, vitals_due_at: datetime | None, site_due_at: datetime | None) -> None:
        """Show these due times (None: none recorded yet, due now)."""
        now = self._services.context.now()
        self._on_loaded(tuple(None if at is None else countdown(at, now)
                              for at in (vitals_due_at, site_due_at)))

    def reload(self) -> None:
        services, appointment_id = self._services, self._appointment_id
        self._runner.call(lambda: (services.observations.vitals_due(appointment_id),
                                   services.observations.site_check_due(appointment_id)),
                          self._on_loaded, self._message.problem,
                          doing="read when checks are due")

    def refresh(self) -> None:
        if not self._loaded:
            return
        now = self._services.context.now()
        self.vitals.setText(due_text("Vital signs", self._due[VITALS], now, self._tz))
        self.site.setText(due_text("Site check", self._due[SITE], now, self._tz))
        for name, label in ((VITALS, self.vitals), (SITE, self.site)):
            countdown = self._due[name]
            due = countdown is None or countdown.due_at <= now
            label.setStyleSheet("color: #a00000;" if due else "")
            if due != self._shown_due[name]:
                self._shown_due[name] = due
                self.due_changed.emit(name, due)

    def _on_loaded(self, result: object) -> None:
        assert isinstance(result, tuple)
        self._due[VITALS], self._due[SITE] = result
        self._loaded = True
        self.refresh()
        self._update_ticking()

    def _counting(self) -> bool:
        return self._loaded
