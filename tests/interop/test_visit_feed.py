"""Queuing a visit as it happens: each event and alarm step once, in order."""

from __future__ import annotations

from station.interop.outbox import Outbox
from station.interop.pcd04 import pcd04_messages
from station.interop.pcd10 import pcd10_messages
from station.interop.visit_feed import queue_visit
from station.records import load_visit_record
from tests.records.visit import BuiltVisit
from tests.services.world import World, accepted, start_running


def test_a_running_visit_is_queued_as_it_grows(world: World) -> None:
    outbox = Outbox(world.sessions, world.clock)
    infusion_id = start_running(world)
    assert queue_visit(world.sessions, outbox, infusion_id) == 1  # the Delivery Start
    assert queue_visit(world.sessions, outbox, infusion_id) == 0  # nothing new
    world.clock.advance(30)
    accepted(world.svc.titration.confirm_step(infusion_id))
    assert queue_visit(world.sessions, outbox, infusion_id) == 1
    assert [m.control_id for m in outbox.all()] == [
        cid for cid, _ in pcd10_messages(load_visit_record(world.sessions, infusion_id))]


def test_the_whole_visit_is_queued_like_the_export(world: World, visit: BuiltVisit) -> None:
    outbox = Outbox(world.sessions, world.clock)
    assert queue_visit(world.sessions, outbox, visit.infusion_id) == 14
    record = load_visit_record(world.sessions, visit.infusion_id)
    expected = pcd10_messages(record) + pcd04_messages(record)
    assert [(m.control_id, m.payload) for m in outbox.all()] == expected
    assert queue_visit(world.sessions, outbox, visit.infusion_id, training=True) == 14
