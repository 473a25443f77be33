"""Side effects as stored: symptom mapping, the latest reaction and its reassessment.

The side-effect table has fewer symptoms than the rules and no column for the rate at
onset, the suggested action or a deviation reason: those are kept in the row's
``side_effect.recorded`` audit entry and read back from it (docs/services.md).
"""

from __future__ import annotations

from typing import Any

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
from station.services.store import audit, facts, iso

RECORDED = "side_effect.recorded"
REASSESSED = "side_effect.reassessed"

_KIND = {
    Symptom.DIZZINESS: rows.SideEffectKind.DIZZINESS,
    Symptom.NAUSEA: rows.SideEffectKind.NAUSEA,
    Symptom.MUSCLE_STIFFNESS: rows.SideEffectKind.MUSCLE_STIFFNESS,
    Symptom.INJECTION_SITE_ITCH: rows.SideEffectKind.SITE_ITCHINESS,
    Symptom.HEADACHE: rows.SideEffectKind.HEADACHE,
    Symptom.OTHER: rows.SideEffectKind.OTHER,
}


def stored_kind(symptom: Symptom) -> rows.SideEffectKind:
    """The table's kind; symptoms it lacks (flushing, rash...) are infusion reactions."""
    return _KIND.get(symptom, rows.SideEffectKind.INFUSION_REACTION)


def store_side_effect(
    session: Session, ctx: ServiceContext, effect: SideEffect, *,
    appointment_id: int, infusion_id: int | None,
) -> rows.SideEffect:
    """Add the row of an accepted side effect and the audit entry with its detail."""
    text = effect.symptom.value + (f": {effect.other_text}" if effect.other_text else "")
    row = rows.SideEffect(appointment_id=appointment_id, infusion_id=infusion_id,
                          observed_at=effect.observed_at, recorded_by_id=ctx.actor.user_id,
                          kind=stored_kind(effect.symptom), ctcae_grade=int(effect.grade),
                          action_taken=effect.action_taken.value,
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
    """A stored row as the rule's value."""
    found = facts(session, row, RECORDED)
    detail: dict[str, Any] = found[-1][1] if found else {}
    return SideEffect(
        Symptom(detail.get("symptom", Symptom.OTHER.value)), ReactionGrade(row.ctcae_grade),
        row.observed_at, user_name(session, row.recorded_by_id),
        float(detail.get("rate_ml_h", 0.0)),
        SuggestedAction(detail.get("suggested", SuggestedAction.CONTINUE.value)),
        ActionTaken(row.action_taken), detail.get("other_text", ""),
        detail.get("deviation_reason", ""))


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
        audit(session, ctx, REASSESSED, row, {"grade": None if grade is None else int(grade)})


def reaction_unresolved(session: Session, appointment: Appointment) -> bool:
    """A reaction above grade 1 whose latest reassessment (if any) is still above grade 1."""
    row = _latest_row(session, rows.SideEffect.appointment_id == appointment.id)
    if row is None:
        return False
    later = facts(session, row, REASSESSED)
    grade = later[-1][1]["grade"] if later else row.ctcae_grade
    return grade is not None and grade > ReactionGrade.MILD
