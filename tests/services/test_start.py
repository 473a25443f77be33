"""Start: the checklist gates it, the pump program comes from the order through the
library, a pump runs one infusion at a time, and the start is a two-step handshake.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from station.domain.checklist import ChecklistGap, PatientIdentifier
from station.domain.programming import ProgrammingRefusal
from station.domain.units import Rate
from station.persistence.audit_log import AuditLog
from station.persistence.delivery import Infusion, InfusionStatus
from station.persistence.event_store import EventStore
from station.persistence.events import InfusionEventKind
from station.persistence.scheduling import Appointment, AppointmentStatus
from station.services.codes import ServiceRefusal
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import (
    World,
    accepted,
    codes,
    complete_checklist,
    seat,
    seated_and_ready,
    snapshot,
)


def test_start_is_impossible_until_the_checklist_is_complete(world: World) -> None:
    seat(world)
    before = snapshot(world.sessions)
    result = world.svc.infusions.prepare_start(world.appointment_id, pump_id=world.pumps[0])
    assert codes(result) == (
        ChecklistGap.IDENTIFIERS, ChecklistGap.MEDICATION_LIST, ChecklistGap.ALLERGIES,
        ChecklistGap.BASELINE_VITALS_MISSING, ChecklistGap.PREMEDICATION_MISSING,
        ChecklistGap.PREMEDICATION_MISSING, ChecklistGap.SITE_NOT_ASSESSED)
    assert snapshot(world.sessions) == before


def test_the_checklist_reports_each_remaining_gap_as_items_are_done(world: World) -> None:
    seat(world)
    svc = world.svc.checklist
    svc.confirm_identifiers(world.appointment_id, [PatientIdentifier.FULL_NAME])
    assert ChecklistGap.IDENTIFIERS in [g.code for g in svc.gaps(world.appointment_id)]
    complete_checklist(world)
    assert svc.gaps(world.appointment_id) == ()
    checklist = svc.checklist(world.appointment_id)
    assert checklist.medication_list_reviewed is not None
    assert checklist.medication_list_reviewed.by == "Nurse A"
    assert {g.name for g in checklist.premedications_given} == {"methylprednisolone",
                                                                "diphenhydramine"}
    world.clock.advance(61)  # baseline vitals and site check go stale
    assert [g.code for g in svc.gaps(world.appointment_id)] == [
        ChecklistGap.BASELINE_VITALS_STALE, ChecklistGap.PREMEDICATION_TOO_EARLY,
        ChecklistGap.SITE_STALE]


def test_a_premedication_in_the_future_is_refused(world: World) -> None:
    result = world.svc.checklist.give_premedication(
        world.appointment_id, "diphenhydramine", given_at=world.clock.now + timedelta(minutes=5))
    assert codes(result) == (ServiceRefusal.TIME_IN_FUTURE,)


@BOTH_BACKENDS
def test_prepare_returns_the_program_and_confirm_stores_the_start(world: World) -> None:
    seat(world)
    complete_checklist(world)
    prepared = accepted(world.svc.infusions.prepare_start(world.appointment_id,
                                                           pump_id=world.pumps[0]))
    program = prepared.program
    assert (program.rate_ml_h, program.vtbi_ml, program.pump_id) == (40.0, 500.0, "P1")
    assert program.library_version == world.library.version
    events = EventStore(world.sessions)
    assert events.for_infusion(prepared.infusion_id) == []  # nothing runs before the pump says so
    started_at = world.clock.advance(1) - timedelta(seconds=20)
    accepted(world.svc.infusions.confirm_started(prepared.infusion_id, started_at))
    [start] = events.for_infusion(prepared.infusion_id)
    assert (start.kind, start.occurred_at, start.rate_ml_h, start.actor_user_id) == (
        InfusionEventKind.DELIVERY_START, started_at, 40.0, world.nurse.user_id)
    with world.sessions() as session:
        infusion = session.get_one(Infusion, prepared.infusion_id)
        assert infusion.status is InfusionStatus.RUNNING
        assert [(s.seq, s.rate_ml_h, s.ended_at) for s in infusion.segments] == [(1, 40.0, None)]
        assert session.get_one(Appointment, world.appointment_id).status \
            is AppointmentStatus.INFUSING
    actions = [e.action for e in AuditLog(world.sessions).entries(entity_type="infusions")]
    assert actions == ["infusion.prepared", "infusion.started"]
    # Confirming twice is refused: the infusion no longer waits to start.
    assert codes(world.svc.infusions.confirm_started(prepared.infusion_id, started_at)) == (
        ServiceRefusal.NOT_PREPARED, "appointment.transition_not_allowed")


@BOTH_BACKENDS
def test_a_pump_cannot_run_two_infusions(world: World) -> None:
    seat(world)
    complete_checklist(world)
    first = accepted(world.svc.infusions.prepare_start(world.appointment_id,
                                                        pump_id=world.pumps[0]))
    second = seated_and_ready(world, "MRN-2", "C2", drug_id="ocrelizumab-later",
                              volume_ml=500)
    # Both prepared on P1 before either runs: the second confirmation is refused.
    other = accepted(world.svc.infusions.prepare_start(second, pump_id=world.pumps[0]))
    accepted(world.svc.infusions.confirm_started(first.infusion_id, world.clock.now))
    before = snapshot(world.sessions)
    refused = world.svc.infusions.confirm_started(other.infusion_id, world.clock.now)
    assert codes(refused) == (ServiceRefusal.PUMP_IN_USE,)
    assert "chair C1" in refused.refusals[0].reason  # type: ignore[union-attr]
    assert codes(world.svc.infusions.prepare_start(second, pump_id=world.pumps[0])) == (
        ServiceRefusal.PUMP_IN_USE,)
    assert snapshot(world.sessions) == before
    # The free pump is fine; the same planned infusion is reused.
    again = accepted(world.svc.infusions.prepare_start(second, pump_id=world.pumps[1]))
    assert again.infusion_id == other.infusion_id
    accepted(world.svc.infusions.confirm_started(again.infusion_id, world.clock.now))


def _saline_ready(world: World) -> int:
    return seated_and_ready(world, "MRN-S", "C3", drug_id="sodium-chloride-0.9", volume_ml=1000)


@pytest.mark.parametrize(("rate", "reason", "expected"), [
    (None, "", (ProgrammingRefusal.NO_RATE,)),
    (1200, "", (ProgrammingRefusal.ABOVE_HARD_LIMIT,)),
    (1200, "doctor says so", (ProgrammingRefusal.ABOVE_HARD_LIMIT,)),
    (600, "", (ProgrammingRefusal.SOFT_LIMIT_NEEDS_REASON,)),
])
def test_library_limits_refuse_and_store_nothing(
    world: World, rate: float | None, reason: str, expected: tuple[str, ...]
) -> None:
    saline = _saline_ready(world)
    before = snapshot(world.sessions)
    result = world.svc.infusions.prepare_start(
        saline, pump_id=world.pumps[1], override_reason=reason,
        ordered_rate=None if rate is None else Rate(rate))
    assert codes(result) == expected
    assert snapshot(world.sessions) == before


@BOTH_BACKENDS
def test_a_soft_limit_override_is_recorded_with_its_reason(world: World) -> None:
    saline = _saline_ready(world)
    prepared = accepted(world.svc.infusions.prepare_start(
        saline, pump_id=world.pumps[1], ordered_rate=Rate(600),
        override_reason="fluid challenge ordered by Dr Who"))
    assert prepared.program.override is not None
    [override] = [e for e in AuditLog(world.sessions).entries(entity_type="infusions")
                  if e.action == "infusion.soft_limit_override"]
    assert override.detail_dict()["reason"] == "fluid challenge ordered by Dr Who"
    assert override.detail_dict()["rate_ml_h"] == 600
    accepted(world.svc.infusions.confirm_started(prepared.infusion_id, world.clock.now))
    assert world.svc.titration.view(prepared.infusion_id) is None  # fixed rate, no steps
    world.clock.advance(30)
    assert world.svc.titration.expected_end(prepared.infusion_id) == world.clock.now + \
        timedelta(hours=700 / 600)


def test_start_time_in_the_future_is_refused(world: World) -> None:
    seat(world)
    complete_checklist(world)
    prepared = accepted(world.svc.infusions.prepare_start(world.appointment_id,
                                                           pump_id=world.pumps[0]))
    later: datetime = world.clock.now + timedelta(minutes=10)
    assert codes(world.svc.infusions.confirm_started(prepared.infusion_id, later)) == (
        ServiceRefusal.TIME_IN_FUTURE,)


def test_start_before_seating_is_refused(world: World) -> None:
    accepted(world.svc.checkin.check_in(world.mrn))
    complete_checklist(world)
    assert codes(world.svc.infusions.prepare_start(world.appointment_id,
                                                   pump_id=world.pumps[0])) == (
        "appointment.transition_not_allowed",)
