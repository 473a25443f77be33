"""Side effects: grade -> suggested action, action taken checks, resume rules."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from station.domain.pauses import ResumeRate
from station.domain.side_effects import (
    ActionTaken,
    ReactionGrade,
    SideEffect,
    SideEffectRefusal,
    SuggestedAction,
    Symptom,
    allowed_resume_rates,
    dizziness_recorded,
    record_side_effect,
    suggested_action,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

A, G, SR = ActionTaken, ReactionGrade, SideEffectRefusal


@pytest.mark.parametrize(
    ("grade", "halves_mild", "action"),
    [
        (G.MILD, False, SuggestedAction.CONTINUE),
        (G.MILD, True, SuggestedAction.HALVE_AND_HOLD),
        (G.MODERATE, False, SuggestedAction.INTERRUPT_OR_HALVE),
        (G.SEVERE, False, SuggestedAction.STOP_RESUME_HALF_AT_GRADE_1),
        (G.LIFE_THREATENING, True, SuggestedAction.STOP_FOR_GOOD),
    ],
)
def test_suggested_action(grade: ReactionGrade, halves_mild: bool, action: SuggestedAction) -> None:
    assert suggested_action(grade, label_halves_mild=halves_mild) is action


@dataclass(frozen=True)
class Case:
    name: str
    grade: ReactionGrade
    action: ActionTaken
    symptom: Symptom = Symptom.HEADACHE
    codes: tuple[str, ...] = ()
    other_text: str = ""
    deviation: str = ""
    halves_mild: bool = False
    says: str = ""


CASES = [
    Case("mild, continued", G.MILD, A.CONTINUED),
    Case("moderate, halved", G.MODERATE, A.RATE_HALVED, Symptom.FLUSHING),
    Case("moderate, interrupted", G.MODERATE, A.INTERRUPTED, Symptom.RASH),
    Case("moderate, continued without reason", G.MODERATE, A.CONTINUED,
         codes=(SR.DEVIATION_NEEDS_REASON,), says="interrupt the infusion or halve the rate"),
    Case("moderate, continued with reason", G.MODERATE, A.CONTINUED,
         deviation="prescriber at chairside: continue"),
    Case("severe, stopped", G.SEVERE, A.STOPPED, Symptom.CHEST_TIGHTNESS),
    Case("severe, halved is not enough", G.SEVERE, A.RATE_HALVED, codes=(SR.ACTION_TOO_WEAK,),
         says="grade 3 reaction means: stop", deviation="reason does not help"),
    Case("life-threatening, discontinued", G.LIFE_THREATENING, A.DISCONTINUED,
         Symptom.SHORTNESS_OF_BREATH),
    Case("life-threatening, only stopped", G.LIFE_THREATENING, A.STOPPED,
         codes=(SR.ACTION_TOO_WEAK,), says="stop the infusion for good"),
    Case("ocrevus mild needs halving", G.MILD, A.CONTINUED, Symptom.INJECTION_SITE_ITCH,
         codes=(SR.DEVIATION_NEEDS_REASON,), halves_mild=True),
    Case("ocrevus mild halved", G.MILD, A.RATE_HALVED, Symptom.DIZZINESS, halves_mild=True),
    Case("other needs text", G.MILD, A.CONTINUED, Symptom.OTHER, codes=(SR.OTHER_NEEDS_TEXT,)),
    Case("other with text", G.MILD, A.CONTINUED, Symptom.OTHER, other_text="metallic taste"),
    Case("nausea", G.MILD, A.CONTINUED, Symptom.NAUSEA),
    Case("muscle stiffness", G.MILD, A.CONTINUED, Symptom.MUSCLE_STIFFNESS),
    Case("chills", G.MODERATE, A.INTERRUPTED, Symptom.CHILLS),
    Case("fever", G.MODERATE, A.INTERRUPTED, Symptom.FEVER),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_record_side_effect(case: Case) -> None:
    result = record_side_effect(
        case.symptom, case.grade, observed_at=NOW, recorded_by="rn1", rate_ml_h=120,
        action_taken=case.action, now=NOW, other_text=case.other_text,
        deviation_reason=case.deviation, label_halves_mild=case.halves_mild,
    )
    if case.codes:
        assert refusal_codes(result) == case.codes
        assert case.says in reasons(result)
        return
    effect = accepted(result)
    assert (effect.grade, effect.rate_ml_h, effect.action_taken) == (case.grade, 120, case.action)
    assert effect.suggested is suggested_action(case.grade, label_halves_mild=case.halves_mild)


@pytest.mark.parametrize(
    ("observed", "rate", "codes"),
    [(5, 120, (SR.IN_FUTURE,)), (0, -1, (SR.RATE_INVALID,)), (-30, 0, ())],
)
def test_time_and_rate_checks(observed: int, rate: float, codes: tuple[str, ...]) -> None:
    result = record_side_effect(Symptom.NAUSEA, G.MILD, observed_at=NOW + minutes(observed),
                                recorded_by="rn1", rate_ml_h=rate, action_taken=A.CONTINUED,
                                now=NOW)
    if codes:
        assert refusal_codes(result) == codes
    else:
        accepted(result)


def _effect(grade: ReactionGrade, symptom: Symptom = Symptom.RASH) -> SideEffect:
    return SideEffect(symptom, grade, NOW, "rn1", 60, suggested_action(grade), A.STOPPED)


@pytest.mark.parametrize(
    ("grade", "now_grade", "allowed", "code"),
    [
        (G.MILD, None, frozenset(ResumeRate), None),
        (G.MODERATE, None, frozenset({ResumeRate.HALF}), None),
        (G.MODERATE, G.MODERATE, frozenset(), SR.NOT_RESOLVED),
        (G.SEVERE, G.MILD, frozenset({ResumeRate.HALF}), None),
        (G.SEVERE, G.MODERATE, frozenset(), SR.NOT_RESOLVED),
        (G.SEVERE, G.SEVERE, frozenset(), SR.NOT_RESOLVED),
        (G.LIFE_THREATENING, None, frozenset(), SR.DISCONTINUED),
    ],
)
def test_allowed_resume_rates(
    grade: ReactionGrade,
    now_grade: ReactionGrade | None,
    allowed: frozenset[ResumeRate],
    code: str | None,
) -> None:
    result = allowed_resume_rates(_effect(grade), now_grade)
    if code is None:
        assert accepted(result) == allowed
    else:
        assert refusal_codes(result) == (code,)


def test_dizziness_recorded() -> None:
    assert not dizziness_recorded([_effect(G.MILD)])
    assert dizziness_recorded([_effect(G.MILD), _effect(G.MILD, Symptom.DIZZINESS)])
