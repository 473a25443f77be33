"""Rate units and conversions. Pumps are programmed in mL/h; IVIG is prescribed per kg."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class RateUnit(StrEnum):
    """Units a drug library may state rates in (spelled as in the TOML file)."""

    ML_PER_H = "mL/h"
    ML_PER_KG_PER_MIN = "mL/kg/min"

    @property
    def needs_weight(self) -> bool:
        return self is RateUnit.ML_PER_KG_PER_MIN


class WeightRequiredError(ValueError):
    """A weight-based rate was converted without the patient's weight."""


@dataclass(frozen=True)
class Rate:
    """A rate in a library unit; convert with :func:`to_ml_per_h` before programming a pump."""

    value: float
    unit: RateUnit = RateUnit.ML_PER_H

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit.value}"


MINUTES_PER_HOUR = 60


def to_ml_per_h(rate: Rate, weight_kg: float | None = None) -> float:
    """Rate in mL/h. mL/kg/min × kg × 60 (the NL-IVIG002 formula)."""
    if rate.unit is RateUnit.ML_PER_H:
        return rate.value
    if weight_kg is None or weight_kg <= 0:
        raise WeightRequiredError(f"a rate of {rate} needs the patient's weight in kg")
    return rate.value * weight_kg * MINUTES_PER_HOUR


def from_ml_per_h(ml_per_h: float, unit: RateUnit, weight_kg: float | None = None) -> float:
    """Inverse of :func:`to_ml_per_h`, to compare a pump rate with limits stated per kg."""
    if unit is RateUnit.ML_PER_H:
        return ml_per_h
    if weight_kg is None or weight_kg <= 0:
        raise WeightRequiredError(f"converting to {unit.value} needs the patient's weight in kg")
    return ml_per_h / (weight_kg * MINUTES_PER_HOUR)


def volume_ml(rate_ml_per_h: float, span: timedelta) -> float:
    """Volume delivered at a constant rate over ``span``."""
    return rate_ml_per_h * span.total_seconds() / 3600.0


def time_for_volume(volume: float, rate_ml_per_h: float) -> timedelta:
    """How long ``volume`` mL takes at ``rate_ml_per_h``."""
    if rate_ml_per_h <= 0:
        raise ValueError("rate must be positive to compute a duration")
    return timedelta(hours=volume / rate_ml_per_h)
