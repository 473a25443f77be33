"""Side effects as stored: symptom mapping, the latest reaction and its reassessment."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.side_effects import (
    ActionTaken,
    ReactionGrade,
    SideEffect,
    SuggestedAction,
    Symptom,
)
from station.persistence import observations as rows
from station.persistence.delivery import Infusion
from station.persistence.scheduling import Appointment
from station.services.context import ServiceContext
from station.services.lookups import user_name
from station.services.store import audit, iso

RECORDED = "side_effect.recorded"
REASSESSED = "side_effect.reassessed"

_KIND = {
    Symptom.DIZZINESS: rows.SideEffectKind.DIZZINESS,
    Symptom.NAUSEA: rows.SideEffectKind.NAUSEA,
    Symptom.MUSCLE_STIFFNESS: rows.SideEffectKind.MUSCLE_STIFFNESS,
    Symptom.INJECTION_SITE_ITCH: rows.SideEffectKind.SITE_ITCHINESS,
    Symptom.HEADACHE: rows.SideEffectKind.HEADACHE,
    Symptom.FLUSHING: rows.SideEffectKind.FLUSHING,
    Symptom.RASH: rows.SideEffectKind.RASH,
    Symptom.CHILLS: rows.SideEffectKind.CHILLS,
    Symptom.FEVER: rows.SideEffectKind.FEVER,
    Symptom.CHEST_TIGHTNESS: rows.SideEffectKind.CHEST_TIGHTNESS,
    Symptom.SHORTNESS_OF_BREATH: rows.SideEffectKind.SHORTNESS_OF_BREATH,
    Symptom.OTHER: rows.SideEffectKind.OTHER,
}
_SYMPTOM = {kind: symptom for symptom, kind in _KIND.items()}


def stored_kind(symptom: Symptom) -> rows.SideEffectKind:
    """The table's kind of a symptom (one each)."""
    return _KIND[symptom]


def stored_symptom(kind: rows.SideEffectKind) -> Symptom:
    """The symptom of a stored kind; ``infusion_reaction`` rows (before migration 0003)
    did not say which one, so they read as "other" (the note names it)."""
    return _SYMPTOM.get(kind, Symptom.OTHER)


def store_side_effect(
    session: Session, ctx: ServiceContext, effect: SideEffect, *,
    appointment_id: int, infusion_id: int | None,
) -> rows.SideEffect:
    """Add the row of an accepted side effect and its audit entry."""
    text = effect.symptom.value + (f": {effect.other_text}" if effect.other_text else "")
    row = rows.SideEffect(appointment_id=appointment_id, infusion_id=infusion_id,
                          observed_at=effect.observed_at, recorded_by_id=ctx.actor.user_id,
                          kind=stored_kind(effect.symptom), ctcae_grade=int(effect.grade),
                          action_taken=effect.action_taken.value,
                          other_text=effect.other_text[:200], rate_ml_h=effect.rate_ml_h,
                          suggested_action=effect.suggested.value,
                          deviation_reason=effect.deviation_reason[:500],
                          note=(text + (f"; {effect.deviation_reason}"
                                        if effect.deviation_reason else ""))[:500])
    session.add(row)
    session.flush()
    audit(session, ctx, RECORDED, row, {
        "symptom": effect.symptom.value, "other_text": effect.other_text,
        "grade": int(effect.grade), "rate_ml_h": effect.rate_ml_h,
        "suggested": effect.suggested.value, "action_taken": effect.action_taken.value,
        "deviation_reason": effect.deviation_reason, "observed_at": iso(effect.observed_at)})
    return row


def side_effect(session: Session, row: rows.SideEffect) -> SideEffect:
    """A stored row as the rule's value (a row without a suggestion suggests continuing)."""
    return SideEffect(
        stored_symptom(row.kind), ReactionGrade(row.ctcae_grade), row.observed_at,
        user_name(session, row.recorded_by_id), row.rate_ml_h or 0.0,
        SuggestedAction(row.suggested_action or SuggestedAction.CONTINUE.value),
        ActionTaken(row.action_taken), row.other_text, row.deviation_reason)


def _latest_row(session: Session, condition: sa.ColumnElement[bool]) -> rows.SideEffect | None:
    return session.scalars(sa.select(rows.SideEffect).where(condition)
                           .order_by(rows.SideEffect.observed_at.desc(),
                                     rows.SideEffect.id.desc())).first()


def latest_reaction(session: Session, infusion: Infusion) -> SideEffect | None:
    """The infusion's latest side effect, which governs how it may resume."""
    row = _latest_row(session, rows.SideEffect.infusion_id == infusion.id)
    return None if row is None else side_effect(session, row)


def reassess(session: Session, ctx: ServiceContext, infusion: Infusion,
             grade: ReactionGrade | None) -> None:
    """Record the grade now of the latest reaction (None: symptoms resolved)."""
    row = _latest_row(session, rows.SideEffect.infusion_id == infusion.id)
    if row is not None:
        row.reassessed_at = ctx.now()
        row.reassessed_grade = None if grade is None else int(grade)
        audit(session, ctx, REASSESSED, row, {"grade": row.reassessed_grade})


def reaction_unresolved(session: Session, appointment: Appointment) -> bool:
    """A reaction above grade 1 whose latest reassessment (if any) is still above grade 1."""
    row = _latest_row(session, rows.SideEffect.appointment_id == appointment.id)
    if row is None:
        return False
    grade = row.reassessed_grade if row.reassessed_at is not None else row.ctcae_grade
    return grade is not None and grade > ReactionGrade.MILD
