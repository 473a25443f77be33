"""Titration schedules: a drug's protocol turned into timed steps, and the pump-rate check.

The live progress of an infusion through its steps (nurse confirmations, pauses, rate
halving after a reaction) is in :mod:`titration_state`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from station.domain.drug_library import TitrationProtocol
from station.domain.refusals import require_aware, say_number
from station.domain.units import time_for_volume, to_ml_per_h, volume_ml

# Pumps deliver within 5 % (GIP SR 1.2.1); below 0.1 mL/h the display rounds anyway.
RATE_TOLERANCE = 0.05
RATE_TOLERANCE_FLOOR_ML_H = 0.1


@dataclass(frozen=True)
class TitrationStep:
    """A protocol step in pump units for this patient; ``duration`` None = until the end."""

    index: int
    rate_ml_h: float
    duration: timedelta | None

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class PlannedStep:
    """A step placed in time, with the volume it delivers."""

    index: int
    rate_ml_h: float
    starts_at: datetime
    ends_at: datetime
    volume_ml: float


@dataclass(frozen=True)
class TitrationPlan:
    """The whole schedule from the start, assuming every step is confirmed when due."""

    started_at: datetime
    steps: tuple[PlannedStep, ...]
    expected_end: datetime
    minimum_duration: timedelta | None

    @property
    def duration(self) -> timedelta:
        return self.expected_end - self.started_at

    @property
    def meets_minimum_duration(self) -> bool:
        """False when the volume would be in sooner than the label's minimum time."""
        return self.minimum_duration is None or self.duration >= self.minimum_duration


def resolve_steps(
    protocol: TitrationProtocol, weight_kg: float | None
) -> tuple[TitrationStep, ...]:
    """Protocol steps in mL/h for this patient (weight needed for per-kg protocols)."""
    return tuple(
        TitrationStep(i, to_ml_per_h(spec.rate, weight_kg), spec.duration)
        for i, spec in enumerate(protocol.steps)
    )


Segment = tuple[int, float, timedelta | None]  # (step index, mL/h, duration or None)


def run_segments(
    segments: Sequence[Segment], start: datetime, volume: float
) -> tuple[tuple[PlannedStep, ...], datetime]:
    """Lay segments end to end until ``volume`` mL is in; returns the steps and the end."""
    planned: list[PlannedStep] = []
    at, left = start, volume
    for index, rate, duration in segments:
        if left <= 0:
            break
        if duration is not None and volume_ml(rate, duration) < left:
            given, span = volume_ml(rate, duration), duration
        else:
            given, span = left, time_for_volume(left, rate)
        if span > timedelta(0):
            planned.append(PlannedStep(index, rate, at, at + span, given))
        at, left = at + span, left - given
    return tuple(planned), at


def plan_titration(
    protocol: TitrationProtocol, *, start: datetime, volume_ml: float, weight_kg: float | None
) -> TitrationPlan:
    """Schedule of steps with due times and the expected end for ``volume_ml``."""
    require_aware(start, "start")
    if volume_ml <= 0:
        raise ValueError("the volume to infuse must be positive")
    steps = resolve_steps(protocol, weight_kg)
    planned, end = run_segments([(s.index, s.rate_ml_h, s.duration) for s in steps],
                                start, volume_ml)
    return TitrationPlan(start, planned, end, protocol.minimum_duration)


class RateMatch(StrEnum):
    MATCHES = "matches"
    TOO_HIGH = "too high"
    TOO_LOW = "too low"
    STOPPED = "stopped"


@dataclass(frozen=True)
class RateCheck:
    """The pump's actual rate against the rate the current step expects."""

    match: RateMatch
    expected_ml_h: float
    actual_ml_h: float
    message: str

    @property
    def ok(self) -> bool:
        return self.match is RateMatch.MATCHES


def check_pump_rate(
    expected_ml_h: float, actual_ml_h: float, tolerance: float = RATE_TOLERANCE
) -> RateCheck:
    """Compare the pump's rate with the expected one, within ``tolerance`` (fraction)."""
    allowed = max(expected_ml_h * tolerance, RATE_TOLERANCE_FLOOR_ML_H)
    expected, actual = say_number(expected_ml_h), say_number(actual_ml_h)
    if actual_ml_h <= 0 < expected_ml_h:
        return RateCheck(RateMatch.STOPPED, expected_ml_h, actual_ml_h,
                         f"The pump is not running; the current step expects {expected} mL/h.")
    if abs(actual_ml_h - expected_ml_h) <= allowed:
        return RateCheck(RateMatch.MATCHES, expected_ml_h, actual_ml_h,
                         f"The pump runs at {actual} mL/h as expected.")
    match = RateMatch.TOO_HIGH if actual_ml_h > expected_ml_h else RateMatch.TOO_LOW
    return RateCheck(match, expected_ml_h, actual_ml_h,
                     f"The pump runs at {actual} mL/h, {match.value}: the current step "
                     f"expects {expected} mL/h.")
