"""Markers from the station's records carry what a nurse needs on hover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from station.alarms import ChairAlarms, ManualClock, MemorySink, TransitionKind
from station.domain.refusals import Accepted
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom, record_side_effect
from station.domain.titration_state import StepConfirmation
from station.domain.vital_signs import VitalSign, record_vital_signs
from ui.models.markers import alarm_marker, side_effect_marker, titration_marker, vitals_marker
from ui.models.series_buffer import MarkerKind
from ui.plots.marker_lane import hover_text

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def test_side_effect_marker_shows_symptom_and_grade_with_the_action_on_hover() -> None:
    result = record_side_effect(Symptom.NAUSEA, ReactionGrade.MODERATE,
                                observed_at=NOW - timedelta(minutes=2), recorded_by="rn-042",
                                rate_ml_h=120.0, action_taken=ActionTaken.RATE_HALVED, now=NOW)
    assert isinstance(result, Accepted)
    marker = side_effect_marker(result.value)
    assert marker.kind is MarkerKind.SIDE_EFFECT
    assert marker.label == "nausea, grade 2"
    assert "Grade 2 (moderate) at 120 mL/h" in marker.detail
    assert "Action: rate halved" in marker.detail and "rn-042" in marker.detail
    assert marker.t == (NOW - timedelta(minutes=2)).timestamp()
    assert "Side effects: nausea, grade 2" in hover_text(marker)


def test_vitals_marker_lists_every_value_with_its_unit() -> None:
    result = record_vital_signs({VitalSign.SYSTOLIC_BP: 124, VitalSign.DIASTOLIC_BP: 78,
                                 VitalSign.HEART_RATE: 72, VitalSign.SPO2: 98},
                                taken_at=NOW, taken_by="rn-042", now=NOW)
    assert isinstance(result, Accepted)
    marker = vitals_marker(result.value)
    assert marker.label == "BP 124/78, HR 72"
    assert "oxygen saturation: 98 %" in marker.detail


def test_titration_and_alarm_markers() -> None:
    step = titration_marker(StepConfirmation(1, 80.0, NOW, "rn-042"))
    assert (step.kind, step.label) == (MarkerKind.TITRATION, "step 2: 80 mL/h")
    sink = MemorySink()
    ChairAlarms("chair-1", sink, ManualClock(NOW)).raise_condition("occlusion",
                                                                   detail="rise 40 mmHg/min")
    raised = sink.transitions[0]
    assert raised.kind is TransitionKind.RAISED
    marker = alarm_marker(raised)
    assert marker.label == "** MEDIUM Occlusion"  # priority in symbol and word
    assert marker.detail == "raised: rise 40 mmHg/min"
