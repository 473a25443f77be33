"""The faults the simulator can inject, their parameters, defaults and limits.

A `Fault` is validated on creation, so a bad request from the control socket or a
scenario file fails with a message that names the fault and the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class FaultKind(StrEnum):
    """Every fault the simulator knows."""

    OCCLUSION = "occlusion"
    DISLODGEMENT = "dislodgement"
    INFILTRATION = "infiltration"
    AIR_IN_LINE = "air_in_line"
    LOW_BATTERY = "low_battery"
    PULLED_CABLE = "pulled_cable"
    GARBLED = "garbled"
    SLOW_REPLIES = "slow_replies"
    POWER_CYCLE = "power_cycle"


# Physical faults act on the line model; the rest on the pump or its link.
PHYSICAL_FAULTS = frozenset(
    {FaultKind.OCCLUSION, FaultKind.DISLODGEMENT, FaultKind.INFILTRATION, FaultKind.AIR_IN_LINE}
)
# A power cycle is an event, not a state: it has no duration and nothing to clear.
INSTANT_FAULTS = frozenset({FaultKind.POWER_CYCLE})

CABLE_MODES = ("silent", "close")


@dataclass(frozen=True)
class NumberParam:
    """A numeric parameter: default and inclusive bounds."""

    default: float
    low: float
    high: float


@dataclass(frozen=True)
class ChoiceParam:
    """A text parameter from a fixed list; the first is the default."""

    choices: tuple[str, ...]


ParamSpec = NumberParam | ChoiceParam
ParamValue = float | str

PARAMETERS: dict[FaultKind, dict[str, ParamSpec]] = {
    # severity 1 closes the line; below 1 multiplies R by 1 / (1 - severity).
    FaultKind.OCCLUSION: {"severity": NumberParam(1.0, 0.01, 1.0)},
    FaultKind.DISLODGEMENT: {},
    FaultKind.INFILTRATION: {"fraction": NumberParam(1.0, 0.01, 1.0)},
    FaultKind.AIR_IN_LINE: {},
    FaultKind.LOW_BATTERY: {
        "level_percent": NumberParam(15.0, 0.0, 100.0),
        "drain_percent_per_h": NumberParam(20.0, 0.0, 10000.0),
    },
    FaultKind.PULLED_CABLE: {"mode": ChoiceParam(CABLE_MODES)},
    FaultKind.GARBLED: {"probability": NumberParam(0.2, 0.0, 1.0)},
    FaultKind.SLOW_REPLIES: {"delay_s": NumberParam(1.0, 0.0, 60.0)},
    FaultKind.POWER_CYCLE: {"off_s": NumberParam(0.0, 0.0, 3600.0)},
}


class FaultError(ValueError):
    """A fault request that cannot be carried out, with the reason."""


def fault_kind(name: object) -> FaultKind:
    """The kind called `name`; FaultError listing the known kinds otherwise."""
    try:
        return FaultKind(str(name))
    except ValueError:
        known = ", ".join(kind.value for kind in FaultKind)
        raise FaultError(f"unknown fault {name!r}; known: {known}") from None


def _check(kind: FaultKind, name: str, spec: ParamSpec, value: object) -> ParamValue:
    where = f"{kind.value}.{name}"
    if isinstance(spec, ChoiceParam):
        if value not in spec.choices:
            raise FaultError(f"{where} must be one of {list(spec.choices)}, got {value!r}")
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"{where} must be a number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and spec.low <= number <= spec.high):
        raise FaultError(f"{where} must be within {spec.low}..{spec.high}, got {value!r}")
    return number


@dataclass(frozen=True)
class Fault:
    """A fault with every parameter present and checked (use `Fault.make`)."""

    kind: FaultKind
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    @classmethod
    def make(cls, kind: object, params: Mapping[str, object] | None = None) -> Fault:
        checked_kind = fault_kind(kind)
        specs = PARAMETERS[checked_kind]
        given = dict(params or {})
        unknown = sorted(set(given) - set(specs))
        if unknown:
            raise FaultError(
                f"{checked_kind.value} has no parameter(s) {unknown}; known: {sorted(specs)}"
            )
        checked: dict[str, ParamValue] = {}
        for name, spec in specs.items():
            default = spec.default if isinstance(spec, NumberParam) else spec.choices[0]
            checked[name] = _check(checked_kind, name, spec, given.get(name, default))
        return cls(checked_kind, checked)

    def number(self, name: str) -> float:
        value = self.params[name]
        assert isinstance(value, float)
        return value

    def text(self, name: str) -> str:
        return str(self.params[name])


@dataclass(frozen=True)
class TimedFault:
    """A fault that starts at `onset_s` (simulated) and, if `duration_s` is set, ends."""

    fault: Fault
    onset_s: float
    duration_s: float | None = None

    def active_at(self, t_s: float) -> bool:
        if t_s < self.onset_s:
            return False
        return self.duration_s is None or t_s < self.onset_s + self.duration_s
