"""The chairside window applies the pump rules: a refusal on its status line, the
engineering setting as a banner (real pump-sim, SQLite file, MonitoringService)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from devices.driver import LinkState
from station.persistence.audit import AuditEntry
from station.training import PumpAdmission
from station.training.pump_gate import REFUSED_ACTION
from tests.ui.chairside.conftest import NO_SOUND_MESSAGES
from ui.chairside.app import no_sound, open_demo


@pytest.mark.qt_log_ignore(*NO_SOUND_MESSAGES, r"^This plugin does not support propagateSizeHints")
def test_a_normal_station_says_why_it_refuses_a_simulated_pump(qtbot: QtBot) -> None:
    with open_demo(1, 10.0, 5, running=0, sound=no_sound,
                   admission=PumpAdmission(training=False)) as demo:
        window = demo.station.window
        window.show()
        window.start()
        refusals = demo.station.refusals
        assert refusals is not None and refusals.banner is None
        qtbot.waitUntil(lambda: bool(refusals.messages), timeout=15000)
        assert refusals.messages[0].startswith("C1: the pump SN0001 is a simulated pump")
        assert window.statusBar().currentMessage() == refusals.messages[0]
        qtbot.waitUntil(lambda: demo.monitoring.pump("C1").link_state is LinkState.CLOSED,
                        timeout=15000)
        with demo.sessions() as session:
            assert session.scalars(sa.select(AuditEntry.entity_id).where(
                AuditEntry.action == REFUSED_ACTION)).all() == ["SN0001"]
        window.close()


@pytest.mark.qt_log_ignore(*NO_SOUND_MESSAGES, r"^This plugin does not support propagateSizeHints")
def test_the_engineering_setting_is_said_on_screen(qtbot: QtBot) -> None:
    with open_demo(1, 10.0, 5, running=0, sound=no_sound,
                   admission=PumpAdmission(training=False, allow_simulated=True)) as demo:
        window = demo.station.window
        window.show()
        window.start()
        refusals = demo.station.refusals
        assert refusals is not None and refusals.banner is not None
        assert refusals.banner.isVisible()
        assert refusals.banner.text().startswith("ENGINEERING: simulated pumps accepted")
        qtbot.waitUntil(lambda: demo.monitoring.snapshot("C1").latest_sample is not None,
                        timeout=15000)
        assert refusals.messages == []
        window.close()
