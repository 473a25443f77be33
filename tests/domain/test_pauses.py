"""Pauses: reason, who and when, the timer and its thresholds, help to walk, resuming."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from station.domain.drug_library_loader import load_drug_library
from station.domain.pauses import (
    Pause,
    PauseAlarmLevel,
    PauseReason,
    PauseRefusal,
    ResumeRate,
    pause_status,
    resume,
    say_resume,
    start_pause,
    walking_help,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

LIB = load_drug_library()
PR = PauseRefusal


@dataclass(frozen=True)
class StartCase:
    name: str
    reason: PauseReason
    by: str = "rn1"
    note: str = ""
    at_minutes: float = 0
    codes: tuple[str, ...] = ()


STARTS = [
    StartCase("bathroom", PauseReason.BATHROOM_BREAK),
    StartCase("reaction", PauseReason.REACTION),
    StartCase("line problem", PauseReason.LINE_PROBLEM),
    StartCase("patient request", PauseReason.PATIENT_REQUEST),
    StartCase("other with note", PauseReason.OTHER, note="phone call from family"),
    StartCase("other without note", PauseReason.OTHER, codes=(PR.OTHER_NEEDS_NOTE,)),
    StartCase("nobody", PauseReason.BATHROOM_BREAK, by=" ", codes=(PR.WHO_MISSING,)),
    StartCase("in the future", PauseReason.BATHROOM_BREAK, at_minutes=5, codes=(PR.IN_FUTURE,)),
    StartCase("a minute ahead is clock skew", PauseReason.BATHROOM_BREAK, at_minutes=1),
]


@pytest.mark.parametrize("case", STARTS, ids=lambda c: c.name)
def test_start_pause(case: StartCase) -> None:
    result = start_pause(case.reason, at=NOW + minutes(case.at_minutes), by=case.by,
                         rate_before_ml_h=60, now=NOW, note=case.note)
    if case.codes:
        assert refusal_codes(result) == case.codes
        return
    pause = accepted(result)
    assert (pause.reason, pause.paused_by, pause.rate_before_ml_h) == (case.reason, "rn1", 60)


PAUSE = Pause(PauseReason.BATHROOM_BREAK, NOW, "rn1", 60.0)


@pytest.mark.parametrize(
    ("elapsed", "level", "to_medium", "to_high"),
    [
        (0, PauseAlarmLevel.NONE, 10, 20),
        (7, PauseAlarmLevel.NONE, 3, 13),
        (10, PauseAlarmLevel.MEDIUM, 0, 10),
        (15, PauseAlarmLevel.MEDIUM, -5, 5),
        (20, PauseAlarmLevel.HIGH, -10, 0),
        (45, PauseAlarmLevel.HIGH, -35, -25),
    ],
)
def test_pause_timer_against_library_thresholds(
    elapsed: int, level: PauseAlarmLevel, to_medium: int, to_high: int
) -> None:
    status = pause_status(PAUSE, LIB.monitoring("infliximab", "infusion-centre"),
                          NOW + minutes(elapsed))
    assert status.elapsed == minutes(elapsed)
    assert status.level is level
    assert status.until_medium.remaining == minutes(to_medium)
    assert status.until_high.remaining == minutes(to_high)


@dataclass(frozen=True)
class ResumeCase:
    name: str
    mode: ResumeRate
    at_minutes: float
    allowed: frozenset[ResumeRate] = frozenset(ResumeRate)
    rate: float = 0
    codes: tuple[str, ...] = ()
    says: str = ""


RESUMES = [
    ResumeCase("same rate", ResumeRate.SAME, 8, rate=60),
    ResumeCase("half rate", ResumeRate.HALF, 8, rate=30),
    ResumeCase("before the pause", ResumeRate.SAME, -1, codes=(PR.RESUME_BEFORE_PAUSE,)),
    ResumeCase("same rate not allowed after reaction", ResumeRate.SAME, 8,
               allowed=frozenset({ResumeRate.HALF}), codes=(PR.RESUME_RATE_NOT_ALLOWED,),
               says="only at half rate"),
    ResumeCase("nothing allowed", ResumeRate.HALF, 8, allowed=frozenset(),
               codes=(PR.RESUME_RATE_NOT_ALLOWED,), says="no rate"),
]


@pytest.mark.parametrize("case", RESUMES, ids=lambda c: c.name)
def test_resume(case: ResumeCase) -> None:
    result = resume(PAUSE, mode=case.mode, at=NOW + minutes(case.at_minutes), by="rn2",
                    now=NOW + minutes(10), allowed=case.allowed)
    if case.codes:
        assert refusal_codes(result) == case.codes
        assert case.says in reasons(result)
        return
    done = accepted(result)
    assert done.rate_ml_h == case.rate
    assert done.duration == minutes(case.at_minutes)
    assert done.resumed_by == "rn2"
    assert say_resume(done).startswith(f"Resumed at {case.mode.value}")


@pytest.mark.parametrize(
    ("given", "dizzy", "needed", "count"),
    [
        ((), False, False, 0),
        (("acetaminophen",), False, False, 0),
        (("Diphenhydramine 50 mg IV",), False, True, 1),
        (("methylprednisolone", "diphenhydramine"), True, True, 2),
        ((), True, True, 1),
    ],
)
def test_walking_help(given: tuple[str, ...], dizzy: bool, needed: bool, count: int) -> None:
    help_ = walking_help(given, LIB.sedating_medications, dizziness_recorded=dizzy)
    assert help_.needed is needed
    assert len(help_.reasons) == count
