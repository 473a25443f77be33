"""What each command does to the pump and the data it answers.

A handler takes the pump and the command's argument and returns the reply data. It
raises OutOfRangeError for `?OOR`, NotAllowedError for `?NA`, and ValueError (an argument that
does not parse) for the bare `?`. An empty argument is a query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from devices.protocol import (
    CONDITIONS_QUERY,
    IDENTITY_QUERY,
    PRESSURE_QUERY,
    ExtendedConditions,
    Identity,
    IdentityKind,
    VolumeUnit,
    format_dispensed,
    format_float,
    format_pressure,
    format_rate,
    parse_float,
    parse_rate,
    parse_volume,
)
from devices.simulator.accessories import ACCESSORY_HANDLERS
from devices.simulator.mechanics import Motion
from devices.simulator.program import VOLUME_MAX, Direction, OutOfRangeError

if TYPE_CHECKING:
    from devices.simulator.pump import SimulatedPump

FIRMWARE = "NE1000V3.928"
BAUD_RATES = (19200, 9600, 2400, 1200, 300)
MAX_SAFE_TIMEOUT_S = 255

Handler = Callable[["SimulatedPump", str], str]


class NotAllowedError(Exception):
    """Not applicable in the pump's current state: the pump answers `?NA`."""


def _no_argument(argument: str) -> None:
    if argument:
        raise ValueError(f"takes no argument: {argument!r}")


def _not_while_pumping(pump: SimulatedPump) -> None:
    if pump.mechanics.pumping:
        raise NotAllowedError("the program cannot change while pumping")


def status(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    return ""


def diameter(pump: SimulatedPump, argument: str) -> str:
    program = pump.mechanics.program
    if not argument:
        return format_float(program.diameter_mm)
    value = parse_float(argument)
    _not_while_pumping(pump)
    program.set_diameter(value)
    return ""


def rate(pump: SimulatedPump, argument: str) -> str:
    program = pump.mechanics.program
    if not argument:
        return format_rate(program.rate, program.rate_unit)
    value, unit = parse_rate(argument)
    if unit not in (None, program.rate_unit) and pump.mechanics.pumping:
        raise NotAllowedError("rate units cannot change while pumping")
    program.set_rate(value, unit)
    return ""


def volume(pump: SimulatedPump, argument: str) -> str:
    program = pump.mechanics.program
    if not argument:
        return f"{format_float(program.volume)}{program.volume_unit.value}"
    if argument in (VolumeUnit.UL, VolumeUnit.ML):
        _not_while_pumping(pump)
        program.set_volume_unit(VolumeUnit(argument))
        return ""
    value, unit = parse_volume(argument)
    _not_while_pumping(pump)
    if unit is not None:
        program.set_volume_unit(unit)
    program.set_volume(value)
    return ""


def direction(pump: SimulatedPump, argument: str) -> str:
    program = pump.mechanics.program
    if not argument:
        return program.direction.value
    if argument not in ("INF", "WDR", "REV"):
        raise ValueError(f"not a direction: {argument!r}")
    _not_while_pumping(pump)
    program.direction = (
        program.direction.reversed() if argument == "REV" else Direction(argument)
    )
    return ""


def run(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    mechanics = pump.mechanics
    if mechanics.motion is Motion.PURGING:
        raise NotAllowedError("purging")
    if mechanics.program.rate <= 0:
        raise NotAllowedError("no rate programmed")
    mechanics.start()
    return ""


def stop(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    pump.mechanics.stop()
    return ""


def purge(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    _not_while_pumping(pump)
    pump.mechanics.motion = Motion.PURGING
    return ""


def dispensed(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    mechanics = pump.mechanics
    unit = mechanics.program.volume_unit
    # The New Era float stops at 9999: a larger count reads as 9999 in these units.
    infused = min(mechanics.infused_ml / unit.to_ml, VOLUME_MAX)
    withdrawn = min(mechanics.withdrawn_ml / unit.to_ml, VOLUME_MAX)
    return format_dispensed(infused, withdrawn, unit)


def clear(pump: SimulatedPump, argument: str) -> str:
    if argument not in ("INF", "WDR"):
        raise ValueError(f"CLD takes INF or WDR: {argument!r}")
    _not_while_pumping(pump)
    if argument == "INF":
        pump.mechanics.infused_ml = 0.0
    else:
        pump.mechanics.withdrawn_ml = 0.0
    return ""


def safe(pump: SimulatedPump, argument: str) -> str:
    if not argument:
        return str(pump.safe_timeout_s)
    if not argument.isdigit():
        raise ValueError(f"not a time-out: {argument!r}")
    seconds = int(argument)
    if seconds > MAX_SAFE_TIMEOUT_S:
        raise OutOfRangeError(f"safe time-out {seconds} s")
    pump.set_safe_timeout(seconds)
    return ""


def version(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    return FIRMWARE


def address(pump: SimulatedPump, argument: str) -> str:
    if not argument:
        return f"{pump.address}B{pump.baud}"
    text, _, baud_text = argument.partition("B")
    if not text.isdigit() or (baud_text and not baud_text.isdigit()):
        raise ValueError(f"not an address: {argument!r}")
    new_address, baud = int(text), int(baud_text) if baud_text else pump.baud
    if new_address > 99 or baud not in BAUD_RATES:
        raise OutOfRangeError(f"address {new_address}, baud {baud}")
    pump.address, pump.baud = new_address, baud
    return ""


def factory_reset(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    pump.factory_reset()
    return ""


def pressure(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    # The wire float cannot exceed 9999 mmHg either way; below zero is signed (XPR only).
    pressure = pump.mechanics.line.sensed_pressure()
    return format_pressure(max(-VOLUME_MAX, min(pressure, VOLUME_MAX)))


def identity(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    return Identity(IdentityKind.SIMULATOR, pump.serial).to_data()


def conditions(pump: SimulatedPump, argument: str) -> str:
    _no_argument(argument)
    mechanics = pump.mechanics
    percent = round(mechanics.battery.percent)
    return ExtendedConditions(mechanics.line.faults.air_in_line, percent).to_data()


HANDLERS: dict[str, Handler] = {
    **ACCESSORY_HANDLERS,
    "": status,
    "DIA": diameter,
    "RAT": rate,
    "VOL": volume,
    "DIR": direction,
    "RUN": run,
    "STP": stop,
    "PUR": purge,
    "DIS": dispensed,
    "CLD": clear,
    "SAF": safe,
    "VER": version,
    PRESSURE_QUERY: pressure,
    IDENTITY_QUERY: identity,
    CONDITIONS_QUERY: conditions,
}
# Listed as system commands (`*ADR`, `*RESET`), but host software also sends them
# without the star (`ADR 0 B 19200`); the pump takes both.
HANDLERS["ADR"] = address
HANDLERS["RESET"] = factory_reset
