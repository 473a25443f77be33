"""Titration at the chair: the schedule, the next step due, the expected end, the nurse's
confirmation of each step, and the pump's actual rate against the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from station.domain.refusals import Accepted, Refusal, Refused, Result
from station.domain.titration import RateCheck, TitrationPlan, check_pump_rate, plan_titration
from station.domain.titration_state import (
    TitrationState,
    confirm_next_step,
    expected_end,
    next_step_due,
)
from station.domain.units import time_for_volume
from station.persistence.delivery import (
    Infusion,
    InfusionStatus,
    TitrationChangeKind,
    TitrationStep,
)
from station.services.bedside_records import latest_vitals
from station.services.codes import ServiceRefusal
from station.services.context import ServiceContext
from station.services.lookups import drug_of, get
from station.services.pauses import open_pause
from station.services.segments import change_rate, delivered_ml, open_segment_of
from station.services.store import audit, iso, reading, writing
from station.services.titration_replay import STEP_CONFIRMED, titration_state


@dataclass(frozen=True)
class TitrationView:
    """Where a titrated infusion stands now."""

    plan: TitrationPlan  # the schedule from the start, every step confirmed when due
    state: TitrationState
    next_due: datetime | None
    expected_end: datetime
    delivered_ml: float

    @property
    def rate_ml_h(self) -> float:
        return self.state.rate_ml_h


def _view(session: Session, ctx: ServiceContext, infusion: Infusion) -> TitrationView | None:
    state = titration_state(session, ctx, infusion)
    drug = drug_of(ctx, infusion)
    if state is None or drug is None or drug.titration is None or infusion.started_at is None:
        return None
    now = ctx.now()
    plan = plan_titration(drug.titration, start=infusion.started_at,
                          volume_ml=infusion.order.volume_ml,
                          weight_kg=infusion.patient_weight_kg)
    pause = open_pause(session, infusion)
    delivered = delivered_ml(infusion, now)
    end = expected_end(state, now=now, delivered_ml=delivered,
                       paused_since=pause.started_at if pause is not None else None)
    return TitrationView(plan, state, next_step_due(state), end, delivered)


class TitrationService:
    """Reads the titration schedule and records the nurse's step confirmations."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def view(self, infusion_id: int) -> TitrationView | None:
        """The schedule and progress, or None for an infusion without titration."""
        with reading(self._ctx, "read the titration") as session:
            return _view(session, self._ctx, get(session, Infusion, infusion_id))

    def expected_end(self, infusion_id: int) -> datetime | None:
        """When the volume will be in; for a fixed rate, remaining volume at that rate."""
        with reading(self._ctx, "read the expected end") as session:
            infusion = get(session, Infusion, infusion_id)
            view = _view(session, self._ctx, infusion)
            if view is not None:
                return view.expected_end
            segment = open_segment_of(infusion)
            if segment is None or segment.rate_ml_h <= 0:
                return None
            now = self._ctx.now()
            left = max(infusion.order.volume_ml - delivered_ml(infusion, now), 0.0)
            return now + time_for_volume(left, segment.rate_ml_h)

    def confirm_step(self, infusion_id: int, *, vitals_taken_at: datetime | None = None
                     ) -> Result[TitrationView]:
        """The nurse set the pump to the next step now: stored with a new segment.

        ``vitals_taken_at`` defaults to the latest stored vital signs (drugs such as IVIG
        need vitals at every increase).
        """
        ctx = self._ctx
        with writing(ctx, "record the titration step") as session:
            infusion = get(session, Infusion, infusion_id)
            state = titration_state(session, ctx, infusion)
            if state is None:
                return Refused((Refusal(ServiceRefusal.NO_TITRATION,
                                        "This infusion runs at a fixed rate, without steps."),))
            if infusion.status is not InfusionStatus.RUNNING:
                return Refused((Refusal(ServiceRefusal.NOT_RUNNING,
                                        "The infusion is not running; resume it first."),))
            if vitals_taken_at is None:
                vitals = latest_vitals(session, infusion.appointment_id)
                vitals_taken_at = vitals.observed_at if vitals is not None else None
            now = ctx.now()
            confirmed = confirm_next_step(state, now=now, by=ctx.actor.name,
                                          vitals_taken_at=vitals_taken_at)
            if isinstance(confirmed, Refused):
                return confirmed
            step = confirmed.value.steps[confirmed.value.current]
            session.add(TitrationStep(
                infusion_id=infusion.id, kind=TitrationChangeKind.STEP_CONFIRMED, at=now,
                step=step.number, rate_ml_h=confirmed.value.rate_ml_h,
                vitals_taken_at=vitals_taken_at, by_id=ctx.actor.user_id))
            audit(session, ctx, STEP_CONFIRMED, infusion, {
                "at": iso(now), "step": step.number, "rate_ml_h": confirmed.value.rate_ml_h,
                "vitals_taken_at": iso(vitals_taken_at) if vitals_taken_at else None})
            change_rate(session, ctx, infusion, now, rate_ml_h=confirmed.value.rate_ml_h,
                        why=f"titration step {step.number} confirmed")
            session.flush()
            view = _view(session, ctx, infusion)
        assert view is not None
        return Accepted(view)

    def check_rate(self, infusion_id: int, actual_ml_h: float) -> RateCheck:
        """The pump's actual rate against the current step (or the programmed rate)."""
        with reading(self._ctx, "read the expected rate") as session:
            infusion = get(session, Infusion, infusion_id)
            state = titration_state(session, self._ctx, infusion)
            segment = open_segment_of(infusion)
            expected = state.rate_ml_h if state is not None else (
                segment.rate_ml_h if segment is not None else 0.0)
            if infusion.status is not InfusionStatus.RUNNING:
                expected = 0.0
        return check_pump_rate(expected, actual_ml_h)
