"""FHIR Observations of a visit: vital signs (LOINC, UCUM) and pump rate and volume (MDC)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from station.interop import mdc
from station.interop.pcd01 import sample_indexes
from station.records.visit_record import VisitRecord, VitalsRow

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MDC_SYSTEM = "urn:iso:std:iso:11073:10101"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
Json = dict[str, Any]

# (attribute, LOINC, display, UCUM unit)
_VITALS = [
    ("heart_rate_bpm", "8867-4", "Heart rate", "/min"),
    ("respiratory_rate_pm", "9279-1", "Respiratory rate", "/min"),
    ("temperature_c", "8310-5", "Body temperature", "Cel"),
    ("spo2_percent", "59408-5", "Oxygen saturation in arterial blood by pulse oximetry", "%"),
]


def quantity(value: float, unit: str) -> Json:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def mdc_concept(term: mdc.Term) -> Json:
    return {"coding": [{"system": MDC_SYSTEM, "code": str(term.code), "display": term.name}]}


def _loinc(code: str, display: str) -> Json:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


def _base(category: str, code: Json, at: datetime, subject: str, by_device: str = "") -> Json:
    obs: Json = {"resourceType": "Observation", "status": "final",
                 "category": [{"coding": [{"system": CATEGORY, "code": category}]}],
                 "code": code, "subject": {"reference": subject},
                 "effectiveDateTime": at.isoformat()}
    if by_device:
        obs["device"] = {"reference": by_device}
    return obs


def vital_observations(vitals: VitalsRow, subject: str) -> list[Json]:
    """One Observation per value taken; blood pressure as a panel with two components."""
    out = []
    if vitals.systolic_mmhg is not None and vitals.diastolic_mmhg is not None:
        bp = _base("vital-signs", _loinc("85354-9", "Blood pressure panel"),
                   vitals.observed_at, subject)
        bp["component"] = [
            {"code": _loinc("8480-6", "Systolic blood pressure"),
             "valueQuantity": quantity(vitals.systolic_mmhg, "mm[Hg]")},
            {"code": _loinc("8462-4", "Diastolic blood pressure"),
             "valueQuantity": quantity(vitals.diastolic_mmhg, "mm[Hg]")}]
        out.append(bp)
    for attr, code, display, unit in _VITALS:
        value = getattr(vitals, attr)
        if value is not None:
            obs = _base("vital-signs", _loinc(code, display), vitals.observed_at, subject)
            obs["valueQuantity"] = quantity(value, unit)
            out.append(obs)
    return out


def pump_observations(record: VisitRecord, subject: str, device: str,
                      interval_s: float) -> list[Json]:
    """Rate (MDC_FLOW_FLUID_PUMP) with the volume infused as a component, per interval."""
    series = record.telemetry
    out = []
    for i in sample_indexes(series.times_us, interval_s):
        at = datetime.fromtimestamp(int(series.times_us[i]) / 1e6, UTC)
        obs = _base("procedure", mdc_concept(mdc.FLOW_FLUID_PUMP), at, subject, device)
        obs["valueQuantity"] = quantity(round(float(series.rate_ml_h[i]), 3), "mL/h")
        obs["component"] = [{"code": mdc_concept(mdc.VOL_INFUS_ACTUAL_TOTAL),
                             "valueQuantity": quantity(round(float(series.volume_ml[i]), 3),
                                                       "mL")}]
        out.append(obs)
    return out
