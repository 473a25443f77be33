"""One chair at the workstation: patient banner, alarm banner, numerics, plot, actions.

Everything comes in through the constructor (`ChairParts`); the panel reads the chair's
snapshots from the `MonitorBridge`, its patient through the `ServiceRunner`, and opens
the workflow views of `ui/workflows/` for its appointment. `refresh()` runs on the
window's redraw clock; the plot is redrawn by the clock's plot budget. The clinical
alarms (break overrun, titration, checks due, observation over) come with the
snapshots, raised and stored by the monitoring service; the panel counts down to their
due times (the snapshot's `schedule`) and never raises one itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import PumpPoller
from station.monitoring import ChairSnapshot, ChairUpdate, MonitoringService
from station.persistence.delivery import InfusionStatus
from station.persistence.scheduling import AppointmentStatus
from station.services import StationServices
from ui.alarms.alarm_actions import AlarmActions
from ui.alarms.alarm_banner import AlarmBanner
from ui.bridge.chair_feed import ChairFeed
from ui.chairside.action_bar import Action, ActionBar
from ui.chairside.chair_state import StateText, chair_state
from ui.chairside.monitor_bridge import MonitorBridge
from ui.chairside.monitored_alarms import MonitoredChairAlarms
from ui.chairside.patient_banner import PatientBanner
from ui.chairside.roster import ChairPatient, load_chair_patient, pump_row_id
from ui.chairside.workflow_window import WorkflowWindow
from ui.models.series_buffer import SeriesBuffer
from ui.plots.chair_plot import ChairPlot
from ui.widgets.numerics import NumericsPanel
from ui.workflows.break_panel import BreakPanel
from ui.workflows.checkin_wizard import CheckInWizard, PumpChoice
from ui.workflows.completion_view import CompletionView
from ui.workflows.observation_due import ObservationDue
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.side_effect_dialog import SideEffectDialog
from ui.workflows.site_check_dialog import SiteCheckDialog
from ui.workflows.titration_bar import TitrationBar
from ui.workflows.vitals_dialog import VitalsDialog
from ui.workflows.widgets import MessageLine

PLOT_MIN_HEIGHT_PX = 240
COMPACT_BELOW_PX = 900  # a chair panel this short (1366x768) gets the compact numerics
DUE_POINTS = 11


@dataclass(frozen=True)
class ChairParts:
    """What a chair panel works with; the window builds these once per chair."""

    chair_id: str
    monitoring: MonitoringService
    services: StationServices
    sessions: sessionmaker[Session]
    runner: ServiceRunner
    bridge: MonitorBridge
    alarms: MonitoredChairAlarms
    actions: AlarmActions
    tz: tzinfo
    occlusion_limit_mmhg: float | None = None


class ChairPanel(QWidget):
    """The chair's screen area; `refresh()` at the redraw rate, `reload()` after a change."""

    patient_loaded = Signal(object)  # ChairPatient | None
    _service_refused = Signal(str)  # from the monitoring thread: queued to here

    def __init__(self, parts: ChairParts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parts = parts
        self.chair_id = parts.chair_id
        self.setAccessibleName(f"Chair {self.chair_id}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.buffer = SeriesBuffer()
        self.feed = ChairFeed(parts.bridge.pumps, self.chair_id, self.buffer, self)
        self.patient: ChairPatient | None = None
        self.snapshot: ChairSnapshot | None = parts.monitoring.snapshot(self.chair_id)
        self.banner = PatientBanner(self.chair_id, parts.tz)
        self.alarm_banner = AlarmBanner(parts.actions)
        self.numerics = NumericsPanel(self.buffer, tz=parts.tz, now=parts.services.context.now)
        self.plot = ChairPlot(self.buffer, occlusion_limit_mmhg=parts.occlusion_limit_mmhg)
        # At 1366x768 a chair with an alarm must fit: the plot gives up height first.
        self.plot.setMinimumSize(480, PLOT_MIN_HEIGHT_PX)
        self.action_bar = ActionBar(self.chair_id, self)
        self.message = MessageLine()
        self.workflow: WorkflowWindow | None = None
        # The break of the running infusion outlives its window: reopened, it still
        # shows the same pause and countdown.
        self.break_window: WorkflowWindow | None = None
        self._break_infusion: int | None = None
        self.due: ObservationDue | None = None  # while infusing or in observation
        self._due_appointment: int | None = None
        self._fitted = False
        self._lay_out()
        self.alarm_banner.setVisible(False)
        self.message.setVisible(False)
        self.feed.link_up_changed.connect(self.numerics.set_link_up)
        self.action_bar.triggered.connect(self._on_action)
        parts.bridge.chair_updated.connect(self._on_chair_updated)
        self._service_refused.connect(parts.actions.refused.emit)
        parts.alarms.on_refused = self._service_refused.emit
        self._update_actions()
        self.reload()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.banner)
        # The due times and the plot's view buttons share one row: the plot gets the
        # height a row of its own would take.
        self._due_row = QHBoxLayout()
        self._due_row.setContentsMargins(0, 0, 0, 0)
        self._due_row.addStretch(1)
        self._due_row.addWidget(self.plot.controls)
        layout.addLayout(self._due_row)
        layout.addWidget(self.alarm_banner)
        layout.addWidget(self.numerics)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.action_bar)
        layout.addWidget(self.message)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        # Only the numerics' share of our height changes: no resize loop.
        self.numerics.set_compact(event.size().height() < COMPACT_BELOW_PX)

    # -- on the redraw clock -------------------------------------------------------------

    def refresh(self) -> None:
        self.parts.alarms.tick()
        # Shown only while the chair has an alarm: the plot gets the room otherwise.
        has_alarms = bool(self.parts.alarms.alarms())
        if self.alarm_banner.isVisibleTo(self) != has_alarms:
            self.alarm_banner.setVisible(has_alarms)
        self.alarm_banner.refresh()
        has_message = bool(self.message.text())
        if self.message.isVisibleTo(self) != has_message:
            self.message.setVisible(has_message)
        self.numerics.refresh()
        if not self._fitted and len(self.buffer) >= 2:
            # From the first samples on, show the infusion from its start: a half-hour
            # window with a few seconds of line in its corner tells a new user nothing.
            self._fitted = True
            self.plot.show_whole_infusion()
        self.banner.show_state(self.state())

    def state(self) -> StateText:
        """The chair's state, with the countdowns of its schedule (break, observation)."""
        return chair_state(self.snapshot, self.patient, self.now(), self.parts.alarms.alarms())

    def now(self) -> datetime:
        return self.parts.services.context.now().astimezone(self.parts.tz)

    # -- the patient, read on the worker ---------------------------------------------------

    def reload(self) -> None:
        sessions, label, tz = self.parts.sessions, self.chair_id, self.parts.tz
        day = self.now().date()
        self.parts.runner.call(lambda: load_chair_patient(sessions, label, day, tz),
                               self._on_patient, self.message.problem,
                               doing=f"read the patient of chair {label}")

    def _on_patient(self, patient: ChairPatient | None) -> None:
        self.patient = patient
        infusion = None if patient is None else patient.infusion_id
        if self.break_window is not None and self._break_infusion != infusion:
            self.break_window.discard()
            self.break_window = None
        if self.break_window is None and patient is not None and patient.paused_since:
            self._break_for(patient)
        self._follow_due_checks(patient)
        self.banner.show_patient(patient)
        self.numerics.set_order(None if patient is None else patient.volume_ml,
                                self.numerics.planned_end)
        self.plot.set_volume_to_be_infused(None if patient is None else patient.volume_ml)
        self._update_actions()
        self.patient_loaded.emit(patient)

    def _follow_due_checks(self, patient: ChairPatient | None) -> None:
        """Vital signs and site check due times from the start to the end of observation."""
        under_care = patient is not None and (
            patient.infusion_status in (InfusionStatus.RUNNING, InfusionStatus.PAUSED)
            or patient.appointment_status is AppointmentStatus.OBSERVATION)
        appointment = patient.appointment_id if patient is not None and under_care else None
        if self.due is not None and self._due_appointment == appointment:
            return
        if self.due is not None:
            self.due.close()
            self.due.deleteLater()
            self.due = None
        self._due_appointment = appointment
        if appointment is not None:
            p = self.parts
            # Its due times are the monitoring's (the snapshot's schedule), as the alarms.
            self.due = ObservationDue(p.services, p.runner, appointment, tz=p.tz, load=False)
            self._show_due_times()
            for label in (self.due.vitals, self.due.site):
                # One line beside each other: at 1366x768 the plot needs the height.
                font = QFont(label.font())
                font.setPointSize(DUE_POINTS)
                label.setFont(font)
                label.setWordWrap(False)
            due_layout = self.due.layout()
            if due_layout is not None:
                due_layout.setContentsMargins(8, 0, 8, 0)
            self._due_row.insertWidget(0, self.due)

    def _on_chair_updated(self, update: ChairUpdate) -> None:
        if update.snapshot.chair_id != self.chair_id:
            return
        before = self.snapshot
        self.snapshot = update.snapshot
        self.parts.alarms.apply(update.snapshot)
        schedule = update.snapshot.schedule
        if before is None or before.schedule.expected_end != schedule.expected_end:
            # Time left from the titration plan, not from the rate running now.
            self.numerics.set_order(self.numerics.vtbi_ml, schedule.expected_end)
        if before is None or before.infusion_id != update.snapshot.infusion_id \
                or before.schedule != schedule:
            self.reload()  # something was stored: a start, a pause, a check, the end
            self._show_due_times()

    def _update_actions(self) -> None:
        patient = self.patient
        status = None if patient is None else patient.appointment_status
        infusing = patient is not None and patient.infusion_status in (
            InfusionStatus.RUNNING, InfusionStatus.PAUSED)
        waiting = status in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN,
                             AppointmentStatus.IN_CHAIR)
        bar = self.action_bar
        bar.set_enabled(Action.CHECK_IN, waiting)
        for action in (Action.TITRATE, Action.BREAK):
            bar.set_enabled(action, infusing)
        for action in (Action.SIDE_EFFECT, Action.VITALS, Action.SITE):
            bar.set_enabled(action, patient is not None and not waiting)
        bar.set_enabled(Action.COMPLETE, infusing or status is AppointmentStatus.OBSERVATION)

    # -- the workflows ---------------------------------------------------------------------

    def _on_action(self, action: Action) -> None:
        patient = self.patient
        if action is Action.CHECK_IN:
            self._start_check_in()
            return
        if patient is None:
            self.message.problem(f"No patient in chair {self.chair_id} today.")
            return
        view = self._view_for(action, patient)
        if view is not None:
            self._show(action.text, view)

    def _view_for(self, action: Action, patient: ChairPatient) -> QWidget | None:
        p, aid = self.parts, patient.appointment_id
        if action is Action.SIDE_EFFECT:
            return SideEffectDialog(p.services, p.runner, aid, pump=self.pump,
                                    infusion_id=patient.infusion_id,
                                    drug_id=patient.titration_protocol or None)
        if action is Action.VITALS:
            # Once stored, the monitoring's next schedule shows the new due time.
            return VitalsDialog(p.services, p.runner, aid, tz=p.tz)
        if action is Action.SITE:
            return SiteCheckDialog(p.services, p.runner, aid, tz=p.tz)
        iid = patient.infusion_id
        if iid is None:
            self.message.problem("No infusion has been started in this chair yet.")
            return None
        if action is Action.TITRATE:
            return TitrationBar(p.services, p.runner, self.pump, iid, buffer=self.buffer, tz=p.tz)
        if action is Action.BREAK:
            self._break_for(patient).open()
            return None
        view = CompletionView(p.services, p.runner, self.pump, iid, aid, tz=p.tz)
        view.completed.connect(lambda _: self._after_start_or_end())
        view.discharged.connect(lambda _: self.reload())
        return view

    def _break_for(self, patient: ChairPatient) -> WorkflowWindow:
        if self.break_window is None:
            assert patient.infusion_id is not None
            p = self.parts
            panel = BreakPanel(p.services, p.runner, self.pump, patient.infusion_id,
                               buffer=self.buffer, tz=p.tz)
            panel.paused.connect(lambda _: self.reload())
            panel.resumed.connect(lambda _: self.reload())
            self.break_window = WorkflowWindow(f"{Action.BREAK.text}: chair {self.chair_id}",
                                               panel, self, keep=True)
            self._break_infusion = patient.infusion_id
        return self.break_window

    def _show_due_times(self) -> None:
        """The due row from the snapshot's schedule, once it is the row's appointment's."""
        schedule = None if self.snapshot is None else self.snapshot.schedule
        if self.due is None or schedule is None \
                or schedule.appointment_id != self._due_appointment:
            return
        self.due.show_due(schedule.vitals_due_at, schedule.site_check_due_at)

    @property
    def pump(self) -> PumpPoller:
        return self.parts.monitoring.pump(self.chair_id)

    def _start_check_in(self) -> None:
        info = self.snapshot.pump if self.snapshot else None
        if info is None or info.serial_number is None:
            self.message.problem(f"The pump of chair {self.chair_id} has not answered yet: "
                                 "check its power and cable, then try again.")
            return
        sessions, serial = self.parts.sessions, info.serial_number
        self.parts.runner.call(lambda: pump_row_id(sessions, serial), self._open_check_in,
                               self.message.problem, doing="find the chair's pump")

    def _open_check_in(self, pump_id: int | None) -> None:
        if pump_id is None:
            self.message.problem("The chair's pump is not registered yet: wait a moment.")
            return
        p = self.parts
        choice = PumpChoice(f"Pump of chair {self.chair_id}", pump_id,
                            p.monitoring.pump(self.chair_id))
        wizard = CheckInWizard(p.services, p.runner, [choice], tz=p.tz)
        wizard.refused.connect(self.message.problem)
        wizard.started.connect(lambda _: self._after_start_or_end())
        self._show(Action.CHECK_IN.text, wizard)

    def _after_start_or_end(self) -> None:
        # The monitoring service stores telemetry under the infusion it finds running.
        self.parts.monitoring.refresh_binding(self.chair_id)
        self.reload()

    def _show(self, title: str, view: QWidget) -> None:
        if self.workflow is not None:
            self.workflow.close()
        self.workflow = WorkflowWindow(f"{title}: chair {self.chair_id}", view, self)
        self.workflow.finished.connect(self._on_workflow_closed(self.workflow))
        self.workflow.open()

    def _on_workflow_closed(self, window: QDialog) -> Callable[[int], None]:
        def closed(_: int) -> None:
            if self.workflow is window:
                self.workflow = None
            self.reload()
        return closed

    def close_workflow(self) -> None:
        """Close every workflow window of the chair (at the window's close)."""
        if self.workflow is not None:
            self.workflow.close()
        if self.break_window is not None:
            self.break_window.discard()
            self.break_window = None
        if self.due is not None:
            self.due.close()
