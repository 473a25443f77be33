"""Vital-sign plausibility: refuse the impossible with its range, confirm the unusual."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest

from station.domain.vital_signs import (
    VITAL_SPECS,
    VitalSign,
    VitalsRefusal,
    record_vital_signs,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

S, D, HR, T, O2, RR = (
    VitalSign.SYSTOLIC_BP,
    VitalSign.DIASTOLIC_BP,
    VitalSign.HEART_RATE,
    VitalSign.TEMPERATURE,
    VitalSign.SPO2,
    VitalSign.RESPIRATORY_RATE,
)
NORMAL = {S: 120.0, D: 80.0, HR: 72.0, T: 36.8, O2: 98.0, RR: 14.0}


@dataclass(frozen=True)
class Case:
    name: str
    values: dict[VitalSign, float]
    codes: tuple[str, ...]
    says: str = ""
    confirmed: frozenset[VitalSign] = field(default_factory=frozenset)


CASES = [
    Case("normal set", NORMAL, ()),
    Case("bp 400/10 refused with both ranges", {**NORMAL, S: 400, D: 10},
         (VitalsRefusal.IMPLAUSIBLE, VitalsRefusal.IMPLAUSIBLE),
         "systolic blood pressure of 400 mmHg cannot be right: "
         "the plausible range is 40 to 300 mmHg"),
    Case("systolic not above diastolic", {**NORMAL, S: 80, D: 120}, (VitalsRefusal.BP_ORDER,),
         "Systolic 80 mmHg must be higher than diastolic 120 mmHg"),
    Case("systolic equal diastolic", {**NORMAL, S: 90, D: 90}, (VitalsRefusal.BP_ORDER,)),
    Case("systolic alone", {S: 120}, (VitalsRefusal.BP_INCOMPLETE,)),
    Case("heart rate 300", {**NORMAL, HR: 300}, (VitalsRefusal.IMPLAUSIBLE,), "20 to 250"),
    Case("temperature 45", {**NORMAL, T: 45}, (VitalsRefusal.IMPLAUSIBLE,), "30 to 43 °C"),
    Case("spo2 101", {**NORMAL, O2: 101}, (VitalsRefusal.IMPLAUSIBLE,), "50 to 100 %"),
    Case("respiratory rate 2", {**NORMAL, RR: 2}, (VitalsRefusal.IMPLAUSIBLE,)),
    Case("not a number", {HR: math.nan}, (VitalsRefusal.IMPLAUSIBLE,), "not a number"),
    Case("nothing entered", {}, (VitalsRefusal.EMPTY,)),
    Case("tachycardia needs confirmation", {**NORMAL, HR: 130},
         (VitalsRefusal.CONFIRM_UNUSUAL,), "heart rate of 130 beats/min is outside the usual"),
    Case("fever needs confirmation", {**NORMAL, T: 38.6}, (VitalsRefusal.CONFIRM_UNUSUAL,)),
    Case("low spo2 needs confirmation", {**NORMAL, O2: 88}, (VitalsRefusal.CONFIRM_UNUSUAL,)),
    Case("confirmed tachycardia is recorded", {**NORMAL, HR: 130}, (),
         confirmed=frozenset({HR})),
    Case("confirming one does not confirm another", {**NORMAL, HR: 130, RR: 30},
         (VitalsRefusal.CONFIRM_UNUSUAL,), "respiratory rate", frozenset({HR})),
    Case("usual range bounds are inclusive", {**NORMAL, S: 160, D: 100, O2: 92}, ()),
    Case("plausible bounds are inclusive but unusual", {S: 300, D: 200},
         (VitalsRefusal.CONFIRM_UNUSUAL, VitalsRefusal.CONFIRM_UNUSUAL)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_record_vital_signs(case: Case) -> None:
    result = record_vital_signs(
        case.values, taken_at=NOW, taken_by="rn1", now=NOW, confirmed_unusual=case.confirmed
    )
    if not case.codes:
        record = accepted(result)
        assert set(record.values) == set(case.values)
        return
    assert refusal_codes(result) == case.codes
    assert case.says in reasons(result)


def test_values_are_rounded_to_declared_decimals() -> None:
    record = accepted(record_vital_signs(
        {T: 36.84, HR: 72.4}, taken_at=NOW, taken_by="rn1", now=NOW))
    assert record.values == {T: 36.8, HR: 72.0}


def test_reading_in_the_future_is_refused_beyond_clock_skew() -> None:
    ok = record_vital_signs(NORMAL, taken_at=NOW + minutes(1), taken_by="rn1", now=NOW)
    accepted(ok)
    late = record_vital_signs(NORMAL, taken_at=NOW + minutes(5), taken_by="rn1", now=NOW)
    assert refusal_codes(late) == (VitalsRefusal.IN_FUTURE,)


def test_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        record_vital_signs(NORMAL, taken_at=NOW.replace(tzinfo=None), taken_by="rn1", now=NOW)


def test_every_sign_is_declared_once_with_consistent_ranges() -> None:
    assert set(VITAL_SPECS) == set(VitalSign)
    for spec in VITAL_SPECS.values():
        low, high = spec.plausible
        assert low <= spec.usual[0] < spec.usual[1] <= high
