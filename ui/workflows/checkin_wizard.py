"""Check-in and start: find today's appointment (or the refusal), identify, checklist,
choose and probe the pump, check the program against the library, start.

The start is the services' two-step handshake: `prepare_start` gives the program,
the pump is sent volume, rate and run, and only once it answers `confirm_started`
records the Delivery Start at that moment. If the record is refused the pump is
stopped again, so nothing runs unrecorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from station.domain.programming import ProgrammingRefusal
from station.domain.refusals import Accepted, Refused, Result, say_number
from station.domain.units import Rate
from station.persistence.scheduling import Appointment
from station.services import StationServices
from station.services.infusions import PreparedStart
from ui.workflows import pump_commands
from ui.workflows.checkin_pages import ChecklistPage, FindPage, IdentifyPage, PumpPage, StartPage
from ui.workflows.pump_commands import PumpCommands
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.site_check_dialog import SiteCheckDialog
from ui.workflows.vitals_dialog import VitalsDialog
from ui.workflows.widgets import MessageLine, clock_time, refusal_text

HARD = (ProgrammingRefusal.ABOVE_HARD_LIMIT, ProgrammingRefusal.BELOW_HARD_LIMIT)


@dataclass(frozen=True)
class PumpChoice:
    """A pump the nurse may pick: its words, its stored id and its command channel."""

    label: str
    pump_id: int
    commands: PumpCommands


class CheckInWizard(QWidget):
    """The guided flow from the MRN to a running, recorded infusion."""

    refused = Signal(str)  # the check-in refusal, as shown
    started = Signal(int)  # infusion id, once the pump runs and the start is stored

    def __init__(self, services: StationServices, runner: ServiceRunner,
                 pumps: Sequence[PumpChoice], *, tz: tzinfo = UTC,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services, self._runner, self._pumps, self._tz = services, runner, pumps, tz
        self._appointment: Appointment | None = None
        self._prepared: PreparedStart | None = None
        self.setAccessibleName("Check-in and start")
        self.find_page, self.identify_page = FindPage(), IdentifyPage()
        self.checklist_page, self.pump_page, self.start_page = (ChecklistPage(), PumpPage(),
                                                                StartPage())
        self.pages = QStackedWidget()
        for page in (self.find_page, self.identify_page, self.checklist_page, self.pump_page,
                     self.start_page):
            self.pages.addWidget(page)
        self._message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self._message)
        for choice in pumps:
            self.pump_page.pump.addItem(choice.label, choice.pump_id)
        self._connect()
        self.restart()

    def _connect(self) -> None:
        self.find_page.mrn.returnPressed.connect(self.find_appointment)
        self.find_page.find_button.clicked.connect(self.find_appointment)
        self.find_page.again_button.clicked.connect(self.restart)
        self.identify_page.confirm_button.clicked.connect(self.confirm_identity)
        self.checklist_page.premed_button.clicked.connect(self.give_premedication)
        self.checklist_page.vitals_button.clicked.connect(self._open_vitals)
        self.checklist_page.site_button.clicked.connect(self._open_site)
        self.checklist_page.recheck_button.clicked.connect(self.check_gaps)
        self.checklist_page.next_button.clicked.connect(lambda: self._show(self.pump_page))
        self.pump_page.probe_button.clicked.connect(self.probe_pump)
        self.pump_page.review_button.clicked.connect(self.review_program)
        self.start_page.back_button.clicked.connect(lambda: self._show(self.pump_page))
        self.start_page.start_button.clicked.connect(self.start_infusion)

    @property
    def message(self) -> str:
        return self._message.text()

    @property
    def appointment_id(self) -> int | None:
        return self._appointment.id if self._appointment is not None else None

    # -- step 1: find ---------------------------------------------------------------------

    def restart(self) -> None:
        self._appointment, self._prepared = None, None
        self.find_page.mrn.clear()
        self.find_page.result.clear()
        self.find_page.again_button.setVisible(False)
        self.pump_page.override_label.setVisible(False)
        self.pump_page.override_reason.setVisible(False)
        self.pump_page.override_reason.clear()
        self._message.clear()
        self._show(self.find_page)
        self.find_page.mrn.setFocus()

    def find_appointment(self) -> None:
        mrn = self.find_page.mrn.text().strip()
        if not mrn:
            self._message.problem("Scan the wristband or type the MRN first.")
            return
        services = self._services

        def work() -> Result[Appointment]:
            checked = services.checkin.check_in(mrn)
            return checked if isinstance(checked, Refused) else \
                services.schedule.seat(checked.value.id)

        self._call(work, self._on_found, "check the patient in")

    def _on_found(self, result: Any) -> None:
        if isinstance(result, Refused):
            text = "Do not start.\n" + "\n".join(r.reason for r in result.refusals)
            self.find_page.result.setText(text)
            self.find_page.result.setStyleSheet("color: #a00000;")
            self.find_page.again_button.setVisible(True)
            self.refused.emit(text)
            return
        appointment: Appointment = result.value
        self._appointment = appointment
        patient = appointment.patient
        chair = appointment.chair.label if appointment.chair is not None else "no chair"
        self.identify_page.patient.setText(
            f"{patient.given_name} {patient.family_name}, born "
            f"{patient.date_of_birth:%d %b %Y}, {patient.mrn} · chair {chair}, "
            f"booked {clock_time(appointment.start_at, self._tz)}")
        self._show(self.identify_page)

    # -- steps 2 and 3: identity and checklist ----------------------------------------------

    def confirm_identity(self) -> None:
        ticked = self.identify_page.ticked()
        if len(ticked) < 2:
            self._message.problem("Tick at least two identifiers the patient confirmed.")
            return
        services, aid = self._services, self._require_appointment()
        meds, allergies = self.identify_page.medications.isChecked(), \
            self.identify_page.allergies.isChecked()

        def work() -> object:
            services.checklist.confirm_identifiers(aid, ticked)
            if meds:
                services.checklist.review_medication_list(aid)
            if allergies:
                services.checklist.review_allergies(aid)
            return services.checklist.gaps(aid)

        self._call(work, self._on_gaps, "record the identity check")

    def give_premedication(self) -> None:
        name = self.checklist_page.premed.text().strip()
        if not name:
            self._message.problem("Type the pre-medication's name.")
            return
        services, aid = self._services, self._require_appointment()
        ago = timedelta(minutes=self.checklist_page.premed_minutes.value())

        def work() -> object:
            given = services.checklist.give_premedication(
                aid, name, given_at=services.context.now() - ago)
            return given if isinstance(given, Refused) else services.checklist.gaps(aid)

        self.checklist_page.premed.clear()
        self._call(work, self._on_gaps, "record the pre-medication")

    def check_gaps(self) -> None:
        services, aid = self._services, self._require_appointment()
        self._call(lambda: services.checklist.gaps(aid), self._on_gaps, "read the checklist")

    def _on_gaps(self, result: Any) -> None:
        self._show(self.checklist_page)
        if isinstance(result, Refused):
            self._message.problem("Not recorded:\n" + refusal_text(result))
            return
        gaps = tuple(result)
        self.checklist_page.gaps.setText(refusal_text(Refused(gaps)) if gaps
                                    else "Checklist complete: ready for the pump.")
        self.checklist_page.next_button.setEnabled(not gaps)

    def _open_vitals(self) -> None:
        dialog = VitalsDialog(self._services, self._runner, self._require_appointment(),
                              tz=self._tz, parent=self)
        dialog.recorded.connect(lambda _: self.check_gaps())
        dialog.open()
        self.vitals_dialog = dialog

    def _open_site(self) -> None:
        dialog = SiteCheckDialog(self._services, self._runner, self._require_appointment(),
                                 tz=self._tz, parent=self)
        dialog.recorded.connect(lambda _: self.check_gaps())
        dialog.open()
        self.site_dialog = dialog

    # -- steps 4 and 5: pump, program, start -------------------------------------------------

    def _chosen(self) -> PumpChoice:
        return self._pumps[self.pump_page.pump.currentIndex()]

    def probe_pump(self) -> None:
        """A stop command the idle pump must answer: proves the link and the pump."""
        choice = self._chosen()
        self.pump_page.probe_result.setText(f"Asking {choice.label}…")
        self._runner.call(lambda: pump_commands.stop(choice.commands),
                          lambda prompt: self.pump_page.probe_result.setText(
                              f"{choice.label} answers: {getattr(prompt, 'name', prompt)}"),
                          self._on_probe_failed, doing=f"reach pump {choice.label}")

    def _on_probe_failed(self, text: str) -> None:
        self.pump_page.probe_result.setText("No answer")
        self._message.problem(text)

    def review_program(self) -> None:
        services, aid, choice = self._services, self._require_appointment(), self._chosen()
        rate, weight = self.pump_page.ordered_rate.value(), self.pump_page.weight.value()
        reason = self.pump_page.override_reason.text().strip()
        filter_fitted = self.pump_page.filter_fitted.isChecked()
        self._call(lambda: services.infusions.prepare_start(
            aid, pump_id=choice.pump_id, filter_fitted=filter_fitted, override_reason=reason,
            weight_kg=weight or None, ordered_rate=Rate(rate) if rate else None),
            self._on_reviewed, "check the pump program")

    def _on_reviewed(self, result: Any) -> None:
        if isinstance(result, Refused):
            soft = ProgrammingRefusal.SOFT_LIMIT_NEEDS_REASON in result.codes
            hard = any(code in HARD for code in result.codes)
            self.pump_page.override_label.setVisible(soft)
            self.pump_page.override_reason.setVisible(soft)
            advice = ("\nA hard limit cannot be overridden: call the prescriber." if hard
                      else "\nGive the reason to override the soft limit, then check again."
                      if soft else "")
            self.pump_page.problems.setText(refusal_text(result) + advice)
            self.pump_page.problems.setStyleSheet("color: #a00000;")
            if soft:
                self.pump_page.override_reason.setFocus()
            return
        prepared: PreparedStart = result.value
        self._prepared = prepared
        program = prepared.program
        override = (f"\nSoft limit overridden ({program.override.zone.value}): "
                    f"{program.override.reason}" if program.override is not None else "")
        self.start_page.program.setText(
            f"{program.drug_id} on pump {program.pump_id}\n"
            f"Rate {say_number(program.rate_ml_h)} mL/h · volume to be infused "
            f"{say_number(program.vtbi_ml)} mL\nDrug library {program.library_version}"
            f"{override}")
        self.pump_page.problems.clear()
        self._show(self.start_page)

    def start_infusion(self) -> None:
        prepared, services, pump = self._prepared, self._services, self._chosen().commands
        if prepared is None:
            self._message.problem("Check the program first.")
            return

        def work() -> object:
            program = prepared.program
            pump_commands.program_and_run(pump, program.rate_ml_h, program.vtbi_ml)
            recorded = services.infusions.confirm_started(prepared.infusion_id,
                                                          services.context.now())
            if isinstance(recorded, Refused):
                pump_commands.stop(pump)  # nothing may run that is not on record
            return recorded

        self.start_page.start_button.setEnabled(False)
        self._message.done("Programming the pump…")
        self._call(work, self._on_started, "start the infusion")

    def _on_started(self, result: Any) -> None:
        self.start_page.start_button.setEnabled(True)
        if isinstance(result, Refused):
            self._message.problem("The pump was stopped again; the start was not recorded:\n"
                                  + refusal_text(result))
            return
        assert isinstance(result, Accepted) and self._prepared is not None
        self._message.done(f"Infusion running at "
                           f"{say_number(self._prepared.program.rate_ml_h)} mL/h.")
        self.started.emit(self._prepared.infusion_id)

    # -- plumbing --------------------------------------------------------------------------

    def _require_appointment(self) -> int:
        if self._appointment is None:
            raise RuntimeError("no appointment: the flow starts at the MRN")
        return self._appointment.id

    def _call(self, work: Any, on_result: Any, doing: str) -> None:
        self._message.clear()
        self._runner.call(work, on_result, self._message.problem, doing=doing)

    def _show(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
