"""Bedside observations: vital signs, IV site checks and side effects (with their action).

A side effect's action is carried out in the same transaction: "rate halved" starts a
new delivery segment at half the rate; "interrupted", "stopped" and "discontinued for
good" pause the infusion for a reaction (a Delivery Stop). Grade 4 cannot resume.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from station.domain import side_effects as rules
from station.domain.drug_library import MonitoringIntervals
from station.domain.pauses import PauseReason
from station.domain.refusals import Accepted, Refused, Result
from station.domain.site_assessment import (
    InfiltrationGrade,
    SiteAction,
    SiteAssessment,
    next_site_check,
    record_site_assessment,
    site_actions,
)
from station.domain.timers import Countdown, countdown
from station.domain.vital_signs import VitalSign, VitalSignsRecord, next_vital_signs
from station.domain.vital_signs import record_vital_signs as check_vitals
from station.persistence.delivery import Infusion, TitrationChangeKind, TitrationStep
from station.persistence.observations import ObservationMixin
from station.persistence.scheduling import Appointment
from station.services.bedside_records import latest_site, latest_vitals, store_site, vitals_row
from station.services.checkin import order_of
from station.services.context import ServiceContext
from station.services.errors import InvalidStateError
from station.services.lookups import get, infusion_of
from station.services.pauses import pause_in
from station.services.reactions import reassess, store_side_effect
from station.services.segments import change_rate, hard_limit_refusal, open_segment_of
from station.services.store import audit, iso, reading, writing
from station.services.titration_replay import RATE_HALVED, titration_state

_STOPS = frozenset({rules.ActionTaken.INTERRUPTED, rules.ActionTaken.STOPPED,
                    rules.ActionTaken.DISCONTINUED})


@dataclass(frozen=True)
class VitalsView:
    """Stored vital signs and when the next set is due."""

    record: VitalSignsRecord
    next_due: Countdown


@dataclass(frozen=True)
class SiteView:
    """A stored site check, what it asks the nurse to do, and the next check."""

    assessment: SiteAssessment
    actions: tuple[SiteAction, ...]
    next_check: Countdown


def monitoring(ctx: ServiceContext, session: Session, appointment: Appointment
               ) -> MonitoringIntervals:
    """The library's intervals for the appointment's drug (defaults without an order)."""
    order = order_of(session, appointment)
    drug = ctx.library.find(order.titration_protocol) if order is not None else None
    if drug is None:
        return ctx.library.defaults
    return ctx.library.monitoring(drug.id, ctx.care_unit)


class ObservationService:
    """Records vital signs, site checks and side effects for an appointment."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def record_vitals(
        self, appointment_id: int, values: Mapping[VitalSign, float], *, taken_at: datetime,
        confirmed_unusual: frozenset[VitalSign] = frozenset(),
    ) -> Result[VitalsView]:
        """Store a set of readings, or say which are implausible or need confirming."""
        ctx = self._ctx
        decided = check_vitals(values, taken_at=taken_at, taken_by=ctx.actor.name, now=ctx.now(),
                               confirmed_unusual=confirmed_unusual)
        if isinstance(decided, Refused):
            return decided
        with writing(ctx, "store the vital signs") as session:
            appointment = get(session, Appointment, appointment_id)
            infusion = infusion_of(session, appointment)
            row = vitals_row(decided.value, ctx, appointment.id,
                             infusion.id if infusion is not None else None)
            session.add(row)
            session.flush()
            audit(session, ctx, "vitals.recorded", row,
                  {"confirmed_unusual": sorted(decided.value.confirmed_unusual)})
            interval = monitoring(ctx, session, appointment).vital_signs
        return Accepted(VitalsView(decided.value,
                                   next_vital_signs(decided.value, interval, ctx.now())))

    def record_site(
        self, appointment_id: int, grade: InfiltrationGrade, extent_cm: float, *,
        dressing_intact: bool, assessed_at: datetime, confirm_mismatch: bool = False,
        note: str = "",
    ) -> Result[SiteView]:
        """Store a site check; the returned actions say whether to stop (any infiltration)."""
        ctx = self._ctx
        decided = record_site_assessment(grade, extent_cm, dressing_intact,
                                         assessed_at=assessed_at, assessed_by=ctx.actor.name,
                                         now=ctx.now(), confirm_mismatch=confirm_mismatch,
                                         note=note)
        if isinstance(decided, Refused):
            return decided
        with writing(ctx, "store the site check") as session:
            appointment = get(session, Appointment, appointment_id)
            infusion = infusion_of(session, appointment)
            site = infusion.order.access_site if infusion is not None else ""
            store_site(session, ctx, decided.value, appointment_id=appointment.id,
                       infusion_id=infusion.id if infusion is not None else None,
                       site=site or "IV site")
            interval = monitoring(ctx, session, appointment).site_check
        return Accepted(SiteView(decided.value, site_actions(decided.value),
                                 next_site_check(decided.value, interval, ctx.now())))

    def record_side_effect(
        self, appointment_id: int, symptom: rules.Symptom, grade: rules.ReactionGrade, *,
        action_taken: rules.ActionTaken, observed_at: datetime, other_text: str = "",
        deviation_reason: str = "",
    ) -> Result[rules.SideEffect]:
        """Store a side effect with the rate at that moment, and carry out the action."""
        ctx = self._ctx
        with writing(ctx, "store the side effect") as session:
            appointment = get(session, Appointment, appointment_id)
            infusion = infusion_of(session, appointment)
            segment = open_segment_of(infusion) if infusion is not None else None
            drug = self._ctx.library.find(infusion.order.titration_protocol) \
                if infusion is not None else None
            decided = rules.record_side_effect(
                symptom, grade, observed_at=observed_at, recorded_by=ctx.actor.name,
                rate_ml_h=segment.rate_ml_h if segment is not None else 0.0,
                action_taken=action_taken, now=ctx.now(), other_text=other_text,
                deviation_reason=deviation_reason,
                label_halves_mild=bool(drug and drug.titration and drug.titration.reaction_hold))
            if isinstance(decided, Refused):
                return decided
            if infusion is not None and segment is not None \
                    and action_taken is rules.ActionTaken.RATE_HALVED:
                too_far = hard_limit_refusal(ctx, infusion, segment.rate_ml_h / 2,
                                             infusion.patient_weight_kg)
                if too_far is not None:
                    return Refused((too_far,))
            store_side_effect(session, ctx, decided.value, appointment_id=appointment.id,
                              infusion_id=infusion.id if infusion is not None else None)
            if infusion is not None and segment is not None:
                self._act(session, infusion, decided.value, max(observed_at, segment.started_at))
        return decided

    def _act(self, session: Session, infusion: Infusion, effect: rules.SideEffect,
             at: datetime) -> None:
        """Carry out the action at ``at`` (not before the running segment began)."""
        if effect.action_taken is rules.ActionTaken.RATE_HALVED:
            segment = open_segment_of(infusion)
            assert segment is not None  # the caller checked that the pump runs
            audit(session, self._ctx, RATE_HALVED, infusion,
                  {"at": iso(at), "symptom": effect.symptom.value, "grade": int(effect.grade)})
            halved = TitrationStep(infusion_id=infusion.id, kind=TitrationChangeKind.RATE_HALVED,
                                   at=at, rate_ml_h=segment.rate_ml_h / 2,
                                   by_id=self._ctx.actor.user_id)
            session.add(halved)
            session.flush()
            titrated = titration_state(session, self._ctx, infusion)
            rate = titrated.rate_ml_h if titrated is not None else segment.rate_ml_h / 2
            halved.rate_ml_h = rate
            change_rate(session, self._ctx, infusion, at, rate_ml_h=rate,
                        why=f"rate halved after grade {int(effect.grade)} {effect.symptom.value}")
        elif effect.action_taken in _STOPS:
            paused = pause_in(session, self._ctx, infusion, PauseReason.REACTION, at=at,
                              note=f"grade {int(effect.grade)} {effect.symptom.value}")
            if isinstance(paused, Refused):  # the side-effect rule already checked the time
                raise InvalidStateError(f"cannot pause for the reaction: {paused.codes}")

    def vitals_due(self, appointment_id: int) -> Countdown | None:
        """When the next vital signs are due now (None: none taken yet)."""
        return self._due(appointment_id, latest_vitals, lambda m: m.vital_signs)

    def site_check_due(self, appointment_id: int) -> Countdown | None:
        """When the next IV site check is due now (None: never checked)."""
        return self._due(appointment_id, latest_site, lambda m: m.site_check)

    def _due(
        self,
        appointment_id: int,
        latest: Callable[[Session, int], ObservationMixin | None],
        interval: Callable[[MonitoringIntervals], timedelta],
    ) -> Countdown | None:
        with reading(self._ctx, "read the observation timers") as session:
            appointment = get(session, Appointment, appointment_id)
            last = latest(session, appointment.id)
            if last is None:
                return None
            every = interval(monitoring(self._ctx, session, appointment))
        return countdown(last.observed_at + every, self._ctx.now())

    def reassess_reaction(self, appointment_id: int, grade: rules.ReactionGrade | None) -> None:
        """Record the patient's grade now (None: resolved) for the latest reaction."""
        with writing(self._ctx, "store the reassessment") as session:
            appointment = get(session, Appointment, appointment_id)
            infusion = infusion_of(session, appointment)
            if infusion is not None:
                reassess(session, self._ctx, infusion, grade)


