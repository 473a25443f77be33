"""Byte-level tests of PumpDriver: scripted exchanges that must be fully consumed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.driver.errors import (
    CommandNotConfirmedError,
    CommandRefusedError,
    InvalidReplyError,
    NoReplyError,
    NotANewEraPumpError,
    PumpAlarmError,
    TransportError,
)
from devices.driver.pump_driver import PumpDriver
from devices.driver.scripted import Disconnect, Exchange, Step, Unsolicited
from devices.driver.types import AlarmSource, DriverEvent, PumpAlarm
from devices.protocol import AlarmCode, ExtendedConditions, FrameMode, Prompt
from tests.driver.wire import cmd, connect_script, poll_script, reply, safe

Build = Callable[[list[Step]], PumpDriver]


def alarms(events: list[DriverEvent]) -> list[tuple[AlarmCode, AlarmSource, bool]]:
    return [(e.code, e.source, e.acknowledged_at_pump) for e in events if isinstance(e, PumpAlarm)]


def connected(scripted_driver: Build, steps: list[Step], **connect: bool) -> PumpDriver:
    driver = scripted_driver(connect_script(**connect) + steps)
    driver.connect()
    return driver


def test_connect_acknowledges_power_up_alarm_and_arms_safe_mode(
        scripted_driver: Build, events: list[DriverEvent]) -> None:
    driver = scripted_driver(connect_script(power_up_alarm=True))
    info = driver.connect()
    assert (info.model, info.firmware, info.extension) == ("NE1000", "V3.928", True)
    assert (info.is_simulator, info.serial_number, info.safe_mode_timeout_s) == (
        True, "SN0001", 15)
    assert driver.session.mode is FrameMode.SAFE
    assert alarms(events) == [(AlarmCode.RESET, AlarmSource.CONNECT, True)]


def test_first_command_after_power_up_may_be_ignored(scripted_driver: Build) -> None:
    steps = [Exchange(safe("0"), b""), *connect_script()]
    driver = scripted_driver(steps)
    assert driver.connect().model == "NE1000"


def test_a_silent_line_is_no_reply(scripted_driver: Build) -> None:
    driver = scripted_driver([Exchange(safe("0"), b"")] * 6)
    with pytest.raises(NoReplyError) as caught:
        driver.connect()
    assert not isinstance(caught.value, InvalidReplyError)


def test_something_that_is_not_a_new_era_pump(scripted_driver: Build) -> None:
    driver = scripted_driver([Exchange(safe("0"), b"OK\r\n")] * 6)
    with pytest.raises(InvalidReplyError):
        driver.connect()


def test_version_that_is_not_new_era(scripted_driver: Build) -> None:
    driver = scripted_driver([Exchange(safe("0"), reply("00S")),
                              Exchange(cmd("0VER"), reply("00SHELLO WORLD"))])
    with pytest.raises(NotANewEraPumpError):
        driver.connect()


def test_stock_pump_has_no_pressure(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, poll_script(pressure=None), extension=False)
    assert driver.info is not None and not driver.info.extension
    assert driver.info.is_simulator is None
    sample = driver.poll()
    assert (sample.pressure_mmhg, sample.conditions) == (None, None)


def test_poll_converts_to_ml_and_ml_per_hour(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, poll_script(
        status="I", rate="500.0UM", dispensed="I250.0W0.000UL", pressure="12.50MMHG"))
    sample = driver.poll()
    assert sample.status is Prompt.INFUSING
    assert sample.rate_ml_h == pytest.approx(30.0)
    assert sample.volume_ml == pytest.approx(0.25)
    assert sample.pressure_mmhg == pytest.approx(12.5)
    assert sample.conditions == ExtendedConditions(air_in_line=False, battery_percent=87)
    assert sample.at.utc.tzinfo is not None


def test_basic_mode_when_safe_mode_is_off(scripted_driver: Build) -> None:
    steps = [*connect_script(safe_timeout=None),
             Exchange(cmd("0RAT"), reply("00S10.00MH")),
             Exchange(cmd("0DIS"), reply("00SI0.000W0.000ML")),
             Exchange(cmd("0XPR"), reply("00S-4.200MMHG")),
             Exchange(cmd("0XCN"), reply("00SAIR1,BAT15"))]
    driver = scripted_driver(steps)
    assert driver.connect(arm_safe_mode=False).safe_mode_timeout_s is None
    sample = driver.poll()
    assert (sample.rate_ml_h, sample.pressure_mmhg) == (10.0, -4.2)  # below zero: signed
    assert sample.conditions == ExtendedConditions(air_in_line=True, battery_percent=15)
    assert driver.session.mode is FrameMode.BASIC


def test_set_rate_when_stopped_uses_ml_per_hour(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0RAT"), safe("00S500.0UM")),
        Exchange(safe("0RAT150.0MH"), safe("00S")),
        Exchange(safe("0RAT"), safe("00S150.0MH"))])
    assert driver.set_rate(150) == 150.0


def test_set_rate_while_infusing_keeps_the_pump_unit(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0RAT"), safe("00I500.0UM")),
        Exchange(safe("0RAT2500.UM"), safe("00I")),
        Exchange(safe("0RAT"), safe("00I2500.UM"))])
    assert driver.set_rate(150) == pytest.approx(150.0)


def test_set_rate_read_back_differs(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0RAT"), safe("00S10.00MH")),
        Exchange(safe("0RAT150.0MH"), safe("00S")),
        Exchange(safe("0RAT"), safe("00S10.00MH"))])
    with pytest.raises(CommandNotConfirmedError):
        driver.set_rate(150)


@pytest.mark.parametrize("error", ["?OOR", "?NA", "?", "?IGN"])
def test_refused_set_is_an_error(scripted_driver: Build, error: str) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0RAT"), safe("00S10.00MH")),
        Exchange(safe("0RAT9999.MH"), safe(f"00S{error}"))])
    with pytest.raises(CommandRefusedError) as caught:
        driver.set_rate(9999)
    assert caught.value.error == error


def test_command_swallowed_by_an_alarm_is_reported_and_reissued(
        scripted_driver: Build, events: list[DriverEvent]) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0RAT"), safe("00S10.00MH")),
        Exchange(safe("0RAT150.0MH"), safe("00A?S")),
        Exchange(safe("0RAT150.0MH"), safe("00S")),
        Exchange(safe("0RAT"), safe("00S150.0MH"))])
    assert driver.set_rate(150) == 150.0
    assert alarms(events) == [(AlarmCode.STALL, AlarmSource.COMMAND, True)]


def test_run_is_not_reissued_after_an_alarm(
        scripted_driver: Build, events: list[DriverEvent]) -> None:
    driver = connected(scripted_driver, [Exchange(safe("0RUN"), safe("00A?S"))])
    with pytest.raises(PumpAlarmError):
        driver.run()
    assert alarms(events) == [(AlarmCode.STALL, AlarmSource.COMMAND, True)]


def test_run_stop_and_clear_are_confirmed(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0RUN"), safe("00I")),
        Exchange(safe("0STP"), safe("00P")),
        Exchange(safe("0CLDINF"), safe("00P")),
        Exchange(safe("0DIS"), safe("00PI0.000W0.000ML"))])
    assert driver.run() is Prompt.INFUSING
    assert driver.stop() is Prompt.PAUSED
    driver.clear_volume()


def test_run_that_does_not_start_is_not_confirmed(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0RUN"), safe("00S")), Exchange(safe("0"), safe("00S"))])
    with pytest.raises(CommandNotConfirmedError):
        driver.run()


def test_set_volume_switches_to_millilitres(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [
        Exchange(safe("0VOL"), safe("00S1000.UL")),
        Exchange(safe("0VOLML"), safe("00S")),
        Exchange(safe("0VOL250.0"), safe("00S")),
        Exchange(safe("0VOL"), safe("00S250.0ML"))])
    assert driver.set_volume(250) == 250.0


def test_auto_alarm_is_reported_once_then_acknowledged_by_the_next_query(
        scripted_driver: Build, events: list[DriverEvent]) -> None:
    driver = connected(scripted_driver, [
        Unsolicited(safe("00A?S")),
        Exchange(safe("0"), safe("00A?S")),  # acknowledges: the same occurrence
        Exchange(safe("0"), safe("00S")),  # the status query, asked again
        Exchange(safe("0"), safe("00A?S")),  # a new stall
        Exchange(safe("0"), safe("00S"))])
    driver.session.drain()  # nothing asked: the packet is unsolicited
    assert alarms(events) == [(AlarmCode.STALL, AlarmSource.AUTO, False)]
    assert driver.heartbeat() is Prompt.STOPPED
    assert len(alarms(events)) == 1
    assert driver.heartbeat() is Prompt.STOPPED
    assert alarms(events)[1:] == [(AlarmCode.STALL, AlarmSource.POLL, True)]


def test_damaged_reply_and_com_error_are_asked_again(scripted_driver: Build) -> None:
    bad_crc = bytearray(safe("00S"))
    bad_crc[-2] ^= 0xFF
    driver = connected(scripted_driver, [
        Exchange(safe("0"), bytes(bad_crc)), Exchange(safe("0"), safe("00I")),
        Exchange(safe("0"), safe("00S?COM")), Exchange(safe("0"), safe("00I"))])
    assert driver.heartbeat() is Prompt.INFUSING
    assert driver.heartbeat() is Prompt.INFUSING


def test_reply_for_another_address_is_not_ours(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [Exchange(safe("0"), safe("01I") + safe("00S"))])
    assert driver.heartbeat() is Prompt.STOPPED


def test_leave_safe_mode_returns_to_basic(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [Exchange(safe("0SAF0"), reply("00S"))])
    driver.leave_safe_mode()
    assert driver.session.mode is FrameMode.BASIC


def test_unplugged_adapter_is_a_transport_error(scripted_driver: Build) -> None:
    driver = connected(scripted_driver, [Disconnect()])
    with pytest.raises(TransportError):
        driver.heartbeat()


def test_purge_sent_through_send_is_not_reissued_either(
        scripted_driver: Build, events: list[DriverEvent]) -> None:
    driver = connected(scripted_driver, [Exchange(safe("0PUR"), safe("00A?R"))])
    with pytest.raises(PumpAlarmError):
        driver.send("PUR")
    assert alarms(events)[-1] == (AlarmCode.RESET, AlarmSource.COMMAND, True)
