"""Completion: segment and total volumes, early ends, observation and discharge."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from station.domain.completion import (
    Completion,
    CompletionRefusal,
    DeliverySegment,
    DischargeRefusal,
    SegmentEnd,
    complete_infusion,
    discharge,
    observation_countdown,
    volume_summary,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

CR, DR = CompletionRefusal, DischargeRefusal
STOP, DONE = SegmentEnd.STOPPED, SegmentEnd.COMPLETED

# 60 mL/h for 60 min, bathroom break 10 min, then 120 mL/h for 95 min = 60 + 190 = 250 mL.
BATHROOM_BREAK = (
    DeliverySegment(NOW, 60, NOW + minutes(60), STOP),
    DeliverySegment(NOW + minutes(70), 120, NOW + minutes(165), DONE),
)
END = NOW + minutes(165)


def test_volume_per_segment_and_total() -> None:
    summary = volume_summary(BATHROOM_BREAK, 250, END)
    assert summary.per_segment == pytest.approx((60, 190))
    assert summary.total_ml == pytest.approx(250)
    assert summary.remaining_ml == pytest.approx(0)


def test_running_segment_counts_up_to_now_and_pump_volume_wins() -> None:
    running = (DeliverySegment(NOW, 60), DeliverySegment(NOW, 60, NOW + minutes(30), STOP, 29.5))
    summary = volume_summary(running, 250, NOW + minutes(30))
    assert summary.per_segment == pytest.approx((30, 29.5))
    assert summary.remaining_ml == pytest.approx(190.5)


@dataclass(frozen=True)
class Case:
    name: str
    segments: tuple[DeliverySegment, ...]
    codes: tuple[str, ...] = ()
    shortfall_reason: str = ""
    completed_late_min: int = 0
    says: str = ""


CASES = [
    Case("complete with a break", BATHROOM_BREAK),
    Case("within pump accuracy", (DeliverySegment(NOW, 60, NOW + minutes(240), DONE, 240),)),
    Case("nothing delivered", (), (CR.NO_SEGMENTS,)),
    Case("still running", (DeliverySegment(NOW, 150),), (CR.SEGMENT_OPEN,)),
    Case("ends early without reason", (DeliverySegment(NOW, 60, NOW + minutes(120), STOP),),
         (CR.SHORTFALL_NEEDS_REASON,), says="Only 120 of 250 mL were given"),
    Case("ends early with reason", (DeliverySegment(NOW, 60, NOW + minutes(120), STOP),),
         shortfall_reason="grade 4 reaction: discontinued"),
    Case("segment ends before it starts",
         (DeliverySegment(NOW, 60, NOW - minutes(1), DONE, 250),), (CR.SEGMENT_TIMES,)),
    Case("completion in the future", BATHROOM_BREAK, (CR.IN_FUTURE,),
         completed_late_min=30),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_complete_infusion(case: Case) -> None:
    completed_at = END + minutes(case.completed_late_min)
    result = complete_infusion(case.segments, ordered_ml=250, observation=minutes(60),
                               completed_at=completed_at, completed_by="rn1", now=END,
                               shortfall_reason=case.shortfall_reason)
    if case.codes:
        assert refusal_codes(result) == case.codes
        assert case.says in reasons(result)
        return
    completion = accepted(result)
    assert completion.observation_ends_at == END + minutes(60)


def _completed(observation_min: int = 60) -> Completion:
    return accepted(complete_infusion(BATHROOM_BREAK, ordered_ml=250,
                                      observation=minutes(observation_min),
                                      completed_at=END, completed_by="rn1", now=END))


def test_observation_countdown() -> None:
    left = observation_countdown(_completed(), END + minutes(48))
    assert left.remaining == minutes(12)
    assert not left.due


@dataclass(frozen=True)
class DischargeCase:
    name: str
    after_min: int
    vitals_after_end_min: int | None
    codes: tuple[str, ...] = ()
    unresolved: bool = False
    by: str = "rn1"
    observation_min: int = 60
    says: str = ""


DISCHARGES = [
    DischargeCase("after observation with vitals", 60, 55),
    DischargeCase("observation running", 48, 40, (DR.OBSERVATION_RUNNING,), says="ends in 12 min"),
    DischargeCase("no post vitals", 60, None, (DR.POST_VITALS_MISSING,)),
    DischargeCase("vitals only before the end", 60, -5, (DR.POST_VITALS_MISSING,)),
    DischargeCase("reaction unresolved", 70, 65, (DR.REACTION_UNRESOLVED,), unresolved=True),
    DischargeCase("nobody", 60, 55, (DR.WHO_MISSING,), by=""),
    DischargeCase("saline: no observation, no vitals needed", 0, None, observation_min=0),
]


@pytest.mark.parametrize("case", DISCHARGES, ids=lambda c: c.name)
def test_discharge(case: DischargeCase) -> None:
    vitals = None if case.vitals_after_end_min is None else END + minutes(
        case.vitals_after_end_min)
    result = discharge(_completed(case.observation_min), now=END + minutes(case.after_min),
                       by=case.by, last_vitals_at=vitals, reaction_unresolved=case.unresolved)
    if case.codes:
        assert refusal_codes(result) == case.codes
        assert case.says in reasons(result)
        return
    assert accepted(result).discharged_at == END + minutes(case.after_min)
