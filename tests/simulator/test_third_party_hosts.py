"""Sessions as existing third-party New Era host software performs them, byte for byte.

Modelled on what two public Python hosts send: one speaks Basic mode with spaces, no
address and `%0.3f` numbers and starts with `ADR 0 B 19200`, `AL 0`, `TRG LE`; the
other opens with a Safe-framed `SAF`, repeats it once on the power-up alarm, and then
speaks Safe mode with a status poll every 50 ms while running.
"""

from __future__ import annotations

import time

import serial

from devices.protocol import encode_basic_reply as basic
from devices.protocol import encode_safe as safe
from tests.support.simulator_process import SimulatorProcess


def read_to_etx(link: serial.SerialBase, timeout_s: float = 2.0) -> bytes:
    """Byte by byte up to ETX, as the first host reads."""
    link.timeout = timeout_s
    data = bytearray()
    while not data.endswith(b"\x03"):
        byte = link.read(1)
        assert byte, f"no ETX after {bytes(data)!r}"
        data.extend(byte)
    return bytes(data)


def read_safe(link: serial.SerialBase, timeout_s: float = 2.0) -> bytes:
    """STX and length, then the rest, as the second host reads."""
    link.timeout = timeout_s
    head = link.read(2)
    return bytes(head + link.read(head[1] - 1))


def test_basic_mode_host_with_spaces_and_no_address() -> None:
    with SimulatorProcess(speed=50, seed=11) as sim:
        link = sim.open_serial(1)

        def xmit(command: str) -> bytes:
            link.write((command + "\r").encode("ascii"))
            return read_to_etx(link)

        assert xmit("ADR 0 B 19200") == basic("00A?R")  # the host ignores alarm R here
        assert xmit("VOL ML") == basic("00S")
        assert xmit("TRG LE") == basic("00S")
        assert xmit("VER") == basic("00SNE1000V3.928")
        assert xmit("DIA 26.59") == basic("00S")
        assert xmit("DIR INF") == basic("00S")
        assert xmit("RAT 0.500 MM") == basic("00S")
        assert xmit("RAT") == basic("00S0.500MM")
        assert xmit("VOL 0.250") == basic("00S")
        assert xmit("IN 2") == basic("00S0")
        assert xmit("RUN") == basic("00I")
        deadline = time.monotonic() + 15.0
        while xmit("") == basic("00I") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert xmit("") == basic("00S")
        assert xmit("DIS") == basic("00SI0.250W0.000ML")
        assert xmit("CLD INF") == basic("00S")
        assert xmit("CLD WDR") == basic("00S")
        assert xmit("STP") == basic("00S")
        assert sim.stop() == 0


def test_safe_mode_host_opening_with_a_safe_framed_saf() -> None:
    with SimulatorProcess(speed=50, seed=12) as sim:
        link = sim.open_serial(1)

        def transceive(command: str, receive_safe: bool = True) -> bytes:
            link.write(safe(command))
            return read_safe(link) if receive_safe else read_to_etx(link)

        assert transceive("0SAF10") == safe("00A?R")  # alarm: the host repeats once
        assert transceive("0SAF10") == safe("00S")
        assert transceive("0VER") == safe("00SNE1000V3.928")
        assert transceive("0DIA30") == safe("00S")
        assert transceive("0DIRINF") == safe("00S")
        assert transceive("0VOLUL") == safe("00S")
        assert transceive("0VOL500") == safe("00S")
        assert transceive("0RAT2000UM") == safe("00S")
        assert transceive("0RAT") == safe("00S2000.UM")
        assert transceive("0RUN") == safe("00I")
        polls = []
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            polls.append(transceive("0"))
            if polls[-1] != safe("00I"):
                break
            time.sleep(0.05)
        assert polls[-1] == safe("00S") and len(polls) > 3
        assert transceive("0DIS") == safe("00SI500.0W0.000UL")
        assert transceive("0SAF") == safe("00S10")
        assert transceive("0SAF0", receive_safe=False) == basic("00S")
        assert sim.stop() == 0
