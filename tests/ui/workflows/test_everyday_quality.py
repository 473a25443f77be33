"""Every workflow view at 1366x768: fits, touch-sized targets, accessible names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.services.world import World, start_running
from tests.ui.workflows.conftest import SimPump
from ui.workflows.break_panel import BreakPanel
from ui.workflows.checkin_wizard import CheckInWizard, PumpChoice
from ui.workflows.completion_view import CompletionView
from ui.workflows.observation_due import ObservationDue
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.side_effect_dialog import SideEffectDialog
from ui.workflows.site_check_dialog import SiteCheckDialog
from ui.workflows.titration_bar import TitrationBar
from ui.workflows.vitals_dialog import VitalsDialog

Build = Callable[[World, ServiceRunner, SimPump, int], QWidget]
VIEWS: dict[str, Build] = {
    "check-in": lambda w, r, p, i: CheckInWizard(w.svc, r, [PumpChoice("P1", w.pumps[0],
                                                                      p.poller)]),
    "break": lambda w, r, p, i: BreakPanel(w.svc, r, p.poller, i),
    "titration": lambda w, r, p, i: TitrationBar(w.svc, r, p.poller, i),
    "side effect": lambda w, r, p, i: SideEffectDialog(w.svc, r, w.appointment_id,
                                                       pump=p.poller, infusion_id=i),
    "vitals": lambda w, r, p, i: VitalsDialog(w.svc, r, w.appointment_id),
    "site": lambda w, r, p, i: SiteCheckDialog(w.svc, r, w.appointment_id),
    "due": lambda w, r, p, i: ObservationDue(w.svc, r, w.appointment_id),
    "completion": lambda w, r, p, i: CompletionView(w.svc, r, p.poller, i, w.appointment_id),
}
CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_fits_1366x768_with_touch_targets_and_names(
        qtbot: QtBot, world: World, runner: ServiceRunner, sim_pump: SimPump,
        name: str) -> None:
    infusion_id = start_running(world)
    view = VIEWS[name](world, runner, sim_pump, infusion_id)
    qtbot.addWidget(view)
    hint = view.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint
    view.resize(1366, 768)
    view.show()
    qtbot.waitUntil(lambda: not runner.busy)
    controls = [c for kind in CONTROLS for c in view.findChildren(kind)
                if c.isVisible() and not c.objectName().startswith("qt_")]  # Qt's own parts
    assert controls or name == "due"  # the due times are read, not touched
    unnamed = [c for c in controls if not c.accessibleName()]
    assert not unnamed, [c.text() if isinstance(c, QAbstractButton) else c for c in unnamed]
    small = [c.accessibleName() for c in controls if c.height() < 44]
    assert not small
