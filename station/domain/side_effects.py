"""Side effects and infusion reactions: CTCAE grade -> suggested action, and resume rules.

Grades and actions: CTCAE v5 "Infusion related reaction" with the ASCO management table
(research 5.1): 1 carry on; 2 interrupt or halve the rate; 3 stop, resume at half rate
only once back to grade 1; 4 stop for good.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from station.domain.pauses import ResumeRate
from station.domain.refusals import Refusal, Result, decide, require_aware
from station.domain.timers import in_future


class Symptom(StrEnum):
    DIZZINESS = "dizziness"
    NAUSEA = "nausea"
    MUSCLE_STIFFNESS = "muscle stiffness"
    INJECTION_SITE_ITCH = "itchiness at the injection site"
    HEADACHE = "headache"
    FLUSHING = "flushing"
    RASH = "rash"
    CHILLS = "chills"
    FEVER = "fever"
    CHEST_TIGHTNESS = "chest tightness"
    SHORTNESS_OF_BREATH = "shortness of breath"
    OTHER = "other"


class ReactionGrade(IntEnum):
    MILD = 1
    MODERATE = 2
    SEVERE = 3
    LIFE_THREATENING = 4


class SuggestedAction(StrEnum):
    CONTINUE = "continue and watch"
    HALVE_AND_HOLD = "halve the rate and keep it there before going up again"
    INTERRUPT_OR_HALVE = "interrupt the infusion or halve the rate, and treat"
    STOP_RESUME_HALF_AT_GRADE_1 = "stop; resume at half rate only once back to grade 1"
    STOP_FOR_GOOD = "stop the infusion for good and call for urgent help"


class ActionTaken(StrEnum):
    CONTINUED = "continued"
    RATE_HALVED = "rate halved"
    INTERRUPTED = "interrupted"
    STOPPED = "stopped"
    DISCONTINUED = "discontinued for good"


SUGGESTED = {
    ReactionGrade.MILD: SuggestedAction.CONTINUE,
    ReactionGrade.MODERATE: SuggestedAction.INTERRUPT_OR_HALVE,
    ReactionGrade.SEVERE: SuggestedAction.STOP_RESUME_HALF_AT_GRADE_1,
    ReactionGrade.LIFE_THREATENING: SuggestedAction.STOP_FOR_GOOD,
}
# Actions that follow the suggestion (or are stronger).
_FOLLOWS = {
    ReactionGrade.MILD: frozenset(ActionTaken),
    ReactionGrade.MODERATE: frozenset(ActionTaken) - {ActionTaken.CONTINUED},
    ReactionGrade.SEVERE: frozenset({ActionTaken.STOPPED, ActionTaken.DISCONTINUED}),
    ReactionGrade.LIFE_THREATENING: frozenset({ActionTaken.DISCONTINUED}),
}
# Grade 2 is a judgement call, so a weaker action may be recorded with a reason;
# grades 3 and 4 are protocol stops.
_DEVIATION_ALLOWED = {ReactionGrade.MILD, ReactionGrade.MODERATE}


def suggested_action(grade: ReactionGrade, *, label_halves_mild: bool = False) -> SuggestedAction:
    """The grade's action; Ocrevus-like labels halve the rate even for a mild reaction."""
    if grade is ReactionGrade.MILD and label_halves_mild:
        return SuggestedAction.HALVE_AND_HOLD
    return SUGGESTED[grade]


def _follows(grade: ReactionGrade, suggested: SuggestedAction) -> frozenset[ActionTaken]:
    if suggested is SuggestedAction.HALVE_AND_HOLD:
        return _FOLLOWS[ReactionGrade.MODERATE]
    return _FOLLOWS[grade]


class SideEffectRefusal(StrEnum):
    OTHER_NEEDS_TEXT = "side_effect.other_needs_text"
    IN_FUTURE = "side_effect.in_future"
    RATE_INVALID = "side_effect.rate_invalid"
    ACTION_TOO_WEAK = "side_effect.action_too_weak"
    DEVIATION_NEEDS_REASON = "side_effect.deviation_needs_reason"
    NOT_RESOLVED = "side_effect.not_back_to_grade_1"
    DISCONTINUED = "side_effect.discontinued"


@dataclass(frozen=True)
class SideEffect:
    """A recorded symptom with its grade, the rate at that moment and what was done."""

    symptom: Symptom
    grade: ReactionGrade
    observed_at: datetime
    recorded_by: str
    rate_ml_h: float
    suggested: SuggestedAction
    action_taken: ActionTaken
    other_text: str = ""
    deviation_reason: str = ""


def record_side_effect(
    symptom: Symptom,
    grade: ReactionGrade,
    *,
    observed_at: datetime,
    recorded_by: str,
    rate_ml_h: float,
    action_taken: ActionTaken,
    now: datetime,
    other_text: str = "",
    deviation_reason: str = "",
    label_halves_mild: bool = False,
) -> Result[SideEffect]:
    """Record a side effect; an action weaker than the grade asks for is refused or explained.

    ``label_halves_mild``: the drug's label halves the rate after any reaction (the
    library gives it a reaction hold, e.g. Ocrevus).
    """
    require_aware(observed_at, "observed_at")
    require_aware(now, "now")
    refusals = []
    if symptom is Symptom.OTHER and not other_text.strip():
        refusals.append(Refusal(SideEffectRefusal.OTHER_NEEDS_TEXT, "Describe the symptom."))
    if in_future(observed_at, now):
        refusals.append(Refusal(SideEffectRefusal.IN_FUTURE,
                                "The time entered is in the future; check it."))
    if rate_ml_h < 0:
        refusals.append(Refusal(SideEffectRefusal.RATE_INVALID, "The rate cannot be negative."))
    suggested = suggested_action(grade, label_halves_mild=label_halves_mild)
    if action_taken not in _follows(grade, suggested):
        if grade not in _DEVIATION_ALLOWED:
            refusals.append(Refusal(SideEffectRefusal.ACTION_TOO_WEAK,
                                    f"A grade {int(grade)} reaction means: {suggested.value}. "
                                    f"'{action_taken.value}' is not enough."))
        elif not deviation_reason.strip():
            refusals.append(Refusal(SideEffectRefusal.DEVIATION_NEEDS_REASON,
                                    f"A grade {int(grade)} reaction suggests: {suggested.value}. "
                                    "Record why the infusion continued unchanged."))
    effect = SideEffect(symptom, grade, observed_at, recorded_by, rate_ml_h, suggested,
                        action_taken, other_text.strip(), deviation_reason.strip())
    return decide(effect, refusals)


def allowed_resume_rates(
    reaction: SideEffect, current_grade: ReactionGrade | None
) -> Result[frozenset[ResumeRate]]:
    """Rates a paused infusion may resume at after ``reaction``; None = symptoms resolved."""
    if reaction.grade is ReactionGrade.LIFE_THREATENING:
        return decide(frozenset(), [Refusal(SideEffectRefusal.DISCONTINUED,
                                            "After a grade 4 reaction the infusion stays "
                                            "stopped for good.")])
    if reaction.grade is ReactionGrade.MILD:
        return decide(frozenset(ResumeRate), [])
    if current_grade is not None and current_grade > ReactionGrade.MILD:
        return decide(frozenset(), [Refusal(
            SideEffectRefusal.NOT_RESOLVED,
            f"Symptoms are still grade {int(current_grade)}: resume only once back to grade 1.",
        )])
    return decide(frozenset({ResumeRate.HALF}), [])


def dizziness_recorded(effects: Iterable[SideEffect]) -> bool:
    """For the help-to-walk rule."""
    return any(e.symptom is Symptom.DIZZINESS for e in effects)
