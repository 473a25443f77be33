"""The simulator as its own process on a real pty: start-up, protocol, host behaviours."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
import serial

from devices.protocol import encode_basic_reply as basic
from devices.protocol import encode_safe as safe
from tests.simulator.test_pump_commands import COMMAND_REPLIES
from tests.support.host import Host
from tests.support.simulator_process import SimulatorProcess


def read_exactly(link: serial.SerialBase, size: int, timeout_s: float = 2.0) -> bytes:
    link.timeout = timeout_s
    return bytes(link.read(size))


def transact(link: serial.SerialBase, command: bytes, reply_size: int) -> bytes:
    link.write(command)
    return read_exactly(link, reply_size)


@pytest.fixture(scope="module")
def shared_host() -> Iterator[Host]:
    """One simulator for a table of commands; `*RESET` before each brings it back."""
    with SimulatorProcess(speed=5, seed=21) as sim:
        host = Host(sim.open_serial(1))
        assert host.ask("0") == "00A?R"
        yield host
        assert sim.stop() == 0


@pytest.mark.parametrize(("command", "reply"), COMMAND_REPLIES)
def test_every_command_over_the_pty(shared_host: Host, command: str, reply: str) -> None:
    assert shared_host.ask("*RESET") == "00S"
    assert shared_host.ask(command) == reply


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_announces_each_pump_then_exits_cleanly(sig: signal.Signals) -> None:
    with SimulatorProcess(pumps=3, speed=5, seed=2, extra_args=["--tcp"]) as sim:
        check_announcements(sim)
        assert sim.stop(sig) == 0
    assert not sim.ports[0].control.exists()


def check_announcements(sim: SimulatorProcess) -> None:
    ports = sim.ports
    assert [p.pump for p in ports] == [1, 2, 3]
    assert len({p.port for p in ports}) == 3
    assert all(p.address == 0 and os.path.exists(p.port) for p in ports)
    assert all(p.url is not None and p.url.startswith("socket://127.0.0.1:") for p in ports)
    assert ports[0].control.exists()


def test_power_up_alarm_and_whitespace_lower_case(simulator: SimulatorProcess) -> None:
    link = simulator.open_serial(1)
    assert transact(link, b"0\r", 7) == basic("00A?R")
    assert transact(link, b" 0 rat 12.5 mh \r", 5) == basic("00S")
    assert transact(link, b"0r\tat\r", 12) == basic("00S12.50MH")
    assert transact(link, b"0FOO\r", 6) == basic("00S?")
    assert transact(link, b"0RAT9999MM\r", 9) == basic("00S?OOR")
    assert transact(link, b"*RESET\r", 5) == basic("00S")
    assert transact(link, b"0RUN\r", 8) == basic("00S?NA")
    assert transact(link, b"0XID\r", 15) == basic("00SSIM,SN0001")
    bad = bytearray(safe("0VER"))
    bad[3] ^= 0x01
    assert transact(link, bytes(bad), 9) == basic("00S?COM")


def test_spec_host_session_byte_for_byte_with_a_50_ms_poll() -> None:
    with SimulatorProcess(pumps=1, speed=100, seed=3) as sim:
        link = sim.open_serial(1)
        assert transact(link, bytes.fromhex("02 09 30 53 41 46 30 59 ad 03"), 7) == basic("00A?R")
        assert transact(link, bytes.fromhex("02 09 30 53 41 46 30 59 ad 03"), 5) == basic("00S")
        assert transact(link, b"0VER\r", 17) == basic("00SNE1000V3.928")
        for command in (b"0DIA26.59\r", b"0DIRINF\r", b"0VOLUL\r", b"0VOL1000\r", b"0RAT500UM\r"):
            assert transact(link, command, 5) == basic("00S")
        assert transact(link, b"0RAT\r", 12) == basic("00S500.0UM")
        assert transact(link, b"0RUN\r", 5) == basic("00I")
        polls = []
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline:  # every 50 ms, as third-party hosts do
            polls.append(transact(link, b"0\r", 5))
            if polls[-1] != basic("00I"):
                break
            time.sleep(0.05)
        assert polls[-1] == basic("00S")
        assert set(polls[:-1]) == {basic("00I")} and len(polls) > 5
        assert transact(link, b"0DIS\r", 19) == basic("00SI1000.W0.000UL")
        assert sim.stop() == 0


def test_safe_mode_session_and_watchdog_auto_alarm() -> None:
    with SimulatorProcess(pumps=1, speed=10, seed=4) as sim:
        host = Host(sim.open_serial(1))
        assert host.ask("0SAF0", safe=True) == "00A?R"
        # The watchdog runs on real time, whatever --speed: hosts keep alive on real time.
        frame = host.ask_frame("0SAF1", safe=True)
        assert (frame.mode.value, frame.payload) == ("safe", b"00S")
        assert host.ask("0RAT100MH", safe=True) == "00S"
        assert host.ask("0RUN", safe=True) == "00I"
        started = time.monotonic()
        while time.monotonic() - started < 1.5:  # a keep-alive every 50 ms, 15 s simulated
            assert host.ask("0", safe=True) == "00I"
            time.sleep(0.05)
        quiet = time.monotonic()
        alarm = host.reply(timeout_s=3.0)  # the host goes quiet: the alarm comes unasked
        assert 0.9 < time.monotonic() - quiet < 1.5
        assert (alarm.mode.value, alarm.payload) == ("safe", b"00A?T")
        assert host.ask("0", safe=True) == "00A?T"
        assert host.ask("0", safe=True) == "00P"
        assert host.ask("0SAF0", safe=True) == "00P"
        assert host.ask("0STP") == "00S"
        assert sim.stop() == 0


def test_tcp_socket_url_speaks_the_same_protocol() -> None:
    with SimulatorProcess(pumps=2, speed=5, seed=5, extra_args=["--tcp"]) as sim:
        url = sim.ports[1].url
        assert url is not None
        link = serial.serial_for_url(url, timeout=2.0)
        try:
            host = Host(link)
            assert host.ask("0") == "00A?R"
            assert host.ask("0VER") == "00SNE1000V3.928"
            assert host.ask("0XID") == "00SSIM,SN0002"
        finally:
            link.close()
        assert sim.stop() == 0


def test_other_addresses_are_ignored(simulator: SimulatorProcess) -> None:
    host = Host(simulator.open_serial(1))
    assert host.silent("5VER")
    assert host.ask("0") == "00A?R"
    assert host.ask("*ADR5") == "05S"
    assert host.silent("0VER")
    assert host.ask("5VER") == "05SNE1000V3.928"


def test_the_process_survives_fuzzing_and_answers_a_valid_command() -> None:
    from hypothesis import given, settings

    from devices.protocol import FrameMode, parse_reply
    from tests.simulator.test_fuzz import CHUNKS

    with SimulatorProcess(speed=5, seed=13) as sim:
        host = Host(sim.open_serial(1))

        @settings(max_examples=12, deadline=None, database=None)
        @given(chunks=CHUNKS)
        def check(chunks: list[bytes]) -> None:
            for chunk in chunks:
                host.link.write(chunk)
            # The protocol's own resynchronisation: a partial packet is dropped after
            # 0.5 s of silence on the wire (real time by design).
            time.sleep(0.6)
            host.drain()
            for _ in range(3):  # a latched alarm (power-up, watchdog) takes one command
                frame = host.ask_frame("*VER", safe=True)
                reply = parse_reply(frame.payload)
                if reply.alarm is None:
                    break
            assert reply.data == "NE1000V3.928", reply
            status = sim.control(op="status", pump=1)["pumps"][0]
            assert reply.address == status["address"]
            safe_mode = status["safe_timeout_s"] > 0
            assert frame.mode is (FrameMode.SAFE if safe_mode else FrameMode.BASIC)

        check()
        assert sim.stop() == 0
