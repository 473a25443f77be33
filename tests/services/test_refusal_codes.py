"""Service-level refusals that the workflow tests do not reach on their way."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from station.persistence.orders import Order
from station.persistence.scheduling import Chair
from station.services import Booking
from station.services.codes import ServiceRefusal
from tests.services.world import NINE, World, codes, complete_checklist, seat, snapshot


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
