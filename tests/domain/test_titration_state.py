"""Titration progress: nurse confirmation, due times, pauses, half rate after a reaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from station.domain.drug_library_loader import load_drug_library
from station.domain.refusals import Accepted
from station.domain.titration import RateMatch, plan_titration
from station.domain.titration_state import (
    TitrationRefusal,
    TitrationState,
    account_pause,
    check_rate_against_step,
    confirm_next_step,
    expected_end,
    halve_rate,
    next_step_due,
    start_titration,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes

LIB = load_drug_library()
TR = TitrationRefusal


def started(drug_id: str, volume: float = 250, weight: float | None = None) -> TitrationState:
    protocol = LIB.drug(drug_id).titration
    assert protocol is not None
    return start_titration(protocol, weight_kg=weight, volume_ml=volume, started_at=NOW,
                           started_by="rn1")


def confirm(state: TitrationState, at: datetime, vitals: datetime | None = None) -> TitrationState:
    return accepted(confirm_next_step(state, now=at, by="rn1", vitals_taken_at=vitals))


def test_start_runs_step_one_and_says_when_step_two_is_due() -> None:
    state = started("ocrelizumab-first")
    assert state.rate_ml_h == 30
    assert next_step_due(state) == NOW + minutes(30)
    assert state.confirmations[0].by == "rn1"


@dataclass(frozen=True)
class ConfirmCase:
    name: str
    at_minutes: float
    codes: tuple[str, ...]
    says: str = ""


CONFIRMS = [
    ConfirmCase("too early", 18, (TR.NOT_DUE,), "Step 2 (60 mL/h) is not due yet: 12 min to go"),
    ConfirmCase("within a minute of due", 29.5, ()),
    ConfirmCase("on time", 30, ()),
    ConfirmCase("late is fine", 45, ()),
]


@pytest.mark.parametrize("case", CONFIRMS, ids=lambda c: c.name)
def test_confirm_next_step(case: ConfirmCase) -> None:
    result = confirm_next_step(started("ocrelizumab-first"), now=NOW + minutes(case.at_minutes),
                               by="rn2")
    if case.codes:
        assert refusal_codes(result) == case.codes
        assert case.says in reasons(result)
        return
    state = accepted(result)
    assert (state.current, state.rate_ml_h) == (1, 60)
    assert next_step_due(state) == NOW + minutes(case.at_minutes + 30)
    assert state.confirmations[-1].by == "rn2"


def test_last_step_has_no_next() -> None:
    state = started("ocrelizumab-later", 500)
    for _ in range(4):
        due = next_step_due(state)
        assert due is not None
        state = confirm(state, due)
    assert state.rate_ml_h == 200
    assert next_step_due(state) is None
    assert refusal_codes(confirm_next_step(state, now=NOW + minutes(500), by="rn1")) == (
        TR.NO_NEXT_STEP,)


def test_pause_extends_the_step() -> None:
    state = account_pause(started("ocrelizumab-first"), minutes(10))
    assert next_step_due(state) == NOW + minutes(40)
    assert refusal_codes(confirm_next_step(state, now=NOW + minutes(35), by="rn1")) == (
        TR.NOT_DUE,)


def test_ocrevus_reaction_holds_half_rate_for_30_min_then_repeats_the_step() -> None:
    state = confirm(started("ocrelizumab-first"), NOW + minutes(30))   # 60 mL/h
    halved = halve_rate(state, now=NOW + minutes(40))
    assert halved.rate_ml_h == 30
    assert next_step_due(halved) == NOW + minutes(70)
    early = confirm_next_step(halved, now=NOW + minutes(60), by="rn1")
    assert refusal_codes(early) == (TR.REACTION_HOLD,)
    assert "10 min more" in reasons(early)
    back = confirm(halved, NOW + minutes(70))
    assert (back.current, back.rate_ml_h) == (1, 60)
    assert next_step_due(back) == NOW + minutes(100)


def test_without_a_labelled_hold_the_nurse_may_go_back_up_at_once() -> None:
    halved = halve_rate(started("infliximab"), now=NOW + minutes(5))
    assert halved.rate_ml_h == 10
    back = confirm(halved, NOW + minutes(5))
    assert back.rate_ml_h == 20 and back.current == 0


@dataclass(frozen=True)
class VitalsCase:
    name: str
    vitals_at_minutes: float | None
    codes: tuple[str, ...]


VITALS = [
    VitalsCase("no vitals", None, (TR.VITALS_REQUIRED,)),
    VitalsCase("vitals too old", 10, (TR.VITALS_REQUIRED,)),
    VitalsCase("vitals just before due", 25, ()),
    VitalsCase("vitals after due", 31, ()),
    VitalsCase("vitals in the future", 40, (TR.VITALS_REQUIRED,)),
]


@pytest.mark.parametrize("case", VITALS, ids=lambda c: c.name)
def test_ivig_needs_vitals_at_each_increase(case: VitalsCase) -> None:
    state = started("ivig-octagam-10", 350, 70)
    vitals = None if case.vitals_at_minutes is None else NOW + minutes(case.vitals_at_minutes)
    result = confirm_next_step(state, now=NOW + minutes(32), by="rn1", vitals_taken_at=vitals)
    if case.codes:
        assert refusal_codes(result) == case.codes
        assert "every rate increase" in reasons(result)
    else:
        assert accepted(result).rate_ml_h == pytest.approx(84)


def test_expected_end_follows_the_plan_when_on_time() -> None:
    protocol = LIB.drug("ocrelizumab-first").titration
    assert protocol is not None
    plan = plan_titration(protocol, start=NOW, volume_ml=250, weight_kg=None)
    state = started("ocrelizumab-first")
    assert expected_end(state, now=NOW, delivered_ml=0) == plan.expected_end
    state = confirm(state, NOW + minutes(30))
    assert expected_end(state, now=NOW + minutes(45), delivered_ml=30) == plan.expected_end


@dataclass(frozen=True)
class EndCase:
    name: str
    shift: timedelta


def _late_confirmation() -> datetime:
    state = confirm(started("ocrelizumab-first"), NOW + minutes(40))
    return expected_end(state, now=NOW + minutes(40), delivered_ml=15)


def _paused_now() -> datetime:
    # Paused at 20 min (10 mL in) and still paused at 30 min: 10 min lost.
    state = started("ocrelizumab-first")
    return expected_end(state, now=NOW + minutes(30), delivered_ml=10,
                        paused_since=NOW + minutes(20))


def _resumed() -> datetime:
    state = account_pause(started("ocrelizumab-first"), minutes(10))
    return expected_end(state, now=NOW + minutes(30), delivered_ml=10)


@pytest.mark.parametrize(
    ("name", "end"),
    [("late confirmation", _late_confirmation), ("still paused", _paused_now),
     ("resumed after pause", _resumed)],
)
def test_expected_end_moves_by_lost_time(name: str, end: object) -> None:
    protocol = LIB.drug("ocrelizumab-first").titration
    assert protocol is not None and callable(end)
    on_time = plan_titration(protocol, start=NOW, volume_ml=250, weight_kg=None).expected_end
    assert end() == on_time + minutes(10), name


def test_expected_end_after_halving_with_hold() -> None:
    # At 60 mL/h from 30 min; halved at 40 min (25 mL in): 30 min at 30 mL/h (15 mL),
    # then step 2 again in full (30 mL), then 90,120,150 steps (45+60+75) = 250 - 25 - 225 = 0.
    state = halve_rate(confirm(started("ocrelizumab-first"), NOW + minutes(30)),
                       now=NOW + minutes(40))
    end = expected_end(state, now=NOW + minutes(40), delivered_ml=25)
    assert end == NOW + minutes(40 + 30 + 30 + 90)


def test_expected_end_after_halving_without_hold_stays_low() -> None:
    state = halve_rate(started("infliximab", 250), now=NOW)
    assert expected_end(state, now=NOW, delivered_ml=0) == NOW + timedelta(hours=25)


def test_expected_end_when_everything_is_in() -> None:
    assert expected_end(started("infliximab"), now=NOW + minutes(200), delivered_ml=250) == (
        NOW + minutes(200))


def test_pump_rate_against_the_current_step() -> None:
    state = started("infliximab")
    assert check_rate_against_step(state, 20).match is RateMatch.MATCHES
    assert check_rate_against_step(state, 40).match is RateMatch.TOO_HIGH
    halved = halve_rate(state, now=NOW)
    assert check_rate_against_step(halved, 20).match is RateMatch.TOO_HIGH
    assert isinstance(confirm_next_step(halved, now=NOW, by="x"), Accepted)


def test_half_rate_without_a_reaction_has_no_hold() -> None:
    halved = halve_rate(started("ocrelizumab-first"), now=NOW + minutes(5), after_reaction=False)
    assert halved.rate_ml_h == 15
    assert next_step_due(halved) == NOW + minutes(5)


def test_a_pause_during_the_reaction_hold_extends_it() -> None:
    halved = halve_rate(started("ocrelizumab-first"), now=NOW)
    paused = account_pause(halved, minutes(8))
    assert next_step_due(paused) == NOW + minutes(38)
    assert refusal_codes(confirm_next_step(paused, now=NOW + minutes(31), by="rn1")) == (
        TR.REACTION_HOLD,)
