"""The end of an infusion: Delivery Complete with the volume of each segment and the
total, the observation timer, then discharge from the chair.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from station.domain import completion as rules
from station.domain.refusals import Accepted, Refusal, Refused, Result
from station.domain.timers import Countdown
from station.persistence.delivery import Infusion, InfusionStatus
from station.persistence.events import InfusionEventKind
from station.persistence.scheduling import Appointment, AppointmentStatus
from station.services.appointment_status import move, transition_refusal
from station.services.bedside_records import latest_vitals
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.errors import NotFoundError
from station.services.lookups import drug_of, get, infusion_of, user_name
from station.services.pauses import open_pause
from station.services.reactions import reaction_unresolved
from station.services.segments import (
    close_segment,
    domain_segments,
    open_segment_of,
    reported_volume_refusal,
)
from station.services.store import audit, infusion_event, iso, reading, writing

COMPLETED = "infusion.completed"


@dataclass(frozen=True)
class InfusionTotals:
    """Volumes so far: per segment (running one to now) and in total, against the order."""

    volumes: rules.VolumeSummary
    running: bool


def _closed_as_of(infusion: Infusion, at: datetime, reported: float | None
                  ) -> list[rules.DeliverySegment]:
    """The segments as they will be once the running one ends at ``at``."""
    segments = domain_segments(infusion)
    if segments and segments[-1].ended_at is None:
        segments[-1] = replace(segments[-1], ended_at=at, end=rules.SegmentEnd.COMPLETED,
                               reported_volume_ml=reported)
    return segments


def stored_completion(session: Session, infusion: Infusion) -> rules.Completion | None:
    """The completion as stored on the infusion and its segments (None: not completed)."""
    if infusion.status is not InfusionStatus.COMPLETED or infusion.ended_at is None \
            or infusion.observation_ends_at is None:
        return None
    per_segment = tuple(s.volume_ml or 0.0 for s in infusion.segments)
    volumes = rules.VolumeSummary(per_segment, sum(per_segment), infusion.order.volume_ml)
    return rules.Completion(infusion.ended_at, user_name(session, infusion.completed_by_id),
                            volumes, infusion.observation_ends_at, infusion.shortfall_reason)


class CompletionService:
    """Complete the delivery, time the observation, discharge the patient."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def totals(self, infusion_id: int) -> InfusionTotals:
        """Volume per segment and in total so far."""
        with reading(self._ctx, "read the volumes") as session:
            infusion = get(session, Infusion, infusion_id)
            volumes = rules.volume_summary(domain_segments(infusion), infusion.order.volume_ml,
                                           self._ctx.now())
            return InfusionTotals(volumes, open_segment_of(infusion) is not None)

    def complete(self, infusion_id: int, *, at: datetime, reported_volume_ml: float | None = None,
                 shortfall_reason: str = "") -> Result[rules.Completion]:
        """Delivery Complete at ``at`` (the running segment ends there, with the pump's
        volume if given); ending more than 5 % short needs ``shortfall_reason``.
        """
        ctx = self._ctx
        with writing(ctx, "record the completion") as session:
            infusion = get(session, Infusion, infusion_id)
            if infusion.status not in (InfusionStatus.RUNNING, InfusionStatus.PAUSED):
                return Refused((Refusal(ServiceRefusal.NOT_RUNNING,
                                        "The infusion is not running or paused."),))
            invalid = reported_volume_refusal(reported_volume_ml)
            if invalid is not None:
                return Refused((invalid,))
            drug = drug_of(ctx, infusion)
            observation = drug.observation if drug is not None else \
                timedelta(minutes=infusion.order.observation_min)
            decided = rules.complete_infusion(
                _closed_as_of(infusion, at, reported_volume_ml),
                ordered_ml=infusion.order.volume_ml, observation=observation, completed_at=at,
                completed_by=ctx.actor.name, now=ctx.now(), shortfall_reason=shortfall_reason)
            if isinstance(decided, Refused):
                return decided
            segment = None
            if open_segment_of(infusion) is not None:
                segment = close_segment(infusion, at, reported_volume_ml)
            pause = open_pause(session, infusion)
            if pause is not None:
                pause.ended_at, pause.ended_by_id = at, ctx.actor.user_id
            done = decided.value
            infusion.status, infusion.ended_at = InfusionStatus.COMPLETED, at
            infusion.completed_by_id = ctx.actor.user_id
            infusion.observation_ends_at = done.observation_ends_at
            infusion.shortfall_reason = done.shortfall_reason[:200]
            infusion_event(session, ctx, infusion, InfusionEventKind.DELIVERY_COMPLETE, at,
                           rate_ml_h=segment.rate_ml_h if segment else None,
                           segment_volume_ml=segment.volume_ml if segment else None,
                           total_volume_ml=done.volumes.total_ml,
                           detail=done.shortfall_reason or "infusion complete")
            audit(session, ctx, COMPLETED, infusion, {
                "at": iso(at), "per_segment": list(done.volumes.per_segment),
                "total_ml": done.volumes.total_ml, "ordered_ml": done.volumes.ordered_ml,
                "observation_ends_at": iso(done.observation_ends_at),
                "shortfall_reason": done.shortfall_reason})
            move(session, ctx, infusion.appointment, AppointmentStatus.OBSERVATION)
        return decided

    def observation(self, appointment_id: int) -> Countdown:
        """Time left in the observation after the infusion."""
        with reading(self._ctx, "read the observation timer") as session:
            completion = self._completion(session, get(session, Appointment, appointment_id))
        if completion is None:
            raise NotFoundError("completed infusion of appointment", appointment_id)
        return rules.observation_countdown(completion, self._ctx.now())

    @staticmethod
    def _completion(session: Session, appointment: Appointment) -> rules.Completion | None:
        infusion = infusion_of(session, appointment)
        if infusion is None:
            return None
        return stored_completion(session, infusion)

    def discharge(self, appointment_id: int) -> Result[Appointment]:
        """The patient leaves: observation over, vitals after the end, no reaction left."""
        ctx = self._ctx
        with writing(ctx, "record the discharge") as session:
            appointment = get(session, Appointment, appointment_id)
            completion = self._completion(session, appointment)
            if completion is None:
                return Refused((Refusal(ServiceRefusal.NOT_COMPLETED,
                                        "The infusion has not been completed."),))
            refusals = [r for r in (transition_refusal(appointment, AppointmentStatus.COMPLETED),)
                        if r is not None]
            vitals = latest_vitals(session, appointment.id)
            decided = rules.discharge(
                completion, now=ctx.now(), by=ctx.actor.name,
                last_vitals_at=vitals.observed_at if vitals is not None else None,
                reaction_unresolved=reaction_unresolved(session, appointment))
            if isinstance(decided, Refused):
                refusals += decided.refusals
            if refusals:
                return Refused(tuple(refusals))
            move(session, ctx, appointment, AppointmentStatus.COMPLETED)
        return Accepted(appointment)
