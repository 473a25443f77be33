"""The bridge passes fast pressure reads by: they are for the line detectors only."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from devices.driver.types import PressureReading, PumpIdentified, Sample
from devices.protocol import Prompt
from tests.ui.test_pump_bridge import sample_at
from ui.bridge.pump_bridge import PumpBridge


def test_a_pressure_reading_is_not_delivered_as_another_event(qtbot: QtBot) -> None:
    bridge = PumpBridge()
    identified: list[PumpIdentified] = []
    samples: list[Sample] = []
    bridge.pump_identified.connect(identified.append)
    bridge.sample_received.connect(samples.append)
    bridge.sink(PressureReading("chair-2", sample_at(0).at, Prompt.INFUSING, 31.5))
    bridge.sink(sample_at(1))
    qtbot.waitUntil(lambda: len(samples) == 1, timeout=5000)
    assert identified == [] and bridge.delivered == 2
