"""PCD-01, PCD-10 and PCD-04 of a stored visit parse back with hl7apy and carry the
stored values: titration steps, a bathroom break (a stop and a start), a reaction."""

from __future__ import annotations

from functools import partial

import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from station.interop.hl7_read import ReadMessage, read_message
from station.interop.pcd01 import pcd01_messages
from station.interop.pcd04 import pcd04_messages
from station.interop.pcd10 import pcd10_messages
from station.records import VisitRecord
from tests.records.visit import RATES

EVENT = "MDC_ATTR_EVT_COND"


def _read(messages: list[tuple[str, str]]) -> list[ReadMessage]:
    out = [read_message(text) for _, text in messages]
    assert [m.control_id for m in out] == [cid for cid, _ in messages]
    return out


def _event_name(message: ReadMessage) -> str:
    return message.values(EVENT)[0].split("^")[1]


def test_pcd10_has_one_event_per_message_as_stored(record: VisitRecord) -> None:
    messages = pcd10_messages(record)
    for _, text in messages:  # the whole ORU_R01 structure, strictly, by the library
        parsed = parse_message(text, validation_level=VALIDATION_LEVEL.STRICT,
                               find_groups=True)
        assert parsed.validate()
    read = _read(messages)
    assert {m.message_type for m in read} == {"ORU^R42^ORU_R01"}
    assert [(_event_name(m), m.values("MDC_FLOW_FLUID_PUMP")) for m in read] == [
        ("MDC_EVT_PUMP_DELIV_START", ["40"]), ("MDC_EVT_PUMP_DELIV_START", ["80"]),
        ("MDC_EVT_PUMP_DELIV_STOP", ["80"]), ("MDC_EVT_PUMP_DELIV_START", ["80"]),
        ("MDC_EVT_PUMP_DELIV_START", ["120"]), ("MDC_EVT_PUMP_DELIV_STOP", ["120"]),
        ("MDC_EVT_PUMP_DELIV_START", ["60"]), ("MDC_EVT_PUMP_DELIV_START", ["120"]),
        ("MDC_EVT_PUMP_DELIV_COMP", ["120"])]
    bathroom, reaction = (m for m in read if _event_name(m) == "MDC_EVT_PUMP_DELIV_STOP")
    assert bathroom.values("MDC_DEV_PUMP_NOT_DELIVERING_REASON") == [
        "pump-stopped-by-clinician"]
    reason = next(o for o in bathroom.observations
                  if o.name == "MDC_DEV_PUMP_NOT_DELIVERING_REASON")
    assert reason.notes == ("bathroom break",)
    assert (bathroom.values("MDC_VOL_FLUID_DELIV_SEGMENT"),
            bathroom.values("MDC_VOL_FLUID_DELIV_TOTAL")) == (["20"], ["40"])
    assert "reaction: grade 2 flushing" in reaction.notes
    assert reaction.values("MDC_VOL_FLUID_DELIV_TOTAL") == ["76"]
    complete = read[-1]
    assert complete.values("MDC_VOL_FLUID_DELIV_SEGMENT") == ["20"]
    assert complete.values("MDC_VOL_FLUID_DELIV_TOTAL") == ["126"]
    assert complete.values("MDC_VOL_FLUID_TBI_REMAIN") == ["374"]
    rate = next(o for o in complete.observations if o.name == "MDC_FLOW_FLUID_PUMP")
    assert (rate.code, rate.sub_id, rate.unit) == ("157784", "1.1.2.3", "MDC_DIM_MILLI_L_PER_HR")
    assert complete.fields["PID.3"].startswith("MRN-1^") and complete.processing_id == "P"
    assert complete.fields["PV1.3"] == "^^C1"
    mds = complete.observations[0]
    assert mds.name == "MDC_DEV_PUMP_INFUS_MDS"


def test_pcd04_reports_priority_state_and_inactivation_per_transition(
        record: VisitRecord) -> None:
    read = _read(pcd04_messages(record))
    assert {m.message_type for m in read} == {"ORU^R40^ORU_R40"}
    facets = [tuple(m.values(name)[0] for name in (
        "MDC_ATTR_EVENT_PHASE", "MDC_ATTR_ALARM_STATE", "MDC_ATTR_ALARM_INACTIVATION_STATE",
        "MDC_ATTR_ALARM_PRIORITY", "MDC_ATTR_ALERT_TYPE")) for m in read]
    assert facets == [
        ("start", "active", "enabled", "PH", "ST"),
        ("acknowledged", "active", "acknowledged", "PH", "ST"),
        ("update", "active", "acknowledged", "PH", "ST"),
        ("end", "latched", "acknowledged", "PH", "ST"),  # a latching alarm stays latched
        ("reset", "inactive", "enabled", "PH", "ST"),
    ]
    assert {m.values("MDC_EVT_ALARM")[0] for m in read} == {
        "196940^MDC_EVT_FLUID_LINE_OCCL^MDC"}
    assert read[0].notes == ("downstream pressure above the limit",)
    assert read[2].notes == ("line_kinked - line kinked under the arm",)
    assert [o.sub_id for o in read[0].observations] == [f"1.1.1.1.{n}" for n in range(1, 8)]


def test_pcd01_reports_the_telemetry_every_interval(record: VisitRecord) -> None:
    # hl7apy takes ~50 ms a message here: every 5 min keeps the test short.
    read = _read(pcd01_messages(record, interval_s=300))
    assert len(read) == 27 and {m.message_type for m in read} == {"ORU^R01^ORU_R01"}
    expected = [[r for m, r in RATES if m <= minute][-1] for minute in range(0, 131, 5)]
    rates = [float(m.values("MDC_FLOW_FLUID_PUMP")[0]) for m in read]
    assert rates == expected
    volumes = [float(m.values("MDC_VOL_INFUS_ACTUAL_TOTAL")[0]) for m in read]
    assert volumes[-1] == pytest.approx(126, abs=1e-3)
    assert volumes == sorted(volumes)


@pytest.mark.parametrize("build", [partial(pcd01_messages, interval_s=3600), pcd04_messages,
                                   pcd10_messages])
def test_a_training_message_says_so(record: VisitRecord, build: object) -> None:
    assert callable(build)
    real = {cid for cid, _ in build(record)}
    for message in _read(build(record, training=True)[:3]):
        assert message.processing_id == "T"
        assert message.control_id.startswith("T") and message.control_id not in real
        assert any("TRAINING" in note for note in message.notes)
