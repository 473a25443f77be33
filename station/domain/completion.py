"""Completion: volume per delivery segment and in total, observation period, discharge.

An infusion is a series of delivery segments, each from Delivery Start to Delivery Stop
or Complete (IHE IPEC, research 3.3): a bathroom break ends one segment and starts the
next. Observation after the end comes from the drug library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from station.domain.refusals import Refusal, Result, decide, require_aware, say_minutes, say_number
from station.domain.timers import Countdown, countdown, in_future
from station.domain.units import volume_ml

# Pumps are accurate to about 5 % (GIP SR 1.2.1): a smaller shortfall is not "early".
SHORTFALL_TOLERANCE = 0.05


class SegmentEnd(StrEnum):
    STOPPED = "stopped"
    COMPLETED = "completed"


@dataclass(frozen=True)
class DeliverySegment:
    """One uninterrupted run of the pump at a rate; volume as reported by the pump if known."""

    started_at: datetime
    rate_ml_h: float
    ended_at: datetime | None = None
    end: SegmentEnd | None = None
    reported_volume_ml: float | None = None


@dataclass(frozen=True)
class VolumeSummary:
    """Volume of each segment, the running total and what is left of the order."""

    per_segment: tuple[float, ...]
    total_ml: float
    ordered_ml: float

    @property
    def remaining_ml(self) -> float:
        return max(self.ordered_ml - self.total_ml, 0.0)


class CompletionRefusal(StrEnum):
    NO_SEGMENTS = "completion.no_segments"
    SEGMENT_OPEN = "completion.segment_open"
    SEGMENT_TIMES = "completion.segment_times"
    SHORTFALL_NEEDS_REASON = "completion.shortfall_needs_reason"
    IN_FUTURE = "completion.in_future"


class DischargeRefusal(StrEnum):
    OBSERVATION_RUNNING = "discharge.observation_running"
    POST_VITALS_MISSING = "discharge.post_infusion_vitals_missing"
    REACTION_UNRESOLVED = "discharge.reaction_unresolved"
    WHO_MISSING = "discharge.who_missing"


@dataclass(frozen=True)
class Completion:
    """The end of delivery, its volumes and the end of the observation period."""

    completed_at: datetime
    completed_by: str
    volumes: VolumeSummary
    observation_ends_at: datetime
    shortfall_reason: str = ""


@dataclass(frozen=True)
class Discharge:
    """The patient leaves the chair."""

    discharged_at: datetime
    discharged_by: str
    completion: Completion


def segment_volume(segment: DeliverySegment, now: datetime) -> float:
    """The pump's reported volume, else rate x time (to ``now`` while still running)."""
    if segment.reported_volume_ml is not None:
        return segment.reported_volume_ml
    end = segment.ended_at or now
    return volume_ml(segment.rate_ml_h, max(end - segment.started_at, timedelta(0)))


def volume_summary(
    segments: Sequence[DeliverySegment], ordered_ml: float, now: datetime
) -> VolumeSummary:
    """Per-segment and total volume delivered so far."""
    require_aware(now, "now")
    per_segment = tuple(segment_volume(s, now) for s in segments)
    return VolumeSummary(per_segment, sum(per_segment), ordered_ml)


def _segment_refusals(segments: Sequence[DeliverySegment]) -> list[Refusal]:
    if not segments:
        return [Refusal(CompletionRefusal.NO_SEGMENTS, "Nothing was delivered yet.")]
    refusals = []
    if any(s.ended_at is None for s in segments):
        refusals.append(Refusal(CompletionRefusal.SEGMENT_OPEN,
                                "The pump is still delivering: stop it or wait for "
                                "infusion complete."))
    if any(s.ended_at is not None and s.ended_at < s.started_at for s in segments):
        refusals.append(Refusal(CompletionRefusal.SEGMENT_TIMES,
                                "A delivery segment ends before it starts; check the times."))
    return refusals


def complete_infusion(
    segments: Sequence[DeliverySegment],
    *,
    ordered_ml: float,
    observation: timedelta,
    completed_at: datetime,
    completed_by: str,
    now: datetime,
    shortfall_reason: str = "",
) -> Result[Completion]:
    """Close the infusion; ending clearly short of the order needs a reason."""
    require_aware(completed_at, "completed_at")
    refusals = _segment_refusals(segments)
    volumes = volume_summary(segments, ordered_ml, now)
    short = volumes.total_ml < ordered_ml * (1 - SHORTFALL_TOLERANCE)
    if segments and short and not shortfall_reason.strip():
        refusals.append(Refusal(
            CompletionRefusal.SHORTFALL_NEEDS_REASON,
            f"Only {say_number(volumes.total_ml)} of {say_number(ordered_ml)} mL were given: "
            "record why the infusion ends early.",
        ))
    if in_future(completed_at, now):
        refusals.append(Refusal(CompletionRefusal.IN_FUTURE,
                                "The completion time is in the future; check it."))
    completion = Completion(completed_at, completed_by, volumes, completed_at + observation,
                            shortfall_reason.strip())
    return decide(completion, refusals)


def observation_countdown(completion: Completion, now: datetime) -> Countdown:
    """Time left in the post-infusion observation period."""
    return countdown(completion.observation_ends_at, now)


def discharge(
    completion: Completion,
    *,
    now: datetime,
    by: str,
    last_vitals_at: datetime | None,
    reaction_unresolved: bool,
) -> Result[Discharge]:
    """Let the patient go once observation is over, vitals are re-taken and all is well."""
    refusals = []
    left = observation_countdown(completion, now)
    if not left.due:
        refusals.append(Refusal(DischargeRefusal.OBSERVATION_RUNNING,
                                f"Observation after the infusion ends in "
                                f"{say_minutes(left.remaining)}."))
    observed = completion.observation_ends_at > completion.completed_at
    if observed and (last_vitals_at is None or last_vitals_at < completion.completed_at):
        refusals.append(Refusal(DischargeRefusal.POST_VITALS_MISSING,
                                "Take vital signs after the infusion before discharge."))
    if reaction_unresolved:
        refusals.append(Refusal(DischargeRefusal.REACTION_UNRESOLVED,
                                "A reaction is still above grade 1; the patient stays."))
    if not by.strip():
        refusals.append(Refusal(DischargeRefusal.WHO_MISSING, "Record who discharges."))
    return decide(Discharge(now, by, completion), refusals)
