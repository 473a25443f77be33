"""Which pumps a station takes, from what the pump says of itself (`XID`)."""

from __future__ import annotations

import pytest

from devices.driver import PumpInfo
from station.training import PumpAdmission


def info(is_simulator: bool | None) -> PumpInfo:
    return PumpInfo("NE1000", "V3.928", "NE1000V3.928", is_simulator is not None,
                    is_simulator, None if is_simulator is None else "SN0001", None)


def test_training_takes_only_simulated_pumps() -> None:
    rule = PumpAdmission(training=True)
    assert rule.refusal(info(True), "C1") is None
    real = rule.refusal(info(False), "C1")
    assert real is not None and real.startswith("C1: the pump SN0001 is a real device")
    stock = rule.refusal(info(None), "C2")
    assert stock is not None and "NE1000 does not say what it is" in stock
    assert "simulated pumps only" in stock and rule.banner is None


def test_a_normal_station_refuses_a_simulated_pump_unless_engineering_allows() -> None:
    rule = PumpAdmission(training=False)
    refused = rule.refusal(info(True), "C3")
    assert refused is not None and "is a simulated pump; this station is for real" in refused
    assert rule.refusal(info(False), "C3") is None
    assert rule.refusal(info(None), "C3") is None  # a stock New Era pump
    assert rule.banner is None
    bench = PumpAdmission(training=False, allow_simulated=True)
    assert bench.refusal(info(True), "C3") is None
    assert bench.banner is not None and bench.banner.startswith("ENGINEERING")


def test_the_engineering_setting_is_not_for_training() -> None:
    with pytest.raises(ValueError, match="engineering setting"):
        PumpAdmission(training=True, allow_simulated=True)
