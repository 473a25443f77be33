"""Side effects: one-tap symptoms, the grade's suggestion applied in one step at the pump."""

from __future__ import annotations

import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.persistence.delivery import Infusion, InfusionStatus
from station.persistence.observations import SideEffect as SideEffectRow
from tests.services.world import World, start_running
from tests.ui.workflows.conftest import SimPump
from tests.ui.workflows.shots import screenshot_path
from ui.workflows.pump_commands import program_and_run
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.side_effect_dialog import TOLD_ABOUT, SideEffectDialog

DRUG = "ocrelizumab-later"



def _dialog(qtbot: QtBot, world: World, runner: ServiceRunner, sim_pump: SimPump,
            infusion_id: int) -> SideEffectDialog:
    dialog = SideEffectDialog(world.svc, runner, world.appointment_id, pump=sim_pump.poller,
                              infusion_id=infusion_id, drug_id=DRUG)
    qtbot.addWidget(dialog)
    return dialog


def test_the_five_told_about_symptoms_are_one_tap_touch_sized_choices(
        qtbot: QtBot, world: World, runner: ServiceRunner) -> None:
    dialog = SideEffectDialog(world.svc, runner, world.appointment_id)
    qtbot.addWidget(dialog)
    buttons = dialog.symptoms.buttons()
    assert [b.accessibleName() for b in buttons] == [f"Symptom: {s.value}" for s in TOLD_ABOUT]
    assert all(b.minimumHeight() >= 44 for b in buttons)
    buttons[3].click()
    assert dialog.symptom() is Symptom.INJECTION_SITE_ITCH
    dialog.other.setCurrentIndex(dialog.other.findData(Symptom.FLUSHING))
    assert dialog.symptom() is Symptom.FLUSHING and dialog.symptoms.checkedButton() is None
    assert not dialog.apply_button.isEnabled()  # no grade yet


def test_grade_2_headache_slow_to_half_in_one_step_reaches_the_pump(
        qtbot: QtBot, world: World, sim_pump: SimPump, runner: ServiceRunner) -> None:
    infusion_id = start_running(world)
    program_and_run(sim_pump.poller, 40.0, 500.0)
    dialog = _dialog(qtbot, world, runner, sim_pump, infusion_id)
    dialog.symptoms.buttons()[TOLD_ABOUT.index(Symptom.HEADACHE)].click()
    dialog.grades.button(int(ReactionGrade.MODERATE)).click()
    assert "interrupt the infusion or halve the rate" in dialog.suggestion.text()
    assert dialog.apply_button.text().startswith("Slow to half (suggested)")
    dialog.resize(1000, 640)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(screenshot_path("workflow-side-effect.png"))
    world.clock.advance(10)
    with qtbot.waitSignal(dialog.recorded, timeout=10000) as recorded:
        dialog.apply_button.click()
    assert recorded.args[0].action_taken is ActionTaken.RATE_HALVED
    assert sim_pump.status()["rate_ml_h"] == 20.0
    view = world.svc.titration.view(infusion_id)
    assert view is not None and view.rate_ml_h == 20.0


def test_grade_3_stops_the_pump_and_a_weaker_action_is_refused_with_the_reason(
        qtbot: QtBot, world: World, sim_pump: SimPump, runner: ServiceRunner) -> None:
    infusion_id = start_running(world)
    program_and_run(sim_pump.poller, 40.0, 500.0)
    dialog = _dialog(qtbot, world, runner, sim_pump, infusion_id)
    dialog.symptoms.buttons()[TOLD_ABOUT.index(Symptom.DIZZINESS)].click()
    dialog.grades.button(int(ReactionGrade.SEVERE)).click()
    dialog.action_buttons[ActionTaken.CONTINUED].click()
    qtbot.waitUntil(lambda: "Not recorded" in dialog.message)
    assert sim_pump.status()["status"] == "I"
    with qtbot.waitSignal(dialog.recorded, timeout=10000):
        dialog.apply_button.click()
    assert sim_pump.status()["status"] != "I"
    with world.sessions() as session:
        infusion = session.get(Infusion, infusion_id)
        assert infusion is not None and infusion.status is InfusionStatus.PAUSED
        assert len(session.scalars(sa.select(SideEffectRow)).all()) == 1
