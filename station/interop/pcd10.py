"""IHE PCD-10 (IPEC) infusion events: ORU^R42^ORU_R01, one event per message.

A pause is a Delivery Stop (``pump-stopped-by-clinician``, our reason in an NTE) and
the resumption a Delivery Start; a titration step or a halving is a Delivery Start at
the new rate; the end is a Delivery Complete with the segment and total volumes.
"""

from __future__ import annotations

from station.interop import hl7_segments as hl7
from station.interop import mdc
from station.records.visit_record import EventRow, VisitRecord

PROFILE = "IHE_PCD_010^IHE PCD^1.3.6.1.4.1.19376.1.6.4.10^ISO"

EVENT_TERMS = {
    "delivery_start": mdc.EVT_PUMP_DELIV_START,
    "delivery_stop": mdc.EVT_PUMP_DELIV_STOP,
    "delivery_complete": mdc.EVT_PUMP_DELIV_COMP,
    "communication_status_change": mdc.EVT_COMM_STATUS_CHANGE,
    "patient_change": mdc.EVT_PATIENT_CHANGE,
    "counters_cleared": mdc.EVT_PUMP_VOL_COUNTERS_CLEARED,
}
# NotDeliveringReason -> the IPEC value of MDC_DEV_PUMP_NOT_DELIVERING_REASON.
NOT_DELIVERING = {
    "stopped_by_clinician": "pump-stopped-by-clinician",
    "alarm": "pump-alarm",
    "standby": "pump-standby",
    "other": "other",
}
DELIVERY_STATUS = {"delivery_start": "infusing", "delivery_stop": "stopped",
                   "delivery_complete": "complete"}


def control_id(record: VisitRecord, event: EventRow, *, training: bool) -> str:
    return hl7.message_id(f"IS{record.infusion.infusion_id}E{event.event_id}",
                          training=training)


def pcd10_message(record: VisitRecord, event: EventRow, *, sender: hl7.Sender = hl7.DEFAULT_SENDER,
                  training: bool = False) -> str:
    """The ORU^R42 of one stored infusion event (ER7 text, segments ending in CR)."""
    cid = control_id(record, event, training=training)
    msg = hl7.new_message(hl7.Header("R42", "ORU_R01", cid, event.occurred_at, PROFILE), sender,
                          training=training)
    result = hl7.add_patient(msg, record)
    obs = hl7.Observations(result, mdc.PUMP_MDS, event.occurred_at,
                           placer=f"ORD{record.order.order_id}",
                           filler=f"IS{record.infusion.infusion_id}", training=training)
    obs.add(mdc.PUMP_MDS, "1", equipment=record.infusion.pump_serial)
    obs.add(mdc.ATTR_EVT_COND, "1.0.0.1", EVENT_TERMS[event.kind].cwe, value_type="CWE")
    obs.add(mdc.PUMP_VMD, "1.1")
    obs.add(mdc.CHAN_SOURCE, "1.1.2")
    status = DELIVERY_STATUS.get(event.kind)
    if status:
        obs.add(mdc.CURRENT_DELIVERY_STATUS, "1.1.2.1", status, value_type="ST")
    if event.not_delivering_reason or event.kind == "delivery_complete":
        reason = NOT_DELIVERING.get(event.not_delivering_reason or "", "delivery-complete")
        obs.add(mdc.NOT_DELIVERING_REASON, "1.1.2.2", reason, value_type="ST")
    if event.reason_detail:
        obs.note(event.reason_detail)
    if event.rate_ml_h is not None:
        obs.number(mdc.FLOW_FLUID_PUMP, "1.1.2.3", event.rate_ml_h, mdc.ML_PER_H)
    if record.infusion.vtbi_ml is not None:
        obs.number(mdc.VOL_FLUID_TBI, "1.1.2.4", record.infusion.vtbi_ml, mdc.ML)
    if event.segment_volume_ml is not None:
        obs.number(mdc.VOL_FLUID_DELIV_SEGMENT, "1.1.2.5", event.segment_volume_ml, mdc.ML)
    if event.total_volume_ml is not None:
        obs.number(mdc.VOL_FLUID_DELIV_TOTAL, "1.1.2.6", event.total_volume_ml, mdc.ML)
        if record.infusion.vtbi_ml is not None:
            obs.number(mdc.VOL_FLUID_TBI_REMAIN, "1.1.2.7",
                       max(0.0, record.infusion.vtbi_ml - event.total_volume_ml), mdc.ML)
    obs.add(mdc.DRUG_NAME_LABEL, "1.1.2.8", hl7.escape(record.order.drug), value_type="ST")
    if record.infusion.library_version:
        obs.add(mdc.PUMP_DRUG_LIBRARY_VERSION, "1.1.2.9",
                hl7.escape(record.infusion.library_version), value_type="ST")
    if record.infusion.patient_weight_kg is not None:
        obs.number(mdc.ATTR_PT_WEIGHT, "1.1.2.10", record.infusion.patient_weight_kg, mdc.KG)
    return hl7.finish(msg)


def pcd10_messages(record: VisitRecord, *, sender: hl7.Sender = hl7.DEFAULT_SENDER,
                   training: bool = False) -> hl7.Outgoing:
    """(control id, message) for every stored event of the visit, in occurrence order."""
    return [(control_id(record, e, training=training),
             pcd10_message(record, e, sender=sender, training=training))
            for e in record.events if e.kind in EVENT_TERMS]
