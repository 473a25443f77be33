"""Vital signs: each value declared once with unit, plausible and usual range, decimals.

A value outside its plausible range is a measurement or typing error and is refused with
the range. A value outside the usual range is possible but needs the nurse to confirm
it. The ranges are adult defaults [guess, no single source]; clinics may tune them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from station.domain.refusals import Refusal, Result, decide, require_aware, say_number
from station.domain.timers import Countdown, in_future, interval_countdown


class VitalSign(StrEnum):
    SYSTOLIC_BP = "systolic_bp"
    DIASTOLIC_BP = "diastolic_bp"
    HEART_RATE = "heart_rate"
    TEMPERATURE = "temperature"
    SPO2 = "spo2"
    RESPIRATORY_RATE = "respiratory_rate"


@dataclass(frozen=True)
class VitalSpec:
    """How one vital sign is measured and which values make sense."""

    label: str
    unit: str
    plausible: tuple[float, float]
    usual: tuple[float, float]
    decimals: int

    def show(self, value: float) -> str:
        return f"{say_number(value, self.decimals)} {self.unit}"

    def span(self, bounds: tuple[float, float]) -> str:
        low, high = (say_number(b, self.decimals) for b in bounds)
        return f"{low} to {high} {self.unit}"


VITAL_SPECS: Mapping[VitalSign, VitalSpec] = {
    VitalSign.SYSTOLIC_BP: VitalSpec("systolic blood pressure", "mmHg", (40, 300), (90, 160), 0),
    VitalSign.DIASTOLIC_BP: VitalSpec("diastolic blood pressure", "mmHg", (20, 200), (50, 100), 0),
    VitalSign.HEART_RATE: VitalSpec("heart rate", "beats/min", (20, 250), (50, 110), 0),
    VitalSign.TEMPERATURE: VitalSpec("temperature", "°C", (30.0, 43.0), (35.5, 38.0), 1),
    VitalSign.SPO2: VitalSpec("oxygen saturation", "%", (50, 100), (92, 100), 0),
    VitalSign.RESPIRATORY_RATE: VitalSpec("respiratory rate", "breaths/min", (4, 60), (10, 24), 0),
}


class VitalsRefusal(StrEnum):
    EMPTY = "vitals.empty"
    IMPLAUSIBLE = "vitals.implausible"
    BP_INCOMPLETE = "vitals.bp_incomplete"
    BP_ORDER = "vitals.bp_systolic_not_above_diastolic"
    IN_FUTURE = "vitals.in_future"
    CONFIRM_UNUSUAL = "vitals.confirm_unusual"


@dataclass(frozen=True)
class VitalSignsRecord:
    """An accepted set of vital signs, values rounded to their declared decimals."""

    taken_at: datetime
    taken_by: str
    values: Mapping[VitalSign, float]
    confirmed_unusual: frozenset[VitalSign] = frozenset()


def _in(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _value_refusals(values: Mapping[VitalSign, float]) -> list[Refusal]:
    refusals = []
    for sign, value in values.items():
        spec = VITAL_SPECS[sign]
        if math.isnan(value) or not _in(value, spec.plausible):
            shown = "not a number" if math.isnan(value) else spec.show(value)
            refusals.append(Refusal(
                VitalsRefusal.IMPLAUSIBLE,
                f"A {spec.label} of {shown} cannot be right: the plausible range is "
                f"{spec.span(spec.plausible)}. Please measure again.",
            ))
    return refusals


def _blood_pressure_refusals(values: Mapping[VitalSign, float]) -> list[Refusal]:
    systolic = values.get(VitalSign.SYSTOLIC_BP)
    diastolic = values.get(VitalSign.DIASTOLIC_BP)
    if (systolic is None) != (diastolic is None):
        return [Refusal(VitalsRefusal.BP_INCOMPLETE,
                        "Blood pressure needs both the systolic and the diastolic value.")]
    if systolic is not None and diastolic is not None and systolic <= diastolic:
        return [Refusal(
            VitalsRefusal.BP_ORDER,
            f"Systolic {say_number(systolic, 0)} mmHg must be higher than diastolic "
            f"{say_number(diastolic, 0)} mmHg. Were the two swapped?",
        )]
    return []


def _unusual(values: Mapping[VitalSign, float], confirmed: frozenset[VitalSign]) -> list[Refusal]:
    refusals = []
    for sign, value in values.items():
        spec = VITAL_SPECS[sign]
        if not _in(value, spec.usual) and sign not in confirmed:
            refusals.append(Refusal(
                VitalsRefusal.CONFIRM_UNUSUAL,
                f"A {spec.label} of {spec.show(value)} is outside the usual "
                f"{spec.span(spec.usual)}: confirm it to record it.",
            ))
    return refusals


def record_vital_signs(
    values: Mapping[VitalSign, float],
    *,
    taken_at: datetime,
    taken_by: str,
    now: datetime,
    confirmed_unusual: frozenset[VitalSign] = frozenset(),
) -> Result[VitalSignsRecord]:
    """Accept a set of readings, or say which are impossible or need confirming."""
    require_aware(taken_at, "taken_at")
    require_aware(now, "now")
    rounded = {s: round(v, VITAL_SPECS[s].decimals) if not math.isnan(v) else v
               for s, v in values.items()}
    refusals: list[Refusal] = []
    if not rounded:
        refusals.append(Refusal(VitalsRefusal.EMPTY, "No vital sign was entered."))
    if in_future(taken_at, now):
        refusals.append(Refusal(VitalsRefusal.IN_FUTURE,
                                "The reading is timed in the future; check the time entered."))
    implausible = _value_refusals(rounded)
    refusals += implausible
    if not implausible:
        refusals += _blood_pressure_refusals(rounded)
    if not refusals:
        refusals += _unusual(rounded, confirmed_unusual)
    record = VitalSignsRecord(taken_at, taken_by, rounded, confirmed_unusual & rounded.keys())
    return decide(record, refusals)


def next_vital_signs(last: VitalSignsRecord, interval: timedelta, now: datetime) -> Countdown:
    """When vital signs are next due (interval from the drug library)."""
    return interval_countdown(last.taken_at, interval, now)
