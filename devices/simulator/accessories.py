"""Commands a stock pump knows that do not change the infusion itself: alarm output,
buzzer, TTL trigger mode and I/O pins, program phase and function.

Third-party host software sends some of them while it connects (one sets `AL 0` and
`TRG LE`, another `FUN RAT`), so answering them with `?` would stop it. The
simulator keeps the values and answers queries; only a single-phase `RAT` program is
simulated, so another phase function is `?NA`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from devices.simulator.program import OutOfRangeError

if TYPE_CHECKING:
    from devices.simulator.pump import SimulatedPump

TRIGGER_MODES = ("FT", "FH", "F2", "LE", "ST", "T2", "SP", "P2", "RL", "RH", "SL", "SH")
FUNCTIONS = ("RAT", "INC", "DEC", "STP", "JP", "LP", "LPS", "LPE", "PS", "PR", "EVN",
             "EVS", "EVR", "CLR", "OUT", "BEP")
INPUT_PINS = ("2", "3", "4", "6")
OUTPUT_PINS = ("5",)

DEFAULTS = {"AL": "0", "BUZ": "0", "TRG": "FT", "FUN": "RAT", "OUT5": "0"}

_BUZZER = re.compile(r"^[01](\d{1,2})?$")


class NotSimulatedError(Exception):
    """A valid command this simulator does not model: the pump answers `?NA`."""


def _stored(name: str, valid: Callable[[str], bool]) -> Callable[[SimulatedPump, str], str]:
    """A handler that stores a checked value and answers it when queried."""

    def handler(pump: SimulatedPump, argument: str) -> str:
        if not argument:
            return pump.accessories[name]
        if not valid(argument):
            raise ValueError(f"{name}: {argument!r}")
        pump.accessories[name] = argument[:1] if name == "BUZ" else argument
        return ""

    return handler


alarm_output = _stored("AL", lambda text: text in ("0", "1"))
buzzer = _stored("BUZ", lambda text: _BUZZER.match(text) is not None)
trigger = _stored("TRG", lambda text: text in TRIGGER_MODES)


def ttl_input(pump: SimulatedPump, argument: str) -> str:
    """`IN n`: the level of TTL input pin n; nothing is wired to the simulator: 0."""
    if not argument.isdigit():
        raise ValueError(f"IN takes a pin number: {argument!r}")
    if argument not in INPUT_PINS:
        raise OutOfRangeError(f"input pin {argument}")
    return "0"


def ttl_output(pump: SimulatedPump, argument: str) -> str:
    """`OUT 5 [0|1]`: query or set the TTL output pin."""
    pin, level = argument[:1], argument[1:]
    if not pin.isdigit() or level not in ("", "0", "1"):
        raise ValueError(f"OUT takes a pin and a level: {argument!r}")
    if pin not in OUTPUT_PINS:
        raise OutOfRangeError(f"output pin {pin}")
    if not level:
        return pump.accessories[f"OUT{pin}"]
    pump.accessories[f"OUT{pin}"] = level
    return ""


def phase(pump: SimulatedPump, argument: str) -> str:
    """`PHN [n]`: the simulator runs a one-phase program."""
    if not argument:
        return "01"
    if not argument.isdigit():
        raise ValueError(f"PHN takes a number: {argument!r}")
    if int(argument) != 1:
        raise OutOfRangeError(f"phase {argument}")
    return ""


def function(pump: SimulatedPump, argument: str) -> str:
    """`FUN [f]`: only the rate function of a one-phase program is simulated."""
    if not argument:
        return pump.accessories["FUN"]
    if not argument.startswith(FUNCTIONS):
        raise ValueError(f"not a phase function: {argument!r}")
    if argument != "RAT":
        raise NotSimulatedError(f"phase function {argument}")
    return ""


ACCESSORY_HANDLERS = {
    "AL": alarm_output,
    "BUZ": buzzer,
    "TRG": trigger,
    "IN": ttl_input,
    "OUT": ttl_output,
    "PHN": phase,
    "FUN": function,
}
