"""Byte builders and script fragments for the driver's byte-level tests."""

from __future__ import annotations

from devices.driver.scripted import Exchange, Step
from devices.protocol import encode_basic_command, encode_basic_reply, encode_safe


def safe(text: str) -> bytes:
    """A Safe-mode packet, either direction."""
    return encode_safe(text)


def cmd(text: str) -> bytes:
    """A Basic-mode command."""
    return encode_basic_command(text)


def reply(text: str) -> bytes:
    """A Basic-mode reply."""
    return encode_basic_reply(text)


def connect_script(*, extension: bool = True, power_up_alarm: bool = False,
                   safe_timeout: int | None = 15) -> list[Step]:
    """The connection sequence with a pump in Basic mode that answers at once."""
    steps: list[Step] = []
    if power_up_alarm:
        steps += [Exchange(safe("0"), reply("00A?R")), Exchange(cmd("0"), reply("00S"))]
    else:
        steps += [Exchange(safe("0"), reply("00S"))]
    steps += [Exchange(cmd("0VER"), reply("00SNE1000V3.928"))]
    steps += [Exchange(cmd("0XID"), reply("00SSIM,SN0001" if extension else "00S?"))]
    if safe_timeout is not None:
        steps += [Exchange(cmd(f"0SAF{safe_timeout}"), safe("00S")),
                  Exchange(safe("0SAF"), safe(f"00S{safe_timeout}"))]
    return steps


def poll_script(*, status: str = "S", rate: str = "500.0UM", dispensed: str = "I0.250W0.000ML",
                pressure: str | None = "12.50MMHG", conditions: str = "AIR0,BAT87") -> list[Step]:
    """One poll in Safe mode; `pressure=None` for a pump without our extension."""
    steps: list[Step] = [Exchange(safe("0RAT"), safe(f"00{status}{rate}")),
                         Exchange(safe("0DIS"), safe(f"00{status}{dispensed}"))]
    if pressure is not None:
        steps += [Exchange(safe("0XPR"), safe(f"00{status}{pressure}")),
                  Exchange(safe("0XCN"), safe(f"00{status}{conditions}"))]
    return steps
