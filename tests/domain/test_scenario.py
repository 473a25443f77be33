"""One Ocrevus first dose end to end, the way a service would chain the rules."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from station.domain.checkin import (
    Appointment,
    Authorisation,
    CheckInFacts,
    PreparedDose,
    check_in,
)
from station.domain.completion import DeliverySegment, SegmentEnd, complete_infusion, discharge
from station.domain.drug_library_loader import load_drug_library
from station.domain.pauses import (
    PauseAlarmLevel,
    PauseReason,
    ResumeRate,
    pause_status,
    resume,
    start_pause,
    walking_help,
)
from station.domain.programming import InfusionOrder
from station.domain.side_effects import (
    ActionTaken,
    ReactionGrade,
    Symptom,
    allowed_resume_rates,
    record_side_effect,
)
from station.domain.start import StartRequest, start_infusion
from station.domain.titration_state import (
    TitrationRefusal,
    account_pause,
    check_rate_against_step,
    confirm_next_step,
    expected_end,
    halve_rate,
    next_step_due,
)
from tests.domain.helpers import NOW, accepted, minutes, reasons, refusal_codes
from tests.domain.test_checklist import COMPLETE


def test_ocrevus_first_dose_with_a_bathroom_break_and_a_reaction() -> None:
    lib = load_drug_library()
    drug = lib.drug("ocrelizumab-first")
    intervals = lib.monitoring(drug.id, "infusion-centre")
    facts = CheckInFacts(Appointment(NOW), True,
                         Authorisation("PA-9", date(2026, 1, 1), date(2026, 12, 31)),
                         PreparedDose(NOW - minutes(90), NOW + timedelta(hours=8)), True)
    accepted(check_in(facts, NOW - minutes(45), ZoneInfo("Europe/Zurich")))

    start = accepted(start_infusion(
        StartRequest(InfusionOrder(drug.id, 250), drug, COMPLETE, "pump-1", lib.version),
        now=NOW, by="rn1"))
    state = start.titration
    assert state is not None and start.plan is not None
    planned_end = start.plan.expected_end

    # 30 min: step 2 (60 mL/h); the pump confirms the rate.
    state = accepted(confirm_next_step(state, now=NOW + minutes(30), by="rn1"))
    assert check_rate_against_step(state, 60).ok

    # 40 min: bathroom break; diphenhydramine was a pre-medication, so help to walk.
    pause = accepted(start_pause(PauseReason.BATHROOM_BREAK, at=NOW + minutes(40), by="rn1",
                                 rate_before_ml_h=state.rate_ml_h, now=NOW + minutes(40)))
    given = [p.name for p in COMPLETE.premedications_given]
    assert walking_help(given, lib.sedating_medications, dizziness_recorded=False).needed
    assert pause_status(pause, intervals, NOW + minutes(52)).level is PauseAlarmLevel.MEDIUM
    back = accepted(resume(pause, mode=ResumeRate.SAME, at=NOW + minutes(52), by="rn1",
                           now=NOW + minutes(52)))
    state = account_pause(state, back.duration)
    assert next_step_due(state) == NOW + minutes(72)
    delivered = 15 + 10  # step 1, then 10 min at 60 mL/h
    assert expected_end(state, now=NOW + minutes(52), delivered_ml=delivered) == (
        planned_end + minutes(12))

    # 60 min: grade 2 flushing; Ocrevus halves the rate and holds it 30 min.
    effect = accepted(record_side_effect(
        Symptom.FLUSHING, ReactionGrade.MODERATE, observed_at=NOW + minutes(60),
        recorded_by="rn1", rate_ml_h=state.rate_ml_h, action_taken=ActionTaken.RATE_HALVED,
        now=NOW + minutes(60), label_halves_mild=True))
    assert effect.rate_ml_h == 60
    state = halve_rate(state, now=NOW + minutes(60))
    assert state.rate_ml_h == 30
    assert accepted(allowed_resume_rates(effect, None)) == frozenset({ResumeRate.HALF})
    held = confirm_next_step(state, now=NOW + minutes(80), by="rn1")
    assert refusal_codes(held) == (TitrationRefusal.REACTION_HOLD,)
    state = accepted(confirm_next_step(state, now=NOW + minutes(90), by="rn1"))
    assert state.rate_ml_h == 60

    # Delivery ends; observe 1 h; discharge after post-infusion vitals.
    segments = (
        DeliverySegment(NOW, 30, NOW + minutes(40), SegmentEnd.STOPPED, 20),
        DeliverySegment(NOW + minutes(52), 60, NOW + minutes(215), SegmentEnd.COMPLETED, 230),
    )
    done = accepted(complete_infusion(segments, ordered_ml=250, observation=drug.observation,
                                      completed_at=NOW + minutes(215), completed_by="rn1",
                                      now=NOW + minutes(215)))
    assert done.volumes.total_ml == pytest.approx(250)
    left = discharge(done, now=NOW + minutes(260), by="rn1",
                     last_vitals_at=NOW + minutes(250), reaction_unresolved=False)
    assert "ends in 15 min" in reasons(left)
    accepted(discharge(done, now=NOW + minutes(275), by="rn1",
                       last_vitals_at=NOW + minutes(270), reaction_unresolved=False))
