"""Our protocol extension: line pressure, identity and extended conditions (`X` queries).

Not part of the New Era protocol. A stock pump answers each query with the bare `?`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from devices.protocol.numbers import format_float, parse_float

PRESSURE_QUERY = "XPR"
IDENTITY_QUERY = "XID"
CONDITIONS_QUERY = "XCN"

PRESSURE_UNIT = "MMHG"


def format_pressure(mmhg: float) -> str:
    """Line pressure as reply data: `12.50MMHG`, `-4.200MMHG`.

    Signed, unlike the New Era float: a pump above the patient, or a dislodged
    catheter, gives a pressure below zero, and detection needs that signal.
    """
    sign = "-" if mmhg < 0 else ""
    return f"{sign}{format_float(abs(mmhg))}{PRESSURE_UNIT}"


def parse_pressure(data: str) -> float:
    """`12.50MMHG` -> 12.5; `-4.200MMHG` -> -4.2."""
    if not data.endswith(PRESSURE_UNIT):
        raise ValueError(f"not a pressure: {data!r}")
    number = data[: -len(PRESSURE_UNIT)]
    if number.startswith("-"):
        return -parse_float(number[1:])
    return parse_float(number)


class IdentityKind(StrEnum):
    """Whether the device on the line says it is a simulator."""

    SIMULATOR = "SIM"
    DEVICE = "DEV"


@dataclass(frozen=True)
class Identity:
    """The `XID` answer: simulator or device, and its serial number."""

    kind: IdentityKind
    serial: str

    def to_data(self) -> str:
        return f"{self.kind.value},{self.serial}"


_IDENTITY = re.compile(r"^(?P<kind>SIM|DEV),(?P<serial>[0-9A-Z\-_]{1,32})$")


def parse_identity(data: str) -> Identity:
    """`SIM,SN0001` -> Identity(SIMULATOR, "SN0001")."""
    match = _IDENTITY.match(data)
    if match is None:
        raise ValueError(f"not an identity: {data!r}")
    return Identity(IdentityKind(match["kind"]), match["serial"])


@dataclass(frozen=True)
class ExtendedConditions:
    """The `XCN` answer: air in the line, and battery charge in percent."""

    air_in_line: bool
    battery_percent: int

    def to_data(self) -> str:
        return f"AIR{int(self.air_in_line)},BAT{self.battery_percent}"


_CONDITIONS = re.compile(r"^AIR(?P<air>[01]),BAT(?P<battery>\d{1,3})$")


def parse_conditions(data: str) -> ExtendedConditions:
    """`AIR0,BAT87` -> ExtendedConditions(False, 87)."""
    match = _CONDITIONS.match(data)
    if match is None or int(match["battery"]) > 100:
        raise ValueError(f"not extended conditions: {data!r}")
    return ExtendedConditions(match["air"] == "1", int(match["battery"]))
