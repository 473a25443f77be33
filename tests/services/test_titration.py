"""Titration through the services: per-kg protocol, vitals at each increase, expected end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.domain.programming import ProgrammingRefusal
from station.domain.titration_state import TitrationRefusal
from station.persistence.audit_log import AuditLog
from station.services.codes import ServiceRefusal
from tests.services.world import (
    NORMAL_VITALS,
    World,
    accepted,
    codes,
    saline_running,
    seated_and_ready,
    snapshot,
)


def _ivig_ready(world: World) -> int:
    return seated_and_ready(world, "MRN-I", "C2", drug_id="ivig-octagam-10", volume_ml=350)


def test_a_per_kg_drug_needs_the_weight(world: World) -> None:
    ivig = _ivig_ready(world)
    assert codes(world.svc.infusions.prepare_start(ivig, pump_id=world.pumps[0])) == (
        ProgrammingRefusal.WEIGHT_REQUIRED,)


def test_ivig_steps_need_fresh_vitals_and_the_nurse_confirmation_is_stored(world: World) -> None:
    svc = world.svc
    ivig = _ivig_ready(world)
    prepared = accepted(svc.infusions.prepare_start(ivig, pump_id=world.pumps[0], weight_kg=70))
    assert prepared.program.rate_ml_h == pytest.approx(42)  # 0.01 mL/kg/min x 70 kg x 60
    t0 = world.clock.now
    accepted(svc.infusions.confirm_started(prepared.infusion_id, t0))
    view = svc.titration.view(prepared.infusion_id)
    assert view is not None
    assert [round(s.rate_ml_h) for s in view.plan.steps] == [42, 84, 168, 252, 336]
    assert view.expected_end == view.plan.expected_end
    world.clock.advance(30)
    before = snapshot(world.sessions)
    assert codes(svc.titration.confirm_step(prepared.infusion_id)) == (
        TitrationRefusal.VITALS_REQUIRED,)  # baseline vitals are 30 min old
    assert snapshot(world.sessions) == before
    accepted(svc.observations.record_vitals(ivig, NORMAL_VITALS, taken_at=world.clock.now))
    view = accepted(svc.titration.confirm_step(prepared.infusion_id))
    assert view.rate_ml_h == pytest.approx(84)
    assert view.delivered_ml == pytest.approx(21)
    assert view.next_due == world.clock.now + timedelta(minutes=30)
    [step] = [e for e in AuditLog(world.sessions).entries(entity_type="infusions")
              if e.action == "titration.step_confirmed"]
    assert step.detail_dict()["step"] == 2
    assert step.detail_dict()["vitals_taken_at"] == world.clock.now.isoformat()
    assert step.actor_user_id == world.nurse.user_id


def test_a_fixed_rate_infusion_has_no_steps_to_confirm(world: World) -> None:
    _, infusion_id = saline_running(world, rate_ml_h=250, volume_ml=1000)
    assert codes(world.svc.titration.confirm_step(infusion_id)) == (ServiceRefusal.NO_TITRATION,)
    assert world.svc.titration.check_rate(infusion_id, 250).ok
