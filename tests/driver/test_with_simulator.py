"""The driver against the simulator run as its own process on a real pty.

Every command, every fault the simulator injects, every error reply it gives, the
Safe-mode watchdog, and reconnection after a pulled cable. Waits are for real I/O with a
time-out; the simulator's speed-up factor shortens simulated spans.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.driver.errors import CommandRefusedError
from devices.driver.pump_driver import PumpDriver
from devices.driver.types import (
    AlarmSource,
    DriverEvent,
    LinkState,
    LinkStateChanged,
    PumpAlarm,
    Sample,
)
from devices.protocol import AlarmCode, FrameMode, Prompt
from tests.driver.simrig import Rig

MakeRig = Callable[..., Rig]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[MakeRig]:
    made: list[Rig] = []

    def make(**options: Any) -> Rig:
        made.append(Rig(tmp_path, **options))
        return made[-1].start()

    yield make
    for one in made:
        one.close()
        assert one.sim.returncode == 0


def is_alarm(code: AlarmCode, source: AlarmSource | None = None) -> Callable[[DriverEvent], bool]:
    def match(event: DriverEvent) -> bool:
        return (isinstance(event, PumpAlarm) and event.code is code
                and (source is None or event.source is source))
    return match


def is_link(state: LinkState) -> Callable[[DriverEvent], bool]:
    return lambda event: isinstance(event, LinkStateChanged) and event.new is state


def is_sample(status: Prompt) -> Callable[[DriverEvent], bool]:
    return lambda event: isinstance(event, Sample) and event.status is status


def test_connect_reports_the_power_up_alarm_and_arms_safe_mode(rig: MakeRig) -> None:
    one = rig()
    assert one.seen and is_alarm(AlarmCode.RESET, AlarmSource.CONNECT)(
        next(e for e in one.seen if isinstance(e, PumpAlarm)))
    info = one.poller.info
    assert info is not None and info.extension and info.is_simulator
    assert one.pump_status()["safe_timeout_s"] == 15
    sample = one.wait_for(lambda e: isinstance(e, Sample))
    assert isinstance(sample, Sample) and sample.pressure_mmhg is not None


def test_every_command_confirmed_by_read_back(rig: MakeRig) -> None:
    one = rig(speed=20.0)
    poller = one.poller
    assert poller.set_volume(5).result(timeout=5) == 5.0
    assert poller.set_rate(120).result(timeout=5) == 120.0
    assert poller.run().result(timeout=5) is Prompt.INFUSING
    infusing = one.wait_for(is_sample(Prompt.INFUSING))
    assert isinstance(infusing, Sample) and infusing.rate_ml_h == 120.0
    assert poller.set_rate(60).result(timeout=5) == 60.0  # while pumping, same unit
    assert poller.stop().result(timeout=5) is Prompt.PAUSED
    assert poller.stop().result(timeout=5) is Prompt.STOPPED
    stopped = one.wait_for(is_sample(Prompt.STOPPED))
    assert isinstance(stopped, Sample) and stopped.volume_ml > 0
    assert poller.clear_volume().result(timeout=5) is None
    cleared = one.wait_for(lambda e: isinstance(e, Sample) and e.volume_ml == 0)
    assert isinstance(cleared, Sample)


@pytest.mark.parametrize(("setup", "body", "error"), [
    ([], "FOO", "?"),  # unknown command
    (["RAT10MH", "RUN"], "RAT100UM", "?NA"),  # units cannot change while pumping
    ([], "RAT9999MM", "?OOR"),  # above the pump's maximum rate
    ([], "SAF300", "?OOR"),
])
def test_error_replies_are_refusals(rig: MakeRig, setup: list[str], body: str,
                                    error: str) -> None:
    one = rig()
    for command in setup:
        one.poller.submit(lambda d, c=command: d.send(c)).result(timeout=5)
    with pytest.raises(CommandRefusedError) as caught:
        one.poller.submit(lambda d: d.send(body)).result(timeout=5)
    assert caught.value.error == error


def test_a_basic_command_in_safe_mode_gets_com_and_the_session_recovers(rig: MakeRig) -> None:
    one = rig()

    def basic_then_status(driver: PumpDriver) -> Prompt:
        driver.session.mode = FrameMode.BASIC  # as if framing were lost: the pump says ?COM
        return driver.heartbeat()

    assert one.poller.submit(basic_then_status).result(timeout=5) is Prompt.STOPPED


def infuse_into_an_occlusion(one: Rig) -> DriverEvent:
    """Run at 100 mL/h into a clamped line; the stall alarm event that follows."""
    one.poller.set_rate(100).result(timeout=5)
    one.poller.run().result(timeout=5)
    one.control("inject", fault="occlusion", params={"severity": 1.0})
    return one.wait_for(is_alarm(AlarmCode.STALL), timeout_s=20)


def test_occlusion_stall_arrives_as_an_auto_alarm_in_safe_mode(rig: MakeRig) -> None:
    one = rig(speed=20.0, sim_args=("--occlusion-limit", "150"), poll_interval_s=5.0)
    alarm = infuse_into_an_occlusion(one)
    assert isinstance(alarm, PumpAlarm)
    # The poll interval is 5 s: an alarm before the next poll came unasked.
    assert (alarm.source, alarm.acknowledged_at_pump) == (AlarmSource.AUTO, False)
    stopped = one.wait_for(lambda e: isinstance(e, Sample), timeout_s=10)
    assert isinstance(stopped, Sample) and stopped.status is not Prompt.INFUSING
    assert not any(is_alarm(AlarmCode.STALL)(e) for e in one.seen if e is not alarm)


def test_stall_in_basic_mode_is_seen_by_polling(rig: MakeRig) -> None:
    one = rig(speed=20.0, sim_args=("--occlusion-limit", "150"), safe_mode_timeout_s=None,
              poll_interval_s=1.0)
    alarm = infuse_into_an_occlusion(one)
    assert isinstance(alarm, PumpAlarm)
    assert (alarm.source, alarm.acknowledged_at_pump) == (AlarmSource.POLL, True)


def test_power_cycle_is_reported_as_the_reset_alarm(rig: MakeRig) -> None:
    one = rig()
    one.control("power_cycle", off_s=0)
    alarm = one.wait_for(is_alarm(AlarmCode.RESET), timeout_s=5)
    assert isinstance(alarm, PumpAlarm) and alarm.source is not AlarmSource.CONNECT
    assert one.poller.link_state is LinkState.UP


def test_pulled_cable_is_a_lost_link_then_reconnects(rig: MakeRig) -> None:
    one = rig()
    last = one.wait_for(lambda e: isinstance(e, Sample))
    one.control("pull_cable", mode="silent")
    lost = one.wait_for(is_link(LinkState.LOST), timeout_s=10)
    assert isinstance(lost, LinkStateChanged) and isinstance(last, Sample)
    # Reported within the link timeout plus one exchange's retries, far inside 10 s.
    assert lost.at.monotonic - last.at.monotonic < 1.5 + 2 * 0.3 * 2 + 0.5
    assert one.poller.set_rate(10).exception(timeout=1) is not None  # refused while down
    one.control("plug_cable")
    one.wait_for(is_link(LinkState.UP), timeout_s=10)
    one.wait_for(lambda e: isinstance(e, Sample))


def test_cable_pulled_in_close_mode_reconnects_through_the_link(rig: MakeRig) -> None:
    one = rig(use_link=True)
    one.control("pull_cable", mode="close")
    lost = one.wait_for(is_link(LinkState.LOST), timeout_s=5)
    assert isinstance(lost, LinkStateChanged) and "port failed" in lost.reason
    one.control("plug_cable")
    one.wait_for(is_link(LinkState.UP), timeout_s=10)


def test_heartbeat_keeps_the_watchdog_fed(rig: MakeRig) -> None:
    one = rig(safe_mode_timeout_s=1, poll_interval_s=5.0)
    assert one.poller.config.heartbeat_interval_s == pytest.approx(1 / 3)
    samples_before = one.wait_for(lambda e: isinstance(e, Sample))
    one.wait_for(lambda e: isinstance(e, Sample) and e is not samples_before, timeout_s=10)
    assert not any(is_alarm(AlarmCode.SAFE_TIMEOUT)(e) for e in one.seen)
    assert one.pump_status()["status"] == "S"


def test_watchdog_expiry_stops_the_pump_and_is_reported_after_reconnection(
        rig: MakeRig) -> None:
    one = rig(safe_mode_timeout_s=1)
    one.poller.set_rate(50).result(timeout=5)
    one.poller.run().result(timeout=5)
    one.control("pull_cable", mode="silent")
    one.wait_for(is_link(LinkState.LOST), timeout_s=10)  # > 1 s: the watchdog has expired
    assert one.pump_status()["status"] == "A?T"
    one.control("plug_cable")
    alarm = one.wait_for(is_alarm(AlarmCode.SAFE_TIMEOUT), timeout_s=10)
    assert isinstance(alarm, PumpAlarm) and alarm.source is AlarmSource.CONNECT
    stopped = one.wait_for(lambda e: isinstance(e, Sample))
    assert isinstance(stopped, Sample) and stopped.status is not Prompt.INFUSING


def test_garbled_and_slow_replies_do_not_drop_the_link(rig: MakeRig) -> None:
    one = rig()
    one.control("inject", fault="garbled", params={"probability": 0.3})
    for _ in range(10):
        one.wait_for(lambda e: isinstance(e, Sample), timeout_s=5)
    one.control("clear")
    one.control("inject", fault="slow_replies", params={"delay_s": 0.15})
    for _ in range(3):
        one.wait_for(lambda e: isinstance(e, Sample), timeout_s=5)
    assert not any(is_link(LinkState.LOST)(e) for e in one.seen)


def test_orderly_close_returns_the_pump_to_basic_mode(rig: MakeRig) -> None:
    one = rig()
    one.poller.close()
    assert one.poller.link_state is LinkState.CLOSED
    assert one.pump_status()["safe_timeout_s"] == 0


def pressures(one: Rig, count: int) -> list[float]:
    """Pressures of the next `count` samples, all with a pressure and the link up."""
    values = []
    for _ in range(count):
        sample = one.wait_for(lambda e: isinstance(e, Sample), timeout_s=5)
        assert isinstance(sample, Sample) and sample.pressure_mmhg is not None
        values.append(sample.pressure_mmhg)
    return values


@pytest.mark.parametrize("fault", ["dislodgement", "infiltration", "air_in_line"])
def test_line_faults_show_in_the_samples_and_keep_the_link(rig: MakeRig, fault: str) -> None:
    one = rig(speed=20.0)
    one.poller.set_rate(150).result(timeout=5)
    one.poller.run().result(timeout=5)
    before = pressures(one, 10)[-1]
    one.control("inject", fault=fault)
    after = pressures(one, 15)[-1]
    assert one.poller.link_state is LinkState.UP
    if fault == "dislodgement":  # the catheter left the vein: the resistance falls
        assert after < before
    if fault == "air_in_line":
        flagged = one.wait_for(lambda e: isinstance(e, Sample), timeout_s=5)
        assert isinstance(flagged, Sample) and flagged.conditions is not None
        assert flagged.conditions.air_in_line


def test_empty_battery_is_a_lost_link(rig: MakeRig) -> None:
    one = rig(speed=20.0)
    one.poller.set_rate(150).result(timeout=5)
    one.poller.run().result(timeout=5)
    one.control("inject", fault="low_battery",
                params={"level_percent": 0.5, "drain_percent_per_h": 10000})
    lost = one.wait_for(is_link(LinkState.LOST), timeout_s=15)
    assert isinstance(lost, LinkStateChanged) and "no valid reply" in lost.reason


def test_a_pump_that_ignores_the_first_command_after_power_up(
        rig: MakeRig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="devices.driver.session")
    one = rig(sim_args=("--ignore-first-command",))
    assert one.poller.info is not None and one.poller.info.model == "NE1000"
    silences = [r for r in caplog.records if "no reply" in r.getMessage()]
    assert [r.getMessage().split(": ", 1)[1] for r in silences] == ["'0': no reply"]
    one.control("power_cycle", off_s=0)
    # After a power cycle the first poll goes unanswered; the retry is answered, the
    # power-up alarm is reported and the link never drops.
    alarm = one.wait_for(is_alarm(AlarmCode.RESET), timeout_s=5)
    assert isinstance(alarm, PumpAlarm)
    one.wait_for(lambda e: isinstance(e, Sample))
    assert not any(is_link(LinkState.LOST)(e) for e in one.seen)
