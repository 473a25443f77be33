"""Pauses and resuming: a pause is a Delivery Stop (stopped by clinician + our reason),
resuming is a Delivery Start; each closes or opens a delivery segment with its volume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain import pauses as rules
from station.domain.refusals import Accepted, Refusal, Refused, Result
from station.domain.side_effects import ReactionGrade, SideEffect, allowed_resume_rates
from station.persistence.delivery import Infusion, InfusionStatus, Pause
from station.persistence.events import InfusionEventKind, NotDeliveringReason
from station.persistence.observations import SideEffect as SideEffectRow
from station.persistence.observations import SideEffectKind
from station.persistence.scheduling import Appointment
from station.services.checklist import current_checklist
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.errors import InvalidStateError
from station.services.lookups import drug_of, get, user_name
from station.services.reactions import latest_reaction, reassess
from station.services.segments import (
    close_segment,
    hard_limit_refusal,
    open_segment,
    open_segment_of,
    reported_volume_refusal,
)
from station.services.store import audit, infusion_event, iso, reading, writing
from station.services.titration_replay import RESUMED, titration_state

PAUSED = "infusion.paused"


@dataclass(frozen=True)
class PauseView:
    """A running pause: the rule's value, its timer and whether the patient needs help."""

    pause_id: int
    pause: rules.Pause
    status: rules.PauseStatus
    walking_help: rules.WalkingHelp


def walking_help(session: Session, ctx: ServiceContext, appointment: Appointment
                 ) -> rules.WalkingHelp:
    """Help to walk after a sedating pre-medication or recorded dizziness."""
    given = [g.name for g in current_checklist(session, appointment).premedications_given]
    dizzy = session.scalars(sa.select(SideEffectRow.id).where(
        SideEffectRow.appointment_id == appointment.id,
        SideEffectRow.kind == SideEffectKind.DIZZINESS)).first() is not None
    return rules.walking_help(given, ctx.library.sedating_medications, dizziness_recorded=dizzy)


def open_pause(session: Session, infusion: Infusion) -> Pause | None:
    """The pause that has not ended, if any."""
    return session.scalars(sa.select(Pause).where(Pause.infusion_id == infusion.id,
                                                  Pause.ended_at.is_(None))
                           .order_by(Pause.id.desc())).first()


def domain_pause(session: Session, row: Pause) -> rules.Pause:
    """A stored pause as the rule's value."""
    if row.rate_before_ml_h is None:
        raise InvalidStateError(f"pause {row.id} has no rate before it")
    return rules.Pause(rules.PauseReason(row.reason), row.started_at,
                       user_name(session, row.started_by_id), row.rate_before_ml_h, row.note)


def pause_in(
    session: Session, ctx: ServiceContext, infusion: Infusion, reason: rules.PauseReason, *,
    at: datetime, note: str = "", reported_volume_ml: float | None = None,
) -> Result[Pause]:
    """Stop delivery for ``reason`` inside the caller's transaction."""
    segment = open_segment_of(infusion)
    if infusion.status is not InfusionStatus.RUNNING or segment is None:
        return Refused((Refusal(ServiceRefusal.NOT_RUNNING, "The infusion is not running."),))
    decided = rules.start_pause(reason, at=at, by=ctx.actor.name,
                                rate_before_ml_h=segment.rate_ml_h, now=ctx.now(), note=note)
    if isinstance(decided, Refused):
        return decided
    refusals = [r for r in (reported_volume_refusal(reported_volume_ml),) if r is not None]
    if at < segment.started_at:
        refusals.append(Refusal(ServiceRefusal.BEFORE_SEGMENT,
                                "The time is before the pump last started; check it."))
    if refusals:
        return Refused(tuple(refusals))
    closed = close_segment(infusion, at, reported_volume_ml)
    said = reason.value + (f": {decided.value.note}" if decided.value.note else "")
    infusion_event(session, ctx, infusion, InfusionEventKind.DELIVERY_STOP, at,
                   rate_ml_h=closed.rate_ml_h, segment_volume_ml=closed.volume_ml,
                   total_volume_ml=closed.total_volume_ml,
                   not_delivering=NotDeliveringReason.STOPPED_BY_CLINICIAN, detail=said)
    row = Pause(infusion_id=infusion.id, started_at=at, reason=reason.value,
                needs_walking_help=walking_help(session, ctx, infusion.appointment).needed,
                started_by_id=ctx.actor.user_id, note=decided.value.note[:500],
                rate_before_ml_h=closed.rate_ml_h)
    session.add(row)
    infusion.status = InfusionStatus.PAUSED
    session.flush()
    audit(session, ctx, PAUSED, row, {"infusion_id": infusion.id, "reason": reason.value,
                                      "note": decided.value.note, "at": iso(at),
                                      "rate_before_ml_h": closed.rate_ml_h})
    return Accepted(row)


def reaction_behind(session: Session, infusion: Infusion, pause: rules.Pause) -> SideEffect | None:
    """The reaction this pause is about: the pause was for a reaction, or one was recorded
    since it began (a reaction noted while the patient was off the pump counts too).
    """
    reaction = latest_reaction(session, infusion)
    if reaction is None:
        return None
    if pause.reason is rules.PauseReason.REACTION or reaction.observed_at >= pause.paused_at:
        return reaction
    return None


class PauseService:
    """Pause, watch the pause timer, resume at the same or half rate."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def pause(self, infusion_id: int, reason: rules.PauseReason, *, at: datetime,
              note: str = "", reported_volume_ml: float | None = None) -> Result[PauseView]:
        """Stop delivery ("other" needs a note); stored before this returns."""
        with writing(self._ctx, "record the pause") as session:
            infusion = get(session, Infusion, infusion_id)
            stored = pause_in(session, self._ctx, infusion, reason, at=at, note=note,
                              reported_volume_ml=reported_volume_ml)
            if isinstance(stored, Refused):
                return stored
            return Accepted(self._view(session, infusion, stored.value))

    def current(self, infusion_id: int) -> PauseView | None:
        """The running pause with its timer and walking help, or None."""
        with reading(self._ctx, "read the pause") as session:
            infusion = get(session, Infusion, infusion_id)
            row = open_pause(session, infusion)
            return None if row is None else self._view(session, infusion, row)

    def _view(self, session: Session, infusion: Infusion, row: Pause) -> PauseView:
        pause = domain_pause(session, row)
        drug = drug_of(self._ctx, infusion)
        thresholds = (self._ctx.library.monitoring(drug.id, self._ctx.care_unit) if drug
                      else self._ctx.library.defaults)
        return PauseView(row.id, pause, rules.pause_status(pause, thresholds, self._ctx.now()),
                         walking_help(session, self._ctx, infusion.appointment))

    def resume(self, infusion_id: int, mode: rules.ResumeRate, *, at: datetime,
               current_grade: ReactionGrade | None = None) -> Result[rules.Resumption]:
        """Restart delivery at the same or half rate.

        After a pause for a reaction, ``current_grade`` is the patient's grade now (None:
        symptoms resolved); the reaction rules restrict the rate or refuse.
        """
        ctx = self._ctx
        with writing(ctx, "record the resumption") as session:
            infusion = get(session, Infusion, infusion_id)
            row = open_pause(session, infusion)
            if infusion.status is not InfusionStatus.PAUSED or row is None:
                return Refused((Refusal(ServiceRefusal.NOT_PAUSED,
                                        "The infusion is not paused."),))
            pause = domain_pause(session, row)
            reaction = reaction_behind(session, infusion, pause)
            allowed = (allowed_resume_rates(reaction, current_grade) if reaction is not None
                       else Accepted(frozenset(rules.ResumeRate)))
            if isinstance(allowed, Refused):
                return allowed
            decided = rules.resume(pause, mode=mode, at=at, by=ctx.actor.name, now=ctx.now(),
                                   allowed=allowed.value)
            if isinstance(decided, Refused):
                return decided
            too_far = hard_limit_refusal(ctx, infusion, decided.value.rate_ml_h,
                                         infusion.patient_weight_kg)
            if too_far is not None:
                return Refused((too_far,))
            self._restart(session, infusion, row, decided.value, after_reaction=bool(reaction))
            if reaction is not None:
                reassess(session, ctx, infusion, current_grade)
        return decided

    def _restart(self, session: Session, infusion: Infusion, row: Pause,
                 resumption: rules.Resumption, *, after_reaction: bool) -> None:
        ctx, at = self._ctx, resumption.resumed_at
        row.ended_at, row.ended_by_id = at, ctx.actor.user_id
        row.resume_mode, row.resumed_after_reaction = resumption.mode.value, after_reaction
        infusion.status = InfusionStatus.RUNNING
        audit(session, ctx, RESUMED, infusion, {
            "at": iso(at), "paused_at": iso(row.started_at), "pause_id": row.id,
            "mode": resumption.mode.value, "rate_ml_h": resumption.rate_ml_h,
            "after_reaction": after_reaction})
        session.flush()
        titrated = titration_state(session, ctx, infusion)
        rate = titrated.rate_ml_h if titrated is not None else resumption.rate_ml_h
        row.resumed_rate_ml_h = rate
        open_segment(session, infusion, at, rate)
        infusion_event(session, ctx, infusion, InfusionEventKind.DELIVERY_START, at,
                       rate_ml_h=rate, total_volume_ml=sum(s.volume_ml or 0.0
                                                           for s in infusion.segments),
                       detail=rules.say_resume(resumption))
