"""Vital signs and site checks: range checks, due times, overdue alarms, stored records."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from station.domain.site_assessment import InfiltrationGrade
from station.domain.vital_signs import VitalSign
from tests.services.world import NORMAL_VITALS, World, seat
from ui.workflows.observation_due import SITE, VITALS, ObservationDue
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.site_check_dialog import SiteCheckDialog
from ui.workflows.vitals_dialog import VitalsDialog


def test_vitals_out_of_usual_range_need_a_confirmation_then_are_stored(
        qtbot: QtBot, world: World, runner: ServiceRunner) -> None:
    seat(world)
    dialog = VitalsDialog(world.svc, runner, world.appointment_id)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "none recorded yet" in dialog.due.text())
    dialog.fields[VitalSign.SYSTOLIC_BP].setValue(400)  # beyond what can be: clamped
    assert dialog.fields[VitalSign.SYSTOLIC_BP].value() == 300
    dialog.set_values({**NORMAL_VITALS, VitalSign.SYSTOLIC_BP: 175})
    assert dialog.unusual() == {VitalSign.SYSTOLIC_BP}
    dialog.show()
    assert dialog.confirm_unusual.isVisible()
    dialog.save()
    qtbot.waitUntil(lambda: "Not saved" in dialog.message)
    assert "systolic" in dialog.message.lower()
    assert world.svc.observations.vitals_due(world.appointment_id) is None  # nothing stored
    dialog.confirm_unusual.setChecked(True)
    with qtbot.waitSignal(dialog.recorded, timeout=5000) as saved:
        dialog.save()
    assert saved.args[0].record.values[VitalSign.SYSTOLIC_BP] == 175
    assert world.svc.observations.vitals_due(world.appointment_id) is not None


def test_a_site_check_with_infiltration_says_stop_and_re_site(
        qtbot: QtBot, world: World, runner: ServiceRunner) -> None:
    seat(world)
    dialog = SiteCheckDialog(world.svc, runner, world.appointment_id)
    qtbot.addWidget(dialog)
    dialog.grade.setCurrentIndex(int(InfiltrationGrade.GRADE_2))
    dialog.extent.setValue(5.0)
    dialog.dressing.setChecked(True)
    with qtbot.waitSignal(dialog.recorded, timeout=5000) as saved:
        dialog.save()
    assert saved.args[0].assessment.grade is InfiltrationGrade.GRADE_2
    assert "re-site" in dialog.actions_label.text()
    assert "Pause the infusion" in dialog.message


def test_overdue_vitals_and_site_check_are_shown_as_due(
        qtbot: QtBot, world: World, runner: ServiceRunner) -> None:
    seat(world)
    now = world.clock.now
    world.svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS, taken_at=now)
    world.svc.observations.record_site(world.appointment_id, InfiltrationGrade.NONE, 0,
                                       dressing_intact=True, assessed_at=now)
    # Shown only: their alarms are the monitoring service's (tests/monitoring/
    # test_schedule_alarms.py).
    shown: list[tuple[str, bool]] = []
    due = ObservationDue(world.svc, runner, world.appointment_id)
    due.due_changed.connect(lambda name, on: shown.append((name, on)))
    qtbot.addWidget(due)
    qtbot.waitUntil(lambda: "Vital signs due" in due.vitals.text())
    vitals_due = world.svc.observations.vitals_due(world.appointment_id)
    site_due = world.svc.observations.site_check_due(world.appointment_id)
    assert vitals_due is not None and site_due is not None
    assert shown == []  # neither due yet

    world.clock.now = vitals_due.due_at
    with qtbot.waitSignal(due.due_changed, check_params_cb=lambda name, on: name == VITALS):
        due.refresh()
    assert "OVERDUE" in due.vitals.text() and shown == [(VITALS, True)]
    world.clock.now = site_due.due_at
    due.refresh()
    assert shown[-1] == (SITE, True) and "OVERDUE" in due.site.text()

    world.svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                         taken_at=world.clock.now)
    with qtbot.waitSignal(due.due_changed, check_params_cb=lambda name, on: not on):
        due.reload()
    assert shown[-1] == (VITALS, False) and "OVERDUE" in due.site.text()
