"""Live progress through a titration: nurse-confirmed steps, pauses, halving after a reaction.

Every change returns a new state; the services store it. A step goes up only when the
nurse confirms it, never by itself, and never before it is due.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from station.domain.drug_library import TitrationProtocol
from station.domain.refusals import Refusal, Result, decide, require_aware, say_minutes, say_number
from station.domain.titration import (
    RateCheck,
    Segment,
    TitrationStep,
    check_pump_rate,
    resolve_steps,
    run_segments,
)

# A step may be confirmed this much before it is due (the nurse is at the chair anyway).
EARLY_CONFIRMATION = timedelta(minutes=1)
# With vitals at each step (IVIG), a reading this close before the due time counts.
VITALS_WINDOW = timedelta(minutes=10)


class TitrationRefusal(StrEnum):
    NO_NEXT_STEP = "titration.no_next_step"
    NOT_DUE = "titration.step_not_due"
    REACTION_HOLD = "titration.reaction_hold"
    VITALS_REQUIRED = "titration.vitals_required"


@dataclass(frozen=True)
class StepConfirmation:
    """A nurse's confirmation that the pump now runs a step's rate."""

    index: int
    rate_ml_h: float
    at: datetime
    by: str


@dataclass(frozen=True)
class TitrationState:
    """Where an infusion is in its protocol."""

    steps: tuple[TitrationStep, ...]
    volume_ml: float
    current: int
    step_started_at: datetime
    confirmations: tuple[StepConfirmation, ...]
    paused_in_step: timedelta = timedelta(0)
    reduced_rate_ml_h: float | None = None  # half rate after a reaction
    no_escalation_before: datetime | None = None
    vitals_at_each_step: bool = False
    reaction_hold: timedelta | None = None

    @property
    def rate_ml_h(self) -> float:
        """The rate the pump should run now."""
        if self.reduced_rate_ml_h is not None:
            return self.reduced_rate_ml_h
        return self.steps[self.current].rate_ml_h

    @property
    def next_step(self) -> TitrationStep | None:
        """The step the next confirmation moves to (back to the current one after halving)."""
        if self.reduced_rate_ml_h is not None:
            return self.steps[self.current]
        if self.current + 1 < len(self.steps):
            return self.steps[self.current + 1]
        return None


def start_titration(
    protocol: TitrationProtocol,
    *,
    weight_kg: float | None,
    volume_ml: float,
    started_at: datetime,
    started_by: str,
) -> TitrationState:
    """State at the start: step 1 runs from ``started_at``."""
    require_aware(started_at, "started_at")
    steps = resolve_steps(protocol, weight_kg)
    first = StepConfirmation(0, steps[0].rate_ml_h, started_at, started_by)
    return TitrationState(steps, volume_ml, 0, started_at, (first,),
                          vitals_at_each_step=protocol.vitals_at_each_step,
                          reaction_hold=protocol.reaction_hold)


def next_step_due(state: TitrationState) -> datetime | None:
    """When the next step may be confirmed; None at the last step."""
    if state.reduced_rate_ml_h is not None:
        return state.no_escalation_before or state.step_started_at
    duration = state.steps[state.current].duration
    if duration is None or state.next_step is None:
        return None
    return state.step_started_at + duration + state.paused_in_step


def confirm_next_step(
    state: TitrationState, *, now: datetime, by: str, vitals_taken_at: datetime | None = None
) -> Result[TitrationState]:
    """Move to the next step when it is due (and vitals are fresh, if the drug needs them)."""
    require_aware(now, "now")
    step, due = state.next_step, next_step_due(state)
    if step is None or due is None:
        return decide(state, [Refusal(TitrationRefusal.NO_NEXT_STEP,
                                      "The infusion is already at its last step.")])
    label = f"Step {step.number} ({say_number(step.rate_ml_h)} mL/h)"
    refusals = []
    if state.reduced_rate_ml_h is not None and now < due:
        refusals.append(Refusal(TitrationRefusal.REACTION_HOLD,
                                f"After the reaction the rate stays at half for "
                                f"{say_minutes(due - now)} more before going back up."))
    elif now < due - EARLY_CONFIRMATION:
        refusals.append(Refusal(TitrationRefusal.NOT_DUE,
                                f"{label} is not due yet: {say_minutes(due - now)} to go."))
    if state.vitals_at_each_step and (
        vitals_taken_at is None or not due - VITALS_WINDOW <= vitals_taken_at <= now
    ):
        refusals.append(Refusal(TitrationRefusal.VITALS_REQUIRED,
                                f"Take vital signs before {label.lower()}: this drug needs "
                                "them at every rate increase."))
    confirmed = replace(
        state,
        current=step.index,
        step_started_at=now,
        paused_in_step=timedelta(0),
        reduced_rate_ml_h=None,
        no_escalation_before=None,
        confirmations=(*state.confirmations, StepConfirmation(step.index, step.rate_ml_h, now, by)),
    )
    return decide(confirmed, refusals)


def account_pause(state: TitrationState, paused_for: timedelta) -> TitrationState:
    """A pause does not count towards a step's time, nor towards a reaction hold."""
    hold = state.no_escalation_before
    return replace(state, paused_in_step=state.paused_in_step + paused_for,
                   no_escalation_before=hold + paused_for if hold else None)


def halve_rate(
    state: TitrationState, *, now: datetime, after_reaction: bool = True, factor: float = 0.5
) -> TitrationState:
    """Run at half the current rate; after a reaction, hold it for the drug's reaction hold
    (Ocrevus: 30 min). The next confirmation goes back to the interrupted step, which then
    runs in full.
    """
    require_aware(now, "now")
    hold = state.reaction_hold if after_reaction else None
    hold_until = now + hold if hold else None
    return replace(state, reduced_rate_ml_h=state.rate_ml_h * factor, step_started_at=now,
                   paused_in_step=timedelta(0), no_escalation_before=hold_until)


def _remaining_segments(state: TitrationState, clock: datetime) -> list[Segment]:
    step = state.steps[state.current]
    later = [(s.index, s.rate_ml_h, s.duration) for s in state.steps[state.current + 1:]]
    if state.reduced_rate_ml_h is not None:
        if state.no_escalation_before is None:
            # No labelled hold: going back up is the nurse's call, so assume it stays low.
            return [(step.index, state.reduced_rate_ml_h, None)]
        hold_left = max(state.no_escalation_before - clock, timedelta(0))
        return [(step.index, state.reduced_rate_ml_h, hold_left),
                (step.index, step.rate_ml_h, step.duration), *later]
    if step.duration is None:
        return [(step.index, step.rate_ml_h, None)]
    elapsed = clock - state.step_started_at - state.paused_in_step
    return [(step.index, step.rate_ml_h, max(step.duration - elapsed, timedelta(0))), *later]


def expected_end(
    state: TitrationState,
    *,
    now: datetime,
    delivered_ml: float,
    paused_since: datetime | None = None,
) -> datetime:
    """When the volume will be in, if every step is confirmed when due from ``now`` on.

    While paused, the step clock stopped at ``paused_since`` and the rest starts ``now``.
    """
    require_aware(now, "now")
    remaining = state.volume_ml - delivered_ml
    if remaining <= 0:
        return now
    segments = _remaining_segments(state, paused_since or now)
    return run_segments(segments, now, remaining)[1]


def check_rate_against_step(state: TitrationState, actual_ml_h: float) -> RateCheck:
    """The pump's actual rate against the rate this state expects."""
    return check_pump_rate(state.rate_ml_h, actual_ml_h)
