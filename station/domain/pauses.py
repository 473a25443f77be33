"""Pauses (bathroom break, reaction, line problem...), their timer, and resuming.

No guideline sets a maximum pause (research 6, gap); the reminder thresholds come from
the drug library (default medium at 10 min, high at 20 min). Help to walk after a
sedating pre-medication or recorded dizziness is an inference (research 6) [guess].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from station.domain.drug_library import MonitoringIntervals
from station.domain.refusals import Refusal, Result, decide, require_aware, say_number
from station.domain.timers import Countdown, countdown, in_future


class PauseReason(StrEnum):
    BATHROOM_BREAK = "bathroom break"
    REACTION = "reaction"
    LINE_PROBLEM = "line problem"
    PATIENT_REQUEST = "patient request"
    OTHER = "other"


class ResumeRate(StrEnum):
    SAME = "same rate"
    HALF = "half rate"


class PauseAlarmLevel(IntEnum):
    NONE = 0
    MEDIUM = 2
    HIGH = 3


class PauseRefusal(StrEnum):
    OTHER_NEEDS_NOTE = "pause.other_needs_note"
    WHO_MISSING = "pause.who_missing"
    IN_FUTURE = "pause.in_future"
    RESUME_BEFORE_PAUSE = "pause.resume_before_pause"
    RESUME_RATE_NOT_ALLOWED = "pause.resume_rate_not_allowed"


@dataclass(frozen=True)
class Pause:
    """An interruption of delivery: why, who, when, and the rate it stopped at."""

    reason: PauseReason
    paused_at: datetime
    paused_by: str
    rate_before_ml_h: float
    note: str = ""


@dataclass(frozen=True)
class Resumption:
    """The end of a pause and the rate delivery restarts at."""

    pause: Pause
    resumed_at: datetime
    resumed_by: str
    mode: ResumeRate
    rate_ml_h: float

    @property
    def duration(self) -> timedelta:
        return self.resumed_at - self.pause.paused_at


@dataclass(frozen=True)
class PauseStatus:
    """The pause timer: elapsed time, reminder level and the countdown to each level."""

    elapsed: timedelta
    level: PauseAlarmLevel
    until_medium: Countdown
    until_high: Countdown


@dataclass(frozen=True)
class WalkingHelp:
    """Whether the patient needs help to walk, and why (read aloud)."""

    needed: bool
    reasons: tuple[str, ...]


def _who_and_when(by: str, at: datetime, now: datetime) -> list[Refusal]:
    require_aware(at, "time")
    require_aware(now, "now")
    refusals = []
    if not by.strip():
        refusals.append(Refusal(PauseRefusal.WHO_MISSING, "Record who did it."))
    if in_future(at, now):
        refusals.append(Refusal(PauseRefusal.IN_FUTURE,
                                "The time entered is in the future; check it."))
    return refusals


def start_pause(
    reason: PauseReason,
    *,
    at: datetime,
    by: str,
    rate_before_ml_h: float,
    now: datetime,
    note: str = "",
) -> Result[Pause]:
    """Record a pause; "other" needs a note saying what happened."""
    refusals = _who_and_when(by, at, now)
    if reason is PauseReason.OTHER and not note.strip():
        refusals.insert(0, Refusal(PauseRefusal.OTHER_NEEDS_NOTE,
                                   "Say why the infusion is paused."))
    return decide(Pause(reason, at, by, rate_before_ml_h, note.strip()), refusals)


def pause_status(pause: Pause, thresholds: MonitoringIntervals, now: datetime) -> PauseStatus:
    """Elapsed time and reminder level; countdowns let the screen warn before the alarm."""
    elapsed = now - pause.paused_at
    medium = countdown(pause.paused_at + thresholds.pause_alarm_medium, now)
    high = countdown(pause.paused_at + thresholds.pause_alarm_high, now)
    level = (PauseAlarmLevel.HIGH if high.due
             else PauseAlarmLevel.MEDIUM if medium.due else PauseAlarmLevel.NONE)
    return PauseStatus(elapsed, level, medium, high)


def resume(
    pause: Pause,
    *,
    mode: ResumeRate,
    at: datetime,
    by: str,
    now: datetime,
    allowed: frozenset[ResumeRate] = frozenset(ResumeRate),
) -> Result[Resumption]:
    """End a pause at the same or half rate; ``allowed`` comes from the reaction rules."""
    refusals = _who_and_when(by, at, now)
    if at < pause.paused_at:
        refusals.append(Refusal(PauseRefusal.RESUME_BEFORE_PAUSE,
                                "The resume time is before the pause started; check it."))
    if mode not in allowed:
        only = " or ".join(sorted(m.value for m in allowed)) or "no rate"
        refusals.append(Refusal(PauseRefusal.RESUME_RATE_NOT_ALLOWED,
                                f"After this reaction the infusion may resume only at {only}."))
    factor = 0.5 if mode is ResumeRate.HALF else 1.0
    rate = pause.rate_before_ml_h * factor
    return decide(Resumption(pause, at, by, mode, rate), refusals)


def walking_help(
    premedications_given: Iterable[str],
    sedating_medications: Iterable[str],
    *,
    dizziness_recorded: bool,
) -> WalkingHelp:
    """Help to walk after a sedating pre-medication (e.g. diphenhydramine) or dizziness."""
    sedating = [s.lower() for s in sedating_medications]
    reasons = [
        f"{name} was given and can cause drowsiness"
        for name in premedications_given
        if any(s in name.lower() for s in sedating)
    ]
    if dizziness_recorded:
        reasons.append("dizziness was recorded during this visit")
    return WalkingHelp(bool(reasons), tuple(reasons))


def say_resume(resumption: Resumption) -> str:
    """A sentence for the record: "Resumed at half rate (30 mL/h) after 12 min"."""
    minutes = int(resumption.duration.total_seconds() // 60)
    return (f"Resumed at {resumption.mode.value} ({say_number(resumption.rate_ml_h)} mL/h) "
            f"after {minutes} min")
