"""IHE PCD-04 (ACM Report Alert): ORU^R40^ORU_R40, one alarm state change per message.

Each message carries the alert as the seven OBX facets of the ACM profile (event,
source, phase, alarm state, inactivation state, priority, alert type); OBX-4 ends in
the facet number. The alarm state and inactivation state are replayed from the stored
transitions. A recorded cause is sent as an ``update`` with the cause in an NTE.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from station.interop import hl7_segments as hl7
from station.interop import mdc
from station.records.visit_record import AlarmRow, AlarmStep, VisitRecord

PROFILE = "IHE_PCD_ACM_001^IHE PCD"
PRIORITY = {"high": "PH", "medium": "PM", "low": "PL", "advisory": "PN"}
ALERT_TYPE = {"physiological": "SP", "technical": "ST"}
# Our alarm codes with an MDC event term; the others go as local codes (99IS).
EVENT_TERMS = {"occlusion": mdc.EVT_FLUID_LINE_OCCL}


@dataclass(frozen=True)
class AlertState:
    """What PCD-04 reports after a transition."""

    phase: str
    state: str  # inactive, active, latched
    inactivation: str  # enabled, audio-paused, acknowledged, ...
    priority: str


def _next(previous: AlertState, step: AlarmStep, latching: bool) -> AlertState:
    prio = step.priority
    match step.kind:
        case "raised" | "condition_returned":
            return AlertState("start", "active", "enabled", prio)
        case "audio_paused":
            return replace(previous, phase="update", inactivation="audio-paused", priority=prio)
        case "audio_resumed":
            return replace(previous, phase="update", inactivation="enabled", priority=prio)
        case "acknowledged":
            return replace(previous, phase="acknowledged", inactivation="acknowledged",
                           priority=prio)
        case "escalated":
            return replace(previous, phase="escalate", priority=prio)
        case "condition_ended":
            return AlertState("end", "latched" if latching else "inactive",
                              previous.inactivation, prio)
        case "reset":
            return AlertState("reset", "inactive", "enabled", prio)
        case "closed":
            return AlertState("stop", "inactive", "enabled", prio)
        case _:  # cause_recorded and anything later added: no change of state
            return replace(previous, phase="update", priority=prio)


def alert_states(alarm: AlarmRow) -> list[tuple[AlarmStep, AlertState]]:
    """Each transition of the alarm with the state it leaves."""
    state = AlertState("start", "active", "enabled", alarm.priority)
    out = []
    for step in alarm.steps:
        state = _next(state, step, alarm.latching)
        out.append((step, state))
    return out


def control_id(record: VisitRecord, alarm: AlarmRow, index: int, *, training: bool) -> str:
    return hl7.message_id(f"IS{record.infusion.infusion_id}A{alarm.alarm_id}T{index}",
                          training=training)


def pcd04_message(record: VisitRecord, alarm: AlarmRow, index: int, step: AlarmStep,
                  state: AlertState, *, sender: hl7.Sender = hl7.DEFAULT_SENDER,
                  training: bool = False) -> str:
    """The ORU^R40 of the ``index``-th transition of ``alarm``."""
    cid = control_id(record, alarm, index, training=training)
    msg = hl7.new_message(hl7.Header("R40", "ORU_R40", cid, step.at, PROFILE), sender,
                          training=training)
    obs = hl7.Observations(hl7.add_patient(msg, record), mdc.EVT_ALARM, step.at,
                           placer=f"IS{record.infusion.infusion_id}",
                           filler=f"ALARM{alarm.alarm_id}", training=training)
    term = EVENT_TERMS.get(alarm.code)
    event = term.cwe if term else f"{hl7.escape(alarm.code)}^{hl7.escape(alarm.code)}^99IS"
    base = "1.1.1.1"
    obs.add(mdc.EVT_ALARM, f"{base}.1", event, value_type="CWE")
    obs.add(mdc.ATTR_ALERT_SOURCE, f"{base}.2", mdc.PUMP_MDS.cwe, value_type="CWE",
            equipment=record.infusion.pump_serial)
    obs.add(mdc.ATTR_EVENT_PHASE, f"{base}.3", state.phase, value_type="ST")
    obs.add(mdc.ATTR_ALARM_STATE, f"{base}.4", state.state, value_type="ST")
    obs.add(mdc.ATTR_ALARM_INACTIVATION_STATE, f"{base}.5", state.inactivation,
            value_type="ST")
    obs.add(mdc.ATTR_ALARM_PRIORITY, f"{base}.6", PRIORITY[state.priority], value_type="ST")
    alert_type = "SA" if state.priority == "advisory" else ALERT_TYPE[alarm.category]
    obs.add(mdc.ATTR_ALERT_TYPE, f"{base}.7", alert_type, value_type="ST")
    cause = step.cause or (alarm.cause if step.kind == "raised" else "")
    if cause:
        obs.note(cause)
    return hl7.finish(msg)


def pcd04_messages(record: VisitRecord, *, sender: hl7.Sender = hl7.DEFAULT_SENDER,
                   training: bool = False) -> hl7.Outgoing:
    """(control id, message) for every transition of every alarm of the visit."""
    out = []
    for alarm in record.alarms:
        for index, (step, state) in enumerate(alert_states(alarm)):
            out.append((control_id(record, alarm, index, training=training),
                        pcd04_message(record, alarm, index, step, state, sender=sender,
                                      training=training)))
    return out
