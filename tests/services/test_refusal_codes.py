"""Service-level refusals that the workflow tests do not reach on their way."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
import sqlalchemy as sa

from station.domain.pauses import PauseReason, ResumeRate
from station.domain.programming import ProgrammingRefusal
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.persistence.event_store import EventStore
from station.persistence.orders import Order
from station.persistence.scheduling import Chair
from station.services import Booking
from station.services.codes import ServiceRefusal
from tests.services.world import (
    NINE,
    World,
    accepted,
    codes,
    complete_checklist,
    saline_running,
    seat,
    snapshot,
    start_running,
)


def test_an_inactive_chair_cannot_be_booked(world: World) -> None:
    with world.sessions() as session, session.begin():
        session.scalars(sa.select(Chair).where(Chair.label == "C3")).one().active = False
    assert codes(world.svc.schedule.book(Booking("MRN-1", "C3", NINE.replace(hour=14), 60))) == (
        ServiceRefusal.CHAIR_INACTIVE,)


def test_a_start_needs_an_order_whose_drug_is_in_the_library(world: World) -> None:
    seat(world)
    complete_checklist(world)
    with world.sessions() as session, session.begin():
        session.get_one(Order, world.order_id).titration_protocol = "rituximab"
    before = snapshot(world.sessions)
    refused = world.svc.infusions.prepare_start(world.appointment_id, pump_id=world.pumps[0])
    assert codes(refused) == (ServiceRefusal.DRUG_NOT_IN_LIBRARY,)
    with world.sessions() as session, session.begin():
        session.get_one(Order, world.order_id).appointment_id = None
    assert codes(world.svc.infusions.prepare_start(world.appointment_id,
                                                   pump_id=world.pumps[0])) == (
        ServiceRefusal.ORDER_MISSING,)
    assert snapshot(world.sessions)["infusions"] == before["infusions"] == []


def test_discharge_before_completion_is_refused(world: World) -> None:
    seat(world)
    assert codes(world.svc.completion.discharge(world.appointment_id)) == (
        ServiceRefusal.NOT_COMPLETED,)


def test_a_premedication_needs_a_name(world: World) -> None:
    assert codes(world.svc.checklist.give_premedication(
        world.appointment_id, "  ", given_at=world.clock.now - timedelta(minutes=1))) == (
        ServiceRefusal.PREMEDICATION_NAME,)


@pytest.mark.parametrize("bad", [-1.0, math.nan, 10_000.0])
def test_a_pump_volume_that_cannot_be_right_is_refused(world: World, bad: float) -> None:
    infusion_id = start_running(world)
    world.clock.advance(30)
    before = snapshot(world.sessions)
    assert codes(world.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                        at=world.clock.now, reported_volume_ml=bad)) == (
        ServiceRefusal.REPORTED_VOLUME_INVALID,)
    assert codes(world.svc.completion.complete(infusion_id, at=world.clock.now,
                                               reported_volume_ml=bad)) == (
        ServiceRefusal.REPORTED_VOLUME_INVALID,)
    assert snapshot(world.sessions) == before


def test_the_pump_reported_volume_wins_over_rate_times_time(world: World) -> None:
    infusion_id = start_running(world)
    world.clock.advance(30)  # 40 mL/h for 30 min would be 20 mL
    accepted(world.svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK,
                                    at=world.clock.now, reported_volume_ml=19.4))
    assert world.svc.completion.totals(infusion_id).volumes.per_segment == (19.4,)
    [_, stop] = EventStore(world.sessions).for_infusion(infusion_id)
    assert (stop.segment_volume_ml, stop.total_volume_ml) == (19.4, 19.4)


def test_halving_below_the_hard_minimum_is_refused(world: World) -> None:
    saline, infusion_id = saline_running(world, rate_ml_h=1.5, volume_ml=100)
    world.clock.advance(10)
    before = snapshot(world.sessions)
    halved = world.svc.observations.record_side_effect(
        saline, Symptom.HEADACHE, ReactionGrade.MODERATE, action_taken=ActionTaken.RATE_HALVED,
        observed_at=world.clock.now)
    assert codes(halved) == (ProgrammingRefusal.BELOW_HARD_LIMIT,)
    assert "below the hard minimum of 1 mL/h" in halved.refusals[0].reason  # type: ignore[union-attr]
    assert snapshot(world.sessions) == before
    accepted(world.svc.observations.record_side_effect(
        saline, Symptom.HEADACHE, ReactionGrade.MODERATE, action_taken=ActionTaken.INTERRUPTED,
        observed_at=world.clock.now))
    assert codes(world.svc.pauses.resume(infusion_id, ResumeRate.HALF,
                                         at=world.clock.advance(10))) == (
        ProgrammingRefusal.BELOW_HARD_LIMIT,)
