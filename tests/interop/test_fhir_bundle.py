"""The visit's FHIR bundle parses back with fhir.resources (R4B models) and carries the
stored values: patient, pump, the administration with its rate changes, vitals, pump
rate and volume, and the reaction with its CTCAE grade."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from fhir.resources.R4B.bundle import Bundle

from station.interop.fhir_bundle import bundle_json, visit_bundle
from station.records import VisitRecord
from tests.records.visit import SEGMENT_VOLUMES, TOTAL_ML


def _by_type(bundle: Bundle) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in json.loads(bundle_json(bundle))["entry"]:
        out.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return out


def test_the_bundle_parses_back_and_carries_the_visit(record: VisitRecord) -> None:
    text = bundle_json(visit_bundle(record))
    parsed = Bundle.model_validate_json(text)
    assert parsed.type == "collection"
    res = _by_type(parsed)
    (patient,) = res["Patient"]
    assert patient["identifier"] == [{"system": "urn:infusion-station:mrn", "value": "MRN-1"}]
    assert patient["birthDate"] == "1975-01-02"
    (device,) = res["Device"]
    assert device["serialNumber"] == "P1"

    main, *segments = res["MedicationAdministration"]
    assert main["status"] == "completed"
    assert main["dosage"]["dose"]["value"] == pytest.approx(TOTAL_ML)
    notes = [n["text"] for n in main["note"]]
    assert notes[0].endswith("for bathroom break") and "patient asked to stop" in notes[-1]
    assert [s["dosage"]["rateQuantity"]["value"] for s in segments] == [
        40, 80, 80, 120, 60, 120]
    assert [s["dosage"]["dose"]["value"] for s in segments] == pytest.approx(
        SEGMENT_VOLUMES)
    assert {s["dosage"]["rateQuantity"]["code"] for s in segments} == {"mL/h"}

    observations = res["Observation"]
    vitals = [o for o in observations if o["category"][0]["coding"][0]["code"]
              == "vital-signs"]
    pump = [o for o in observations if o not in vitals]
    assert len(vitals) == 3 * 5  # three sets: a BP panel and four single values each
    bp = vitals[0]["component"]
    assert [c["valueQuantity"]["value"] for c in bp] == [120, 80]
    assert len(pump) == 27  # every 5 min over 130 min
    assert pump[0]["code"]["coding"][0]["display"] == "MDC_FLOW_FLUID_PUMP"
    assert pump[-1]["component"][0]["valueQuantity"]["value"] == pytest.approx(
        TOTAL_ML)

    (reaction,) = res["AdverseEvent"]
    severity = reaction["severity"]["coding"]
    assert severity[0]["code"] == "moderate" and severity[1]["display"] == "CTCAE Grade 2"
    assert reaction["event"]["text"] == "flushing, CTCAE grade 2; action: interrupted"
    assert "meta" not in reaction


def test_a_training_bundle_is_tagged_on_every_resource(record: VisitRecord) -> None:
    data = json.loads(bundle_json(visit_bundle(record, training=True)))
    for resource in [data, *(e["resource"] for e in data["entry"])]:
        assert resource["meta"]["tag"][0]["code"] == "TRAINING"
        assert resource["meta"]["security"][0]["code"] == "HTEST"


def test_the_library_refuses_a_broken_bundle(record: VisitRecord) -> None:
    data = json.loads(bundle_json(visit_bundle(record)))
    data["entry"][0]["resource"]["birthDate"] = "24/11/1975"
    with pytest.raises(pydantic.ValidationError):
        Bundle.model_validate(data)
