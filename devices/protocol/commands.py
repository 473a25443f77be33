"""Host commands: normalising, splitting into address, name and argument, and units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from devices.protocol.errors import ProtocolError, ProtocolErrorKind
from devices.protocol.numbers import format_float, parse_float

# Longest first so that a prefix match takes the whole name.
KNOWN_NAMES: tuple[str, ...] = tuple(
    sorted(
        {
            "DIA", "RAT", "VOL", "DIR", "RUN", "STP", "PUR", "DIS", "CLD", "SAF", "VER",
            "ADR", "RESET", "PHN", "FUN", "AL", "BUZ", "TRG", "IN", "OUT", "LN", "PF",
            "DIN", "ROM", "LOC", "BP", "TIM",
            "XPR", "XID", "XCN",
        },
        key=lambda name: (-len(name), name),
    )
)

_COMMAND = re.compile(r"^(?P<address>\d{1,2})?(?P<system>\*)?(?P<body>.*)$", re.DOTALL)


def normalise(raw: bytes | str) -> str:
    """What the pump does first: drop spaces and control characters, upper-case the rest."""
    text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw
    return "".join(ch for ch in text if " " < ch <= "~").upper()


@dataclass(frozen=True)
class Command:
    """A normalised command. `address` is None for a system (`*`) command."""

    name: str
    argument: str = ""
    address: int | None = 0
    system: bool = False

    def to_text(self) -> str:
        """The command text a host sends (without framing)."""
        prefix = "*" if self.system else f"{self.address or 0}"
        return f"{prefix}{self.name}{self.argument}"


def parse_command(text: bytes | str) -> Command:
    """Split a command into address, name and argument; the empty name is a status query.

    Without an address the command is for pump 0. An unknown name is its first three
    characters, so that the pump can answer it with the bare `?`.
    """
    clean = normalise(text)
    match = _COMMAND.match(clean)
    if match is None:  # pragma: no cover - the pattern matches any string
        raise ProtocolError(ProtocolErrorKind.GRAMMAR, clean.encode())
    body = match["body"]
    name = next((known for known in KNOWN_NAMES if body.startswith(known)), body[:3])
    system = match["system"] is not None
    address = None if system else int(match["address"] or 0)
    return Command(name=name, argument=body[len(name):], address=address, system=system)


class RateUnit(StrEnum):
    """Rate units the pump knows, with the factor to mL/h."""

    UL_MIN = "UM"
    ML_MIN = "MM"
    UL_H = "UH"
    ML_H = "MH"

    @property
    def to_ml_per_h(self) -> float:
        return _RATE_FACTORS[self]


_RATE_FACTORS = {
    RateUnit.UL_MIN: 60.0 / 1000.0,
    RateUnit.ML_MIN: 60.0,
    RateUnit.UL_H: 1.0 / 1000.0,
    RateUnit.ML_H: 1.0,
}


class VolumeUnit(StrEnum):
    """Volume units: microlitres or millilitres."""

    UL = "UL"
    ML = "ML"

    @property
    def to_ml(self) -> float:
        return 0.001 if self is VolumeUnit.UL else 1.0


_RATE = re.compile(r"^(?P<value>[\d.]+)(?P<unit>UM|MM|UH|MH)?$")
_VOLUME = re.compile(r"^(?P<value>[\d.]+)(?P<unit>UL|ML)?$")


def parse_rate(text: str) -> tuple[float, RateUnit | None]:
    """`500.0UM` -> (500.0, RateUnit.UL_MIN); the unit is None when omitted."""
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"not a rate: {text!r}")
    unit = RateUnit(match["unit"]) if match["unit"] else None
    return parse_float(match["value"]), unit


def format_rate(value: float, unit: RateUnit) -> str:
    """(500, RateUnit.UL_MIN) -> `500.0UM`."""
    return f"{format_float(value)}{unit.value}"


def parse_volume(text: str) -> tuple[float, VolumeUnit | None]:
    """`1.000ML` -> (1.0, VolumeUnit.ML); the unit is None when omitted."""
    match = _VOLUME.match(text)
    if match is None:
        raise ValueError(f"not a volume: {text!r}")
    unit = VolumeUnit(match["unit"]) if match["unit"] else None
    return parse_float(match["value"]), unit


_DISPENSED = re.compile(r"^I(?P<infused>[\d.]+)W(?P<withdrawn>[\d.]+)(?P<unit>UL|ML)$")


def parse_dispensed(text: str) -> tuple[float, float, VolumeUnit]:
    """The `DIS` reply data `I0.250W0.000ML` -> (0.25, 0.0, VolumeUnit.ML)."""
    match = _DISPENSED.match(text)
    if match is None:
        raise ValueError(f"not a DIS reply: {text!r}")
    return (
        parse_float(match["infused"]),
        parse_float(match["withdrawn"]),
        VolumeUnit(match["unit"]),
    )


def format_dispensed(infused: float, withdrawn: float, unit: VolumeUnit) -> str:
    """(0.25, 0.0, VolumeUnit.ML) -> `I0.250W0.000ML`."""
    return f"I{format_float(infused)}W{format_float(withdrawn)}{unit.value}"
