"""The simulated pumps of one run and the operations the control socket and
scenario files perform on them (inject, clear, set, power cycle, status)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from devices.protocol import Reply
from devices.simulator.clock import Clock
from devices.simulator.faults import Fault, FaultError, fault_kind
from devices.simulator.mechanics import PumpSettings
from devices.simulator.physics import LineParams
from devices.simulator.pump import SimulatedPump
from devices.simulator.unit import PumpUnit

SETTING_NAMES = ("occlusion_limit_mmhg", "kvo_rate_ml_h", "purge_rate_ml_h")


def build_units(
    count: int,
    clock: Clock,
    seed: int,
    *,
    settings: PumpSettings | None = None,
    params: LineParams | None = None,
    wire_clock: Clock | None = None,
) -> list[PumpUnit]:
    """`count` pumps numbered from 1, each with its own reproducible random streams.

    `wire_clock` times the Safe-mode watchdog (real time when served; default `clock`).
    """
    streams = np.random.SeedSequence(seed).spawn(2 * count)
    units = []
    for index in range(count):
        pump = SimulatedPump(
            clock,
            np.random.default_rng(streams[2 * index]),
            serial=f"SN{index + 1:04d}",
            settings=settings,
            params=params,
            wire_clock=wire_clock,
        )
        units.append(PumpUnit(index + 1, pump, np.random.default_rng(streams[2 * index + 1])))
    return units


class Fleet:
    """Operations on the pumps by number (1-based); `None` means every pump."""

    def __init__(self, units: Iterable[PumpUnit]) -> None:
        self.units = {unit.number: unit for unit in units}

    def select(self, number: object) -> list[PumpUnit]:
        if number is None:
            return list(self.units.values())
        if isinstance(number, bool) or not isinstance(number, int) or number not in self.units:
            raise FaultError(f"no pump {number!r}; pumps are 1..{len(self.units)}")
        return [self.units[number]]

    def inject(
        self,
        number: object,
        kind: object,
        params: Mapping[str, object] | None = None,
        duration_s: float | None = None,
    ) -> None:
        fault = Fault.make(kind, params)
        for unit in self.select(number):
            unit.injector.inject(fault, duration_s)

    def clear(self, number: object, kind: object = None) -> None:
        checked = None if kind is None else fault_kind(kind)
        for unit in self.select(number):
            unit.injector.clear(checked)

    def set_values(self, number: object, values: Mapping[str, object]) -> None:
        """Change line/patient parameters and pump settings by name."""
        numbers = {}
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise FaultError(f"{name} must be a number, got {value!r}")
            numbers[name] = float(value)
        settings = {k: v for k, v in numbers.items() if k in SETTING_NAMES}
        line = {k: v for k, v in numbers.items() if k not in SETTING_NAMES}
        for unit in self.select(number):
            pump = unit.pump
            pump.advance()
            try:
                new_params = pump.mechanics.line.params.updated(line)
                pump.set_settings(**settings)
            except ValueError as exc:
                raise FaultError(str(exc)) from None
            pump.mechanics.line.params = new_params

    def key_in(self, number: object, keys: Iterable[str]) -> list[tuple[int, str, Reply]]:
        """Type commands at the pumps' keys: (pump number, key, the pump's reply) each."""
        return [(unit.number, key, unit.pump.keypad(key))
                for unit in self.select(number) for key in keys]

    def keypad(self, number: object, keys: Iterable[str]) -> list[str]:
        """Type commands at the pumps' keys; what each pump refused, in words."""
        return keypad_refusals(self.key_in(number, keys))

    def status(self, number: object) -> list[dict[str, Any]]:
        return [describe(unit) for unit in self.select(number)]


def keypad_refusals(replies: Iterable[tuple[int, str, Reply]]) -> list[str]:
    """What the pumps refused of `Fleet.key_in`'s replies, in words."""
    return [f"pump {number}: keypad {key} refused ({reply.to_text()})"
            for number, key, reply in replies if reply.error is not None]


def describe(unit: PumpUnit) -> dict[str, Any]:
    """A JSON-ready snapshot of one pump."""
    pump = unit.pump
    pump.advance()
    mechanics = pump.mechanics
    line = mechanics.line
    return {
        "pump": unit.number,
        "time_s": round(pump.clock.now(), 3),
        "powered": pump.powered,
        "address": pump.address,
        "safe_timeout_s": pump.safe_timeout_s,
        "status": f"A?{pump.alarm.value}" if pump.alarm else mechanics.motion.value,
        "rate_ml_h": mechanics.flow_ml_h(),
        "infused_ml": mechanics.infused_ml,
        "withdrawn_ml": mechanics.withdrawn_ml,
        "line_pressure_mmhg": line.state.pressure_mmhg,
        "sensed_pressure_mmhg": line.sensed_pressure(),
        "battery_percent": mechanics.battery.percent,
        "faults": unit.injector.describe(),
        "labels": line.faults.labels(),
        "streams": [stream.name for stream in unit.streams],
    }
