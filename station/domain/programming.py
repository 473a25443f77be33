"""Programming a pump from the order through the drug library (ISMP DERS rules).

Soft limits may be crossed with a recorded reason; hard limits never. The station keeps
the override and its reason, which pumps themselves cannot (ISMP 2020).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from station.domain.drug_library import Drug, RateLimits
from station.domain.refusals import Refusal, Refused, Result, decide, say_number
from station.domain.units import Rate, RateUnit, from_ml_per_h, to_ml_per_h

# GIP SR 1.3.2: large-volume pumps accept a VTBI of 1 to 9,999 mL.
MAX_VTBI_ML = 9999.0
_EPSILON = 1e-9  # rates at a limit are within it despite float conversion


class ProgrammingRefusal(StrEnum):
    NO_PUMP = "programming.no_pump"
    WRONG_DRUG = "programming.order_drug_not_library_drug"
    NO_RATE = "programming.no_rate"
    WEIGHT_REQUIRED = "programming.weight_required"
    VOLUME_INVALID = "programming.volume_invalid"
    FILTER_NOT_CONFIRMED = "programming.filter_not_confirmed"
    ABOVE_HARD_LIMIT = "programming.above_hard_limit"
    BELOW_HARD_LIMIT = "programming.below_hard_limit"
    SOFT_LIMIT_NEEDS_REASON = "programming.soft_limit_needs_reason"


class LimitZone(StrEnum):
    WITHIN = "within limits"
    BELOW_SOFT = "below the soft minimum"
    ABOVE_SOFT = "above the soft maximum"
    BELOW_HARD = "below the hard minimum"
    ABOVE_HARD = "above the hard maximum"


@dataclass(frozen=True)
class InfusionOrder:
    """The verified order: drug, volume to infuse and, if not titrated, the rate."""

    drug_id: str
    volume_ml: float
    rate: Rate | None = None  # None: start at the protocol's first step
    patient_weight_kg: float | None = None


@dataclass(frozen=True)
class SoftLimitOverride:
    """A soft limit the nurse crossed, and why."""

    zone: LimitZone
    limit: str
    reason: str


@dataclass(frozen=True)
class PumpProgram:
    """What to send to the pump, and the library version that allowed it."""

    pump_id: str
    drug_id: str
    rate_ml_h: float
    vtbi_ml: float
    library_version: str
    override: SoftLimitOverride | None = None


def limit_zone(limits: RateLimits, rate_ml_h: float, weight_kg: float | None) -> LimitZone:
    """Where a pump rate falls against limits stated in the drug's unit."""
    value = from_ml_per_h(rate_ml_h, limits.unit, weight_kg)
    if value > limits.hard_max * (1 + _EPSILON):
        return LimitZone.ABOVE_HARD
    if value < limits.hard_min * (1 - _EPSILON):
        return LimitZone.BELOW_HARD
    if limits.soft_max is not None and value > limits.soft_max * (1 + _EPSILON):
        return LimitZone.ABOVE_SOFT
    if limits.soft_min is not None and value < limits.soft_min * (1 - _EPSILON):
        return LimitZone.BELOW_SOFT
    return LimitZone.WITHIN


def _say_rate(rate_ml_h: float, unit: RateUnit, weight_kg: float | None) -> str:
    if unit is RateUnit.ML_PER_H:
        return f"{say_number(rate_ml_h)} mL/h"
    per_kg = from_ml_per_h(rate_ml_h, unit, weight_kg)
    return f"{say_number(rate_ml_h)} mL/h ({say_number(per_kg, 3)} mL/kg/min for {weight_kg:g} kg)"


def _limit_value(limits: RateLimits, zone: LimitZone) -> float:
    return {
        LimitZone.ABOVE_HARD: limits.hard_max,
        LimitZone.BELOW_HARD: limits.hard_min,
        LimitZone.ABOVE_SOFT: limits.soft_max,
        LimitZone.BELOW_SOFT: limits.soft_min,
    }[zone] or 0.0


def check_rate(
    drug: Drug, rate_ml_h: float, weight_kg: float | None, override_reason: str = ""
) -> Result[SoftLimitOverride | None]:
    """Check a rate (new program or a change): hard limits refuse, soft need a reason."""
    limits = drug.limits
    if limits.unit.needs_weight and (weight_kg is None or weight_kg <= 0):
        return decide(None, [Refusal(ProgrammingRefusal.WEIGHT_REQUIRED,
                                     f"{drug.name} is dosed per kg: enter the patient's weight.")])
    zone = limit_zone(limits, rate_ml_h, weight_kg)
    if zone is LimitZone.WITHIN:
        return decide(None, [])
    limit = f"{say_number(_limit_value(limits, zone), 3)} {limits.unit.value}"
    said = _say_rate(rate_ml_h, limits.unit, weight_kg)
    if zone in (LimitZone.ABOVE_HARD, LimitZone.BELOW_HARD):
        code = (ProgrammingRefusal.ABOVE_HARD_LIMIT if zone is LimitZone.ABOVE_HARD
                else ProgrammingRefusal.BELOW_HARD_LIMIT)
        return decide(None, [Refusal(code, f"{said} is {zone.value} of {limit} for "
                                           f"{drug.name}. A hard limit cannot be overridden.")])
    if not override_reason.strip():
        return decide(None, [Refusal(
            ProgrammingRefusal.SOFT_LIMIT_NEEDS_REASON,
            f"{said} is {zone.value} of {limit} for {drug.name}: record a reason to override.",
        )])
    return decide(SoftLimitOverride(zone, limit, override_reason.strip()), [])


def _order_refusals(order: InfusionOrder, drug: Drug, pump_id: str) -> list[Refusal]:
    refusals = []
    if not pump_id.strip():
        refusals.append(Refusal(ProgrammingRefusal.NO_PUMP,
                                "No pump is associated with this chair; scan or pick the pump."))
    if order.drug_id != drug.id:
        refusals.append(Refusal(ProgrammingRefusal.WRONG_DRUG,
                                f"The order is for {order.drug_id}, not {drug.id}."))
    if math.isnan(order.volume_ml) or not 0 < order.volume_ml <= MAX_VTBI_ML:
        refusals.append(Refusal(ProgrammingRefusal.VOLUME_INVALID,
                                f"A volume of {say_number(order.volume_ml)} mL cannot be "
                                f"programmed: it must be more than 0 and at most "
                                f"{say_number(MAX_VTBI_ML)} mL."))
    return refusals


def _start_rate(order: InfusionOrder, drug: Drug) -> tuple[float | None, list[Refusal]]:
    rate = order.rate
    if rate is None and drug.titration is not None:
        rate = drug.titration.steps[0].rate
    if rate is None:
        return None, [Refusal(ProgrammingRefusal.NO_RATE,
                              f"The order gives no rate and {drug.name} has no titration "
                              "protocol to start from.")]
    needs_weight = rate.unit.needs_weight or drug.rate_unit.needs_weight
    weight = order.patient_weight_kg
    if needs_weight and (weight is None or weight <= 0):
        return None, [Refusal(ProgrammingRefusal.WEIGHT_REQUIRED,
                              f"{drug.name} is dosed per kg: enter the patient's weight.")]
    return to_ml_per_h(rate, weight), []


def program_pump(
    order: InfusionOrder,
    drug: Drug,
    *,
    pump_id: str,
    library_version: str,
    filter_fitted: bool = False,
    override_reason: str = "",
) -> Result[PumpProgram]:
    """Rate and volume for the pump from the order, or every reason it cannot be sent."""
    refusals = _order_refusals(order, drug, pump_id)
    if drug.filter_required and not filter_fitted:
        refusals.append(Refusal(ProgrammingRefusal.FILTER_NOT_CONFIRMED,
                                f"{drug.name} needs a filter ({drug.filter}): confirm it is "
                                "fitted."))
    rate_ml_h, rate_refusals = _start_rate(order, drug)
    refusals += rate_refusals
    override = None
    if rate_ml_h is not None:
        checked = check_rate(drug, rate_ml_h, order.patient_weight_kg, override_reason)
        if isinstance(checked, Refused):
            refusals += checked.refusals
        else:
            override = checked.value
    program = PumpProgram(pump_id, drug.id, rate_ml_h or 0.0, order.volume_ml,
                          library_version, override)
    return decide(program, refusals)
