"""The pumping program a host sets (diameter, rate, volume, direction) and its limits.

Real pumps bound the rate by the syringe diameter; this simulator uses simpler fixed
limits, documented in docs/simulator.md: a value outside them is `?OOR`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from devices.protocol import RateUnit, VolumeUnit

DIAMETER_MIN_MM = 0.1
DIAMETER_MAX_MM = 50.0
RATE_MIN_ML_H = 0.001
RATE_MAX_ML_H = 9999.0
VOLUME_MAX = 9999.0  # in the volume units; 0 means no limit


class Direction(StrEnum):
    """Pumping direction, as `DIR` sends and answers it."""

    INFUSE = "INF"
    WITHDRAW = "WDR"

    def reversed(self) -> Direction:
        return Direction.WITHDRAW if self is Direction.INFUSE else Direction.INFUSE


class OutOfRangeError(ValueError):
    """A value outside the pump's limits: the pump answers `?OOR`."""


@dataclass
class Program:
    """What the host programmed. Factory defaults: see `reset`."""

    diameter_mm: float = 26.59
    rate: float = 0.0
    rate_unit: RateUnit = RateUnit.ML_H
    volume: float = 0.0
    volume_unit: VolumeUnit = VolumeUnit.ML
    direction: Direction = Direction.INFUSE

    def reset(self) -> None:
        """Back to the factory program (`*RESET`)."""
        fresh = Program()
        self.__dict__.update(fresh.__dict__)

    @property
    def rate_ml_h(self) -> float:
        return self.rate * self.rate_unit.to_ml_per_h

    @property
    def target_ml(self) -> float | None:
        """Volume to be dispensed in mL, None for no limit."""
        return self.volume * self.volume_unit.to_ml if self.volume > 0 else None

    def set_diameter(self, value: float) -> None:
        if not DIAMETER_MIN_MM <= value <= DIAMETER_MAX_MM:
            raise OutOfRangeError(f"diameter {value} mm")
        self.diameter_mm = value

    def set_rate(self, value: float, unit: RateUnit | None) -> None:
        """Set the rate; the unit stays when omitted."""
        chosen = unit or self.rate_unit
        if not RATE_MIN_ML_H <= value * chosen.to_ml_per_h <= RATE_MAX_ML_H:
            raise OutOfRangeError(f"rate {value} {chosen.value}")
        self.rate, self.rate_unit = value, chosen

    def set_volume(self, value: float) -> None:
        if not 0.0 <= value <= VOLUME_MAX:
            raise OutOfRangeError(f"volume {value} {self.volume_unit.value}")
        self.volume = value

    def set_volume_unit(self, unit: VolumeUnit) -> None:
        """Change the units, keeping the same volume in mL (when it still fits)."""
        converted = self.volume * self.volume_unit.to_ml / unit.to_ml
        self.volume_unit = unit
        self.volume = converted if converted <= VOLUME_MAX else 0.0
