"""Plot markers made from the station's records: titration steps, side effects, vitals, alarms.

Qt-free. Each function turns one domain record into a `Marker` whose short label sits
on the plot and whose detail is what a nurse reads on hover (a side effect's symptom
and grade, the vital values, who confirmed a step, what an alarm said).
"""

from __future__ import annotations

from station.alarms import AlarmTransition
from station.domain.side_effects import SideEffect
from station.domain.titration_state import StepConfirmation
from station.domain.vital_signs import VITAL_SPECS, VitalSign, VitalSignsRecord
from ui.alarms.palette import STYLES
from ui.models.alarm_rows import condition_title
from ui.models.series_buffer import Marker, MarkerKind, epoch

_GRADE_WORDS = {1: "mild", 2: "moderate", 3: "severe", 4: "life-threatening"}


def titration_marker(step: StepConfirmation) -> Marker:
    return Marker(epoch(step.at), MarkerKind.TITRATION,
                  f"step {step.index + 1}: {step.rate_ml_h:g} mL/h",
                  f"confirmed by {step.by}")


def side_effect_marker(effect: SideEffect) -> Marker:
    """Symptom and CTCAE grade on the plot; action and who recorded it on hover."""
    grade = int(effect.grade)
    symptom = effect.other_text or effect.symptom.value
    detail = [f"Grade {grade} ({_GRADE_WORDS.get(grade, '')}) at {effect.rate_ml_h:g} mL/h",
              f"Action: {effect.action_taken.value} (suggested: {effect.suggested.value})"]
    if effect.deviation_reason:
        detail.append(f"Reason for a different action: {effect.deviation_reason}")
    detail.append(f"Recorded by {effect.recorded_by}")
    return Marker(epoch(effect.observed_at), MarkerKind.SIDE_EFFECT,
                  f"{symptom}, grade {grade}", "\n".join(detail))


def vitals_marker(record: VitalSignsRecord) -> Marker:
    values = record.values
    parts = []
    if VitalSign.SYSTOLIC_BP in values and VitalSign.DIASTOLIC_BP in values:
        parts.append(f"BP {values[VitalSign.SYSTOLIC_BP]:.0f}/"
                     f"{values[VitalSign.DIASTOLIC_BP]:.0f}")
    if VitalSign.HEART_RATE in values:
        parts.append(f"HR {values[VitalSign.HEART_RATE]:.0f}")
    lines = [f"{VITAL_SPECS[sign].label}: {VITAL_SPECS[sign].show(value)}"
             for sign, value in values.items()]
    lines.append(f"Taken by {record.taken_by}")
    return Marker(epoch(record.taken_at), MarkerKind.VITALS, ", ".join(parts) or "vital signs",
                  "\n".join(lines))


def alarm_marker(transition: AlarmTransition) -> Marker:
    """A raised (or escalated) alarm: priority as symbol and word, never colour alone."""
    style = STYLES[transition.priority]
    label = f"{style.badge()} {condition_title(transition.condition)}"
    detail = f"{transition.kind.value.replace('_', ' ')}"
    if transition.detail:
        detail += f": {transition.detail}"
    return Marker(epoch(transition.at), MarkerKind.ALARM, label, detail)
