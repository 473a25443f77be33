"""Rate conversions, including weight-based IVIG rates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.domain.units import (
    Rate,
    RateUnit,
    WeightRequiredError,
    from_ml_per_h,
    time_for_volume,
    to_ml_per_h,
    volume_ml,
)


@pytest.mark.parametrize(
    ("rate", "weight", "expected"),
    [
        (Rate(30), None, 30.0),
        (Rate(150, RateUnit.ML_PER_H), 70.0, 150.0),
        # NL-IVIG002: mL/kg/min x kg x 60
        (Rate(0.01, RateUnit.ML_PER_KG_PER_MIN), 70.0, 42.0),
        (Rate(0.08, RateUnit.ML_PER_KG_PER_MIN), 50.0, 240.0),
    ],
)
def test_to_ml_per_h(rate: Rate, weight: float | None, expected: float) -> None:
    assert to_ml_per_h(rate, weight) == pytest.approx(expected)


@pytest.mark.parametrize("weight", [None, 0.0, -3.0])
def test_weight_based_rate_needs_a_weight(weight: float | None) -> None:
    with pytest.raises(WeightRequiredError, match="weight"):
        to_ml_per_h(Rate(0.01, RateUnit.ML_PER_KG_PER_MIN), weight)
    with pytest.raises(WeightRequiredError):
        from_ml_per_h(42.0, RateUnit.ML_PER_KG_PER_MIN, weight)


def test_from_ml_per_h_inverts_to_ml_per_h() -> None:
    assert from_ml_per_h(42.0, RateUnit.ML_PER_KG_PER_MIN, 70.0) == pytest.approx(0.01)
    assert from_ml_per_h(42.0, RateUnit.ML_PER_H) == 42.0


@pytest.mark.parametrize(
    ("rate", "span", "volume"),
    [
        (60.0, timedelta(minutes=30), 30.0),
        (150.0, timedelta(hours=2), 300.0),
        (0.0, timedelta(1), 0),
    ],
)
def test_volume_and_time(rate: float, span: timedelta, volume: float) -> None:
    assert volume_ml(rate, span) == pytest.approx(volume)
    if rate:
        assert time_for_volume(volume, rate) == span


def test_time_for_volume_refuses_zero_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        time_for_volume(10, 0)
