"""A FHIR Bundle per visit, validated with fhir.resources.

fhir.resources ships FHIR R4 4.0.1 only in releases 6.0-6.1 (pydantic 1, unmaintained
since 2022); its maintained releases (8.x, pydantic 2) ship R5 and R4B 4.3.0. The
bundle is therefore validated against **R4B** (``fhir.resources.R4B``): Patient,
Device, MedicationAdministration, Observation and AdverseEvent have the same elements
in R4 and R4B, and the bundle uses nothing added in R4B.
"""

from __future__ import annotations

import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from station.interop import mdc
from station.interop.fhir_observations import (
    MDC_SYSTEM,
    Json,
    pump_observations,
    quantity,
    vital_observations,
)
from station.records.training import TRAINING_MARK, TRAINING_NOTICE
from station.records.visit_record import SegmentRow, SideEffectRow, VisitRecord

_NAMESPACE = uuid.UUID("6f1b1b7e-54a3-4d1f-9b0e-3f3c2a7d0c11")
MRN_SYSTEM = "urn:infusion-station:mrn"
SERIAL_SYSTEM = "urn:infusion-station:pump-serial"
SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
# CTCAE grade -> (HL7 severity, NCI Thesaurus concept of the grade)
_GRADES = {1: ("mild", "C41338"), 2: ("moderate", "C41339"), 3: ("severe", "C41340"),
           4: ("severe", "C41337"), 5: ("severe", "C48275")}
_MA_STATUS = {"completed": "completed", "running": "in-progress", "paused": "on-hold",
              "aborted": "stopped", "planned": "not-done"}


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(str(p) for p in parts))}"


def visit_bundle(record: VisitRecord, *, training: bool = False,
                 pump_interval_s: float = 300.0) -> Bundle:
    """The visit as a validated R4(B) ``collection`` Bundle (raises on an invalid one)."""
    inf = record.infusion.infusion_id
    patient, device, main = _urn(inf, "patient"), _urn(inf, "device"), _urn(inf, "ma")
    resources: list[tuple[str, Json]] = [(patient, _patient(record)), (device, _device(record)),
                                         (main, _administration(record, patient, device))]
    for segment in record.segments:
        resources.append((_urn(inf, "segment", segment.seq),
                          _segment(record, segment, patient, device, main)))
    for vitals in record.vitals:
        for n, obs in enumerate(vital_observations(vitals, patient)):
            resources.append((_urn(inf, "vitals", vitals.vitals_id, n), obs))
    for n, obs in enumerate(pump_observations(record, patient, device, pump_interval_s)):
        resources.append((_urn(inf, "pump", n), obs))
    for effect in record.side_effects:
        resources.append((_urn(inf, "ae", effect.side_effect_id),
                          _adverse_event(effect, patient, main)))
    bundle: Json = {"resourceType": "Bundle", "id": str(uuid.uuid5(_NAMESPACE, f"{inf}")),
                    "type": "collection",
                    "entry": [{"fullUrl": url, "resource": _stamp(res, training)}
                              for url, res in resources]}
    return Bundle.model_validate(_stamp(bundle, training))


def _stamp(resource: Json, training: bool) -> Json:
    if training:
        resource["meta"] = {
            "tag": [{"system": "urn:infusion-station", "code": TRAINING_MARK,
                     "display": TRAINING_NOTICE}],
            "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                          "code": "HTEST", "display": "test health data"}]}
    return resource


def _patient(record: VisitRecord) -> Json:
    p = record.patient
    return {"resourceType": "Patient",
            "identifier": [{"system": MRN_SYSTEM, "value": p.mrn}],
            "name": [{"family": p.family_name, "given": [p.given_name]}],
            "birthDate": p.date_of_birth.isoformat()}


def _device(record: VisitRecord) -> Json:
    inf = record.infusion
    device: Json = {"resourceType": "Device",
                    "identifier": [{"system": SERIAL_SYSTEM, "value": inf.pump_serial}],
                    "serialNumber": inf.pump_serial,
                    "type": {"coding": [{"system": MDC_SYSTEM, "code": str(mdc.PUMP_MDS.code),
                                         "display": mdc.PUMP_MDS.name}]}}
    if inf.pump_model:
        device["deviceName"] = [{"name": inf.pump_model, "type": "model-name"}]
    return device


def _period(start: Any, end: Any) -> Json:
    period = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    return period


def _administration(record: VisitRecord, patient: str, device: str) -> Json:
    """The whole infusion: total volume, period, pauses and the shortfall as notes."""
    inf, order = record.infusion, record.order
    notes = [f"paused {p.started_at.isoformat()} for {p.reason}"
             + (f" ({p.note})" if p.note else "") for p in record.pauses]
    if inf.shortfall_reason:
        notes.append(f"short of the order: {inf.shortfall_reason}")
    ma: Json = {
        "resourceType": "MedicationAdministration", "status": _MA_STATUS[inf.status],
        "medicationCodeableConcept": {"text": f"{order.drug} {order.dose_amount:g} "
                                              f"{order.dose_unit} in {order.diluent}"},
        "subject": {"reference": patient}, "device": [{"reference": device}],
        "effectivePeriod": _period(inf.started_at or inf.booked_at, inf.ended_at),
        "dosage": {"route": {"text": order.route},
                   "dose": quantity(record.totals.delivered_ml, "mL")}}
    if notes:
        ma["note"] = [{"text": n} for n in notes]
    return ma


def _segment(record: VisitRecord, segment: SegmentRow, patient: str, device: str,
             main: str) -> Json:
    """One delivery segment: a rate change is a new part with its own rate and volume."""
    ma: Json = {
        "resourceType": "MedicationAdministration",
        "status": "completed" if segment.ended_at else "in-progress",
        "partOf": [{"reference": main}],
        "medicationCodeableConcept": {"text": record.order.drug},
        "subject": {"reference": patient}, "device": [{"reference": device}],
        "effectivePeriod": _period(segment.started_at, segment.ended_at),
        "dosage": {"text": f"segment {segment.seq}", "route": {"text": record.order.route},
                   "rateQuantity": quantity(segment.rate_ml_h, "mL/h")}}
    if segment.volume_ml is not None:
        ma["dosage"]["dose"] = quantity(segment.volume_ml, "mL")
    return ma


def _adverse_event(effect: SideEffectRow, patient: str, main: str) -> Json:
    severity, ncit = _GRADES[effect.grade]
    what = effect.other_text or effect.kind
    resolved = effect.reassessed_at is not None and effect.reassessed_grade is None
    return {
        "resourceType": "AdverseEvent", "actuality": "actual",
        "event": {"text": f"{what}, CTCAE grade {effect.grade}; action: "
                          f"{effect.action_taken or 'none recorded'}"},
        "subject": {"reference": patient}, "date": effect.observed_at.isoformat(),
        "severity": {"coding": [{"system": SEVERITY, "code": severity},
                                {"system": NCIT, "code": ncit,
                                 "display": f"CTCAE Grade {effect.grade}"}],
                     "text": f"CTCAE grade {effect.grade}"},
        "outcome": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
            "code": "resolved" if resolved else "ongoing"}]},
        "suspectEntity": [{"instance": {"reference": main}}]}


def bundle_json(bundle: Bundle) -> str:
    """The bundle as FHIR JSON text."""
    text: str = bundle.model_dump_json(exclude_none=True, indent=1)
    return text
