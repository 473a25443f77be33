"""The record of one visit read back from a real SQLite file: every part it must carry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.records import load_visit_record
from station.records.visit_loader import VisitNotFoundError
from tests.records.visit import SEGMENT_VOLUMES, TOTAL_ML, BuiltVisit
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import World


@BOTH_BACKENDS
def test_the_record_carries_every_part_of_the_visit(world: World, visit: BuiltVisit) -> None:
    record = load_visit_record(world.sessions, visit.infusion_id)
    assert record.patient.mrn == "MRN-1" and record.patient.family_name == "Roe"
    assert record.order.drug == "ocrelizumab-later" and record.order.volume_ml == 500
    assert record.order.verified_by == "Nurse A"
    assert record.infusion.pump_serial == "P1" and record.infusion.chair == "C1"
    assert record.infusion.shortfall_reason == "patient asked to stop"
    assert record.infusion.started_by == "Nurse A" == record.infusion.completed_by

    assert {c.what for c in record.checks} == {
        "identifiers confirmed", "medication list reviewed", "allergies reviewed",
        "pre-medication given"}
    assert [s.volume_ml for s in record.segments] == pytest.approx(SEGMENT_VOLUMES)
    assert [s.rate_ml_h for s in record.segments] == [40, 80, 80, 120, 60, 120]

    assert [(p.reason, p.duration) for p in record.pauses] == [
        ("bathroom break", timedelta(minutes=12)), ("reaction", timedelta(minutes=10))]
    assert record.pauses[1].resume_mode == "half rate"
    assert [t.step for t in record.titration] == [2, 3, 3]

    (flushing,) = record.side_effects
    assert (flushing.kind, flushing.grade, flushing.action_taken) == (
        "flushing", 2, "interrupted")
    assert flushing.titration_step == 3 and flushing.rate_ml_h == 120

    assert len(record.vitals) == 3 and record.vitals[0].systolic_mmhg == 120
    assert record.site_checks[0].dressing_intact

    (alarm,) = record.alarms
    assert alarm.time_to_acknowledge == timedelta(seconds=40)
    assert alarm.recorded_cause == "line_kinked - line kinked under the arm"
    assert [s.kind for s in alarm.steps] == [
        "raised", "acknowledged", "cause_recorded", "condition_ended", "reset"]

    kinds = [e.kind for e in record.events]
    assert kinds.count("delivery_stop") == 2 and kinds[-1] == "delivery_complete"
    actions = {a.action for a in record.actions}
    assert {"infusion.started", "infusion.paused", "infusion.completed",
            "side_effect.recorded", "appointment.completed"} <= actions
    assert all(a.by == "Nurse A" for a in record.actions)

    assert record.totals.delivered_ml == pytest.approx(TOTAL_ML)
    assert record.totals.paused == timedelta(minutes=22)
    assert record.totals.delivering == timedelta(minutes=108)
    assert len(record.telemetry) == 261


def test_an_unknown_infusion_is_a_clear_error(world: World) -> None:
    with pytest.raises(VisitNotFoundError, match="no infusion 999"):
        load_visit_record(world.sessions, 999)
