"""Check-in and start from a chair's panel: the wizard on the monitored pump, then live."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from station.domain.checklist import PatientIdentifier
from station.domain.site_assessment import InfiltrationGrade
from ui.chairside.action_bar import Action
from ui.chairside.app import Demo
from ui.chairside.chair_state import ChairState
from ui.chairside.demo_schedule import NORMAL_VITALS
from ui.workflows.checkin_wizard import CheckInWizard

WAIT_MS = 20000


def test_check_in_and_start_from_the_chair_runs_its_pump_and_binds_the_monitoring(
        demo: Demo, qtbot: QtBot) -> None:
    c3 = demo.station.window.chair("C3")
    qtbot.waitUntil(lambda: c3.snapshot is not None and c3.snapshot.pump is not None
                    and c3.action_bar.buttons[Action.CHECK_IN].isEnabled(), timeout=WAIT_MS)
    c3.action_bar.triggered.emit(Action.CHECK_IN)
    qtbot.waitUntil(lambda: c3.workflow is not None, timeout=WAIT_MS)
    assert c3.workflow is not None
    wizard = c3.workflow.view
    assert isinstance(wizard, CheckInWizard)

    wizard.find_page.mrn.setText("TRN-1003")
    wizard.find_page.find_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.identify_page,
                    timeout=WAIT_MS)
    for identifier in (PatientIdentifier.FULL_NAME, PatientIdentifier.DATE_OF_BIRTH):
        wizard.identify_page.identifiers[identifier].setChecked(True)
    wizard.identify_page.medications.setChecked(True)
    wizard.identify_page.allergies.setChecked(True)
    wizard.identify_page.confirm_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.checklist_page,
                    timeout=WAIT_MS)
    wizard.checklist_page.vitals_button.click()
    wizard.vitals_dialog.set_values(NORMAL_VITALS)
    with qtbot.waitSignal(wizard.vitals_dialog.recorded, timeout=WAIT_MS):
        wizard.vitals_dialog.save()
    wizard.checklist_page.site_button.click()
    wizard.site_dialog.grade.setCurrentIndex(int(InfiltrationGrade.NONE))
    with qtbot.waitSignal(wizard.site_dialog.recorded, timeout=WAIT_MS):
        wizard.site_dialog.save()
    qtbot.waitUntil(lambda: "Checklist complete" in wizard.checklist_page.gaps.text(),
                    timeout=WAIT_MS)
    wizard.checklist_page.next_button.click()
    wizard.pump_page.ordered_rate.setValue(100)
    wizard.pump_page.review_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.start_page,
                    timeout=WAIT_MS)
    with qtbot.waitSignal(wizard.started, timeout=WAIT_MS) as started:
        wizard.start_page.start_button.click()

    # The monitoring service now stores the chair's telemetry under this infusion.
    qtbot.waitUntil(lambda: demo.monitoring.snapshot("C3").infusion_id == started.args[0],
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: c3.buffer.last_sample is not None
                    and c3.buffer.last_sample.rate_ml_h == 100.0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: c3.state().state is ChairState.INFUSING, timeout=WAIT_MS)
    assert c3.action_bar.buttons[Action.BREAK].isEnabled()
    assert not c3.action_bar.buttons[Action.CHECK_IN].isEnabled()
