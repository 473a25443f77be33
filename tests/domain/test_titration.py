"""Titration: schedules from the library protocols, expected end, pump-rate check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from station.domain.drug_library_loader import load_drug_library
from station.domain.titration import RateMatch, check_pump_rate, plan_titration
from tests.domain.helpers import NOW, minutes

LIB = load_drug_library()


@dataclass(frozen=True)
class PlanCase:
    drug_id: str
    volume_ml: float
    weight_kg: float | None
    duration: timedelta
    step_rates: tuple[float, ...]
    meets_minimum: bool


PLANS = [
    # 15+30+45+60+75 = 225 mL in 2.5 h, then 25 mL at 180 mL/h = 8 min 20 s.
    PlanCase("ocrelizumab-first", 250, None, timedelta(hours=2.5, seconds=500),
             (30, 60, 90, 120, 150, 180), True),
    # 20+40+60+80 = 200 mL in 2 h, then 300 mL at 200 mL/h = 1.5 h: exactly the 3.5 h minimum.
    PlanCase("ocrelizumab-later", 500, None, timedelta(hours=3.5), (40, 80, 120, 160, 200), True),
    # 5+10+20+60 = 95 mL in 75 min, then 155 mL at 150 mL/h = 62 min.
    PlanCase("infliximab", 250, None, minutes(137), (20, 40, 80, 120, 150), True),
    # A small volume ends inside step 2 and is faster than the 2 h label minimum.
    PlanCase("infliximab", 10, None, minutes(22.5), (20, 40), False),
    # 70 kg: 42, 84, 168, 252 mL/h for 30 min = 273 mL, then 77 mL at 336 mL/h.
    PlanCase("ivig-octagam-10", 350, 70, minutes(120 + 13.75), (42, 84, 168, 252, 336), True),
    PlanCase("vedolizumab-induction", 255, None, minutes(30), (510,), True),
]


@pytest.mark.parametrize("case", PLANS, ids=lambda c: f"{c.drug_id}-{c.volume_ml}")
def test_plan_titration(case: PlanCase) -> None:
    protocol = LIB.drug(case.drug_id).titration
    assert protocol is not None
    plan = plan_titration(protocol, start=NOW, volume_ml=case.volume_ml, weight_kg=case.weight_kg)
    assert plan.expected_end == NOW + case.duration
    assert tuple(s.rate_ml_h for s in plan.steps) == pytest.approx(case.step_rates)
    assert sum(s.volume_ml for s in plan.steps) == pytest.approx(case.volume_ml)
    assert plan.meets_minimum_duration is case.meets_minimum
    # Steps follow each other without gaps; each due time is the previous end.
    for before, after in zip(plan.steps, plan.steps[1:], strict=False):
        assert after.starts_at == before.ends_at


def test_plan_refuses_nonsense_volume() -> None:
    protocol = LIB.drug("infliximab").titration
    assert protocol is not None
    with pytest.raises(ValueError, match="positive"):
        plan_titration(protocol, start=NOW, volume_ml=0, weight_kg=None)


@pytest.mark.parametrize(
    ("expected", "actual", "match"),
    [
        (60, 60, RateMatch.MATCHES),
        (60, 62.9, RateMatch.MATCHES),   # within 5 %
        (60, 63.1, RateMatch.TOO_HIGH),
        (60, 56.9, RateMatch.TOO_LOW),
        (60, 0, RateMatch.STOPPED),
        (1, 1.09, RateMatch.MATCHES),    # 0.1 mL/h floor at low rates
        (1, 1.2, RateMatch.TOO_HIGH),
    ],
)
def test_check_pump_rate(expected: float, actual: float, match: RateMatch) -> None:
    check = check_pump_rate(expected, actual)
    assert check.match is match
    assert check.ok is (match is RateMatch.MATCHES)
    if match is RateMatch.TOO_HIGH:
        assert f"expects {expected:g} mL/h" in check.message
