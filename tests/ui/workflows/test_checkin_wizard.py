"""Check-in and start through the wizard: refusals in words, checklist, limits, the pump."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from station.domain.checklist import PatientIdentifier
from station.domain.site_assessment import InfiltrationGrade
from station.persistence.delivery import Infusion, InfusionStatus
from tests.services.test_checkin import Mutation, authorisation_expired, dose_missing, walk_in
from tests.services.world import NINE, NORMAL_VITALS, World, add_patient_booking, snapshot
from tests.ui.workflows.conftest import SimPump
from tests.ui.workflows.shots import screenshot_path
from ui.workflows.checkin_wizard import CheckInWizard, PumpChoice
from ui.workflows.service_runner import ServiceRunner


@pytest.fixture
def wizard(qtbot: QtBot, world: World, runner: ServiceRunner, sim_pump: SimPump
           ) -> CheckInWizard:
    pumps = [PumpChoice("P1 (chair C1)", world.pumps[0], sim_pump.poller),
             PumpChoice("P2 (chair C3)", world.pumps[1], sim_pump.poller)]
    view = CheckInWizard(world.svc, runner, pumps)
    qtbot.addWidget(view)
    view.resize(1000, 680)
    view.show()
    return view


def _find_and_identify(qtbot: QtBot, wizard: CheckInWizard, mrn: str) -> None:
    wizard.find_page.mrn.setText(mrn)
    wizard.find_page.find_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.identify_page)
    assert mrn in wizard.identify_page.patient.text()
    wizard.identify_page.identifiers[PatientIdentifier.FULL_NAME].setChecked(True)
    wizard.identify_page.confirm_button.click()
    assert "two identifiers" in wizard.message  # one is not enough; nothing was sent
    wizard.identify_page.identifiers[PatientIdentifier.DATE_OF_BIRTH].setChecked(True)
    wizard.identify_page.medications.setChecked(True)
    wizard.identify_page.allergies.setChecked(True)
    wizard.identify_page.confirm_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.checklist_page)


@pytest.mark.parametrize(("mutate", "said"), [
    (walk_in, "no infusion booked for you today"),
    (authorisation_expired, "ended on 23 November 2026"),
    (dose_missing, "not been prepared"),
], ids=["walk-in", "authorisation expired", "dose not prepared"])
def test_a_patient_who_cannot_start_is_turned_away_in_large_words(
        qtbot: QtBot, world: World, wizard: CheckInWizard, mutate: Mutation,
        said: str) -> None:
    with world.sessions() as session, session.begin():
        mrn = mutate(world, session)
    before = snapshot(world.sessions)
    wizard.find_page.mrn.setText(mrn)
    with qtbot.waitSignal(wizard.refused, timeout=5000) as refused:
        QTest.keyClick(wizard.find_page.mrn, Qt.Key.Key_Return)  # a scanner ends with Enter
    text = refused.args[0]
    assert text.startswith("Do not start.") and said in text
    assert wizard.find_page.result.text() == text
    assert wizard.find_page.result.font().pointSize() >= 20
    assert wizard.pages.currentWidget() is wizard.find_page
    assert snapshot(world.sessions) == before  # not checked in, not seated
    if mutate is walk_in:
        wizard.grab().save(screenshot_path("workflow-checkin-refusal.png"))
    wizard.find_page.again_button.click()
    assert wizard.find_page.mrn.text() == "" and wizard.find_page.result.text() == ""


def test_check_in_to_a_running_recorded_infusion(
        qtbot: QtBot, world: World, wizard: CheckInWizard, sim_pump: SimPump,
        runner: ServiceRunner) -> None:
    _find_and_identify(qtbot, wizard, "MRN-1")
    gaps = wizard.checklist_page.gaps.text()
    assert "vital" in gaps.lower() and not wizard.checklist_page.next_button.isEnabled()
    for name in ("methylprednisolone", "diphenhydramine"):
        wizard.checklist_page.premed.setText(name)
        wizard.checklist_page.premed_minutes.setValue(45)
        wizard.checklist_page.premed_button.click()
        qtbot.waitUntil(lambda: wizard.checklist_page.premed.text() == "" and not runner.busy)
        assert name not in wizard.checklist_page.gaps.text()
    wizard.checklist_page.vitals_button.click()
    wizard.vitals_dialog.set_values(NORMAL_VITALS)
    with qtbot.waitSignal(wizard.vitals_dialog.recorded, timeout=5000):
        wizard.vitals_dialog.save()
    wizard.checklist_page.site_button.click()
    wizard.site_dialog.grade.setCurrentIndex(int(InfiltrationGrade.NONE))
    with qtbot.waitSignal(wizard.site_dialog.recorded, timeout=5000):
        wizard.site_dialog.save()
    qtbot.waitUntil(lambda: "Checklist complete" in wizard.checklist_page.gaps.text())
    wizard.checklist_page.next_button.click()

    wizard.pump_page.probe_button.click()
    qtbot.waitUntil(lambda: "answers" in wizard.pump_page.probe_result.text(), timeout=10000)
    wizard.pump_page.review_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.start_page)
    assert "Rate 40 mL/h" in wizard.start_page.program.text()
    wizard.grab().save(screenshot_path("workflow-checkin-start.png"))
    assert sim_pump.status()["status"] != "I"
    with qtbot.waitSignal(wizard.started, timeout=10000) as started:
        wizard.start_page.start_button.click()
    status = sim_pump.status()
    assert status["status"] == "I" and status["rate_ml_h"] == 40.0
    with world.sessions() as session:
        infusion = session.get(Infusion, started.args[0])
        assert infusion is not None and infusion.status is InfusionStatus.RUNNING


def test_soft_limit_needs_a_reason_and_a_hard_limit_is_refused(
        qtbot: QtBot, world: World, wizard: CheckInWizard) -> None:
    saline, _ = add_patient_booking(world, "MRN-S", "C3", NINE, drug_id="sodium-chloride-0.9",
                                    volume_ml=1000)
    _find_and_identify(qtbot, wizard, "MRN-S")
    world.svc.observations.record_vitals(saline, NORMAL_VITALS, taken_at=world.clock.now)
    world.svc.observations.record_site(saline, InfiltrationGrade.NONE, 0, dressing_intact=True,
                                       assessed_at=world.clock.now)
    wizard.checklist_page.recheck_button.click()
    qtbot.waitUntil(lambda: "Checklist complete" in wizard.checklist_page.gaps.text())
    wizard.checklist_page.next_button.click()
    wizard.pump_page.pump.setCurrentIndex(1)

    wizard.pump_page.ordered_rate.setValue(1200)
    wizard.pump_page.review_button.click()
    qtbot.waitUntil(lambda: "cannot be overridden" in wizard.pump_page.problems.text())
    assert not wizard.pump_page.override_reason.isVisible()

    wizard.pump_page.ordered_rate.setValue(600)
    wizard.pump_page.review_button.click()
    qtbot.waitUntil(wizard.pump_page.override_reason.isVisible)
    assert "reason to override" in wizard.pump_page.problems.text()
    wizard.pump_page.override_reason.setText("fluid challenge ordered by Dr Who")
    wizard.pump_page.review_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentWidget() is wizard.start_page)
    program = wizard.start_page.program.text()
    assert "Rate 600 mL/h" in program and "fluid challenge ordered by Dr Who" in program
