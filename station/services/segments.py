"""Delivery segments: each run of the pump at one rate, from a Start to a Stop or Complete.

Volumes are the pump's reported volume when the caller has it, else rate x time.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.orm import Session

from station.domain import completion
from station.domain.programming import MAX_VTBI_ML, ProgrammingRefusal, check_rate
from station.domain.refusals import Refusal, Refused
from station.persistence.delivery import DeliverySegment, Infusion
from station.persistence.events import InfusionEventKind
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.store import infusion_event

_HARD = (ProgrammingRefusal.ABOVE_HARD_LIMIT, ProgrammingRefusal.BELOW_HARD_LIMIT,
         ProgrammingRefusal.WEIGHT_REQUIRED)


def open_segment_of(infusion: Infusion) -> DeliverySegment | None:
    """The running segment, if the pump is delivering."""
    return next((s for s in infusion.segments if s.ended_at is None), None)


def closed_total(infusion: Infusion) -> float:
    """Volume of the segments that are closed."""
    return sum(s.volume_ml or 0.0 for s in infusion.segments if s.ended_at is not None)


def delivered_ml(infusion: Infusion, now: datetime) -> float:
    """Volume delivered so far, the running segment counted to ``now``."""
    return sum(completion.segment_volume(s, now) for s in domain_segments(infusion))


def domain_segments(infusion: Infusion) -> list[completion.DeliverySegment]:
    """The stored segments as the completion rules see them."""
    return [completion.DeliverySegment(s.started_at, s.rate_ml_h, s.ended_at,
                                       completion.SegmentEnd.STOPPED if s.ended_at else None,
                                       s.volume_ml) for s in infusion.segments]


def reported_volume_refusal(reported_volume_ml: float | None) -> Refusal | None:
    """A refusal for a pump-reported volume that cannot be right (negative, not a number)."""
    if reported_volume_ml is None or (math.isfinite(reported_volume_ml)
                                      and 0 <= reported_volume_ml <= MAX_VTBI_ML):
        return None
    return Refusal(ServiceRefusal.REPORTED_VOLUME_INVALID,
                   f"A delivered volume of {reported_volume_ml} mL cannot be right: the pump "
                   f"reports 0 to {MAX_VTBI_ML:g} mL.")


def hard_limit_refusal(
    ctx: ServiceContext, infusion: Infusion, rate_ml_h: float, weight_kg: float | None
) -> Refusal | None:
    """A rate change (resume at half, halving, a step) outside the drug's hard limits.

    Soft limits are not asked again here: the change follows the reaction protocol or
    the titration schedule, and the start already recorded any override.
    """
    drug = ctx.library.find(infusion.order.titration_protocol)
    if drug is None:
        return None
    checked = check_rate(drug, rate_ml_h, weight_kg)
    if isinstance(checked, Refused):
        hard = [r for r in checked.refusals if r.code in _HARD]
        return hard[0] if hard else None
    return None


def open_segment(session: Session, infusion: Infusion, at: datetime, rate_ml_h: float) -> None:
    """Start a new segment at ``rate_ml_h``."""
    seq = max((s.seq for s in infusion.segments), default=0) + 1
    segment = DeliverySegment(infusion=infusion, seq=seq, started_at=at, rate_ml_h=rate_ml_h)
    session.add(segment)


def close_segment(
    infusion: Infusion, at: datetime, reported_volume_ml: float | None = None
) -> DeliverySegment:
    """End the running segment at ``at`` with its volume and the running total."""
    segment = open_segment_of(infusion)
    if segment is None:
        raise ValueError("no delivery segment is running")
    before = closed_total(infusion)
    segment.ended_at = at
    segment.volume_ml = completion.segment_volume(
        completion.DeliverySegment(segment.started_at, segment.rate_ml_h, at,
                                   reported_volume_ml=reported_volume_ml), at)
    segment.total_volume_ml = before + segment.volume_ml
    return segment


def change_rate(
    session: Session, ctx: ServiceContext, infusion: Infusion, at: datetime, *,
    rate_ml_h: float, why: str,
) -> None:
    """A rate change while running (titration step, halving): a new segment and a Delivery
    Start at the new rate. The vocabulary has no rate-change event; a new Start with
    ``why`` in its detail is how the segments stay one rate each (docs/services.md).
    """
    close_segment(infusion, at)
    open_segment(session, infusion, at, rate_ml_h)
    infusion_event(session, ctx, infusion, InfusionEventKind.DELIVERY_START, at,
                   rate_ml_h=rate_ml_h, total_volume_ml=closed_total(infusion), detail=why)
