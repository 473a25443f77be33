"""The records the monitoring may have to keep for the database, as plain JSON data.

A waiting write must outlive the process (`LocalSpool`), so it is kept as data, not as
a closure: an alarm transition (with what its alarm row hangs on), a pump event, a run
of telemetry samples, or a telemetry flush that failed (its statements, written again
as they are). Times are kept as ISO text with their zone (UTC) or as integer
microseconds, so a record written after a restart carries the time it happened.
"""

from __future__ import annotations

import base64
import enum
import json
import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np

from station.alarms import AlarmTransition, Cause, Priority, TransitionKind
from station.alarms.sink import CauseCode
from station.persistence import TelemetrySample
from station.persistence.events import InfusionEvent, InfusionEventKind, NotDeliveringReason
from station.persistence.people import ActorKind
from station.persistence.telemetry import pack_chunk, to_epoch_us
from station.persistence.telemetry_writer import ChunkWrite

Data = dict[str, Any]


class Kind(StrEnum):
    ALARM_RAISED = "alarm_raised"
    ALARM_STEP = "alarm_step"
    EVENT = "event"
    SAMPLES = "samples"  # samples taken while earlier records waited: one future chunk
    CHUNKS = "chunks"  # a telemetry flush that failed, as it was planned


@dataclass
class Spooled:
    """One record waiting for the database: its kind, a name for the log, its data."""

    kind: Kind
    what: str
    data: Data

    def payload(self) -> str:
        return json.dumps({"what": self.what, "data": self.data})

    @classmethod
    def of(cls, kind: str, payload: str) -> Spooled:
        decoded = json.loads(payload)
        return cls(Kind(kind), decoded["what"], decoded["data"])

    @property
    def samples(self) -> int:
        """Telemetry samples it holds (0 for an alarm or an event)."""
        if self.kind is Kind.SAMPLES:
            return len(self.data["t_us"])
        if self.kind is Kind.CHUNKS:
            return sum(int(row["n_samples"]) for row in self.data["rows"])
        return 0


# -- alarm transitions ------------------------------------------------------------------

def transition_record(transition: AlarmTransition, context: Data,
                      raised: Data | None) -> Spooled:
    """`context`: pump, infusion and chair rows; `raised`: how a later transition finds
    its alarm row after a restart (the RAISED's condition, time and context)."""
    t = transition
    kind = Kind.ALARM_RAISED if t.kind is TransitionKind.RAISED else Kind.ALARM_STEP
    data: Data = {
        "alarm_id": t.alarm_id, "chair": t.chair_id, "condition": t.condition,
        "kind": t.kind.value, "priority": t.priority.value, "at": t.at.isoformat(),
        "monotonic_s": t.monotonic_s, "actor": t.actor, "detail": t.detail,
        "cause": None if t.cause is None else [t.cause.code.value, t.cause.text],
        "pause_until": None if t.pause_until is None else t.pause_until.isoformat(),
        "context": context, "raised": raised,
    }
    return Spooled(kind, f"alarm {t.condition} {t.kind.value}", data)


def transition_of(data: Data) -> AlarmTransition:
    cause = data["cause"]
    return AlarmTransition(
        alarm_id=data["alarm_id"], chair_id=data["chair"], condition=data["condition"],
        kind=TransitionKind(data["kind"]), priority=Priority(data["priority"]),
        at=datetime.fromisoformat(data["at"]), monotonic_s=data["monotonic_s"],
        actor=data["actor"], detail=data["detail"],
        cause=None if cause is None else Cause(CauseCode(cause[0]), cause[1]),
        pause_until=None if data["pause_until"] is None
        else datetime.fromisoformat(data["pause_until"]))


# -- pump events ------------------------------------------------------------------------

_EVENT_ENUMS: dict[str, type[enum.Enum]] = {
    "kind": InfusionEventKind, "not_delivering_reason": NotDeliveringReason,
    "actor_kind": ActorKind}
_EVENT_FIELDS = ("infusion_id", "pump_id", "reason_detail", "rate_ml_h", "segment_volume_ml",
                 "total_volume_ml", "pump_online", "patient_id", "actor_user_id")


def event_record(what: str, event: InfusionEvent) -> Spooled:
    data: Data = {name: getattr(event, name) for name in _EVENT_FIELDS}
    for name in _EVENT_ENUMS:
        value = getattr(event, name)
        data[name] = None if value is None else value.value
    data["occurred_at"] = event.occurred_at.isoformat()
    return Spooled(Kind.EVENT, what, data)


def event_of(data: Data) -> InfusionEvent:
    """A new event row (not yet stored) from its record."""
    values: Data = {name: data[name] for name in _EVENT_FIELDS}
    for name, kind in _EVENT_ENUMS.items():
        values[name] = None if data[name] is None else kind(data[name])
    values["occurred_at"] = datetime.fromisoformat(data["occurred_at"])
    return InfusionEvent(**values)


# -- telemetry --------------------------------------------------------------------------

def samples_record(sample: TelemetrySample) -> Spooled:
    """A run of samples of one infusion, starting with `sample` (grown by `add_sample`)."""
    record = Spooled(Kind.SAMPLES, f"telemetry of infusion {sample.infusion_id}",
                     {"infusion_id": sample.infusion_id, "t_us": [], "rate": [],
                      "volume": [], "pressure": []})
    add_sample(record, sample)
    return record


def add_sample(record: Spooled, sample: TelemetrySample) -> None:
    data = record.data
    data["t_us"].append(to_epoch_us(sample.at))
    data["rate"].append(sample.rate_ml_h)
    data["volume"].append(sample.volume_ml)
    data["pressure"].append(math.nan if sample.pressure_mmhg is None else sample.pressure_mmhg)


def chunks_record(chunks: ChunkWrite) -> Spooled:
    rows = [{key: base64.b64encode(value).decode() if isinstance(value, bytes) else value
             for key, value in row.items()} for row in chunks.rows]
    return Spooled(Kind.CHUNKS, "a telemetry flush", {
        "delete_ids": list(chunks.delete_ids), "rows": rows,
        "binary": sorted({k for row in chunks.rows for k, v in row.items()
                          if isinstance(v, bytes)})})


def chunk_write_of(record: Spooled) -> ChunkWrite:
    """The statements that store a telemetry record (unique chunk keys: idempotent)."""
    data = record.data
    if record.kind is Kind.SAMPLES:
        row = pack_chunk(data["infusion_id"], np.asarray(data["t_us"], dtype=np.int64),
                         *(np.asarray(data[k], dtype=np.float64)
                           for k in ("rate", "volume", "pressure")))
        return ChunkWrite((), (row,))
    binary = set(data["binary"])
    rows = tuple({key: base64.b64decode(value) if key in binary else value
                  for key, value in row.items()} for row in data["rows"])
    return ChunkWrite(tuple(data["delete_ids"]), rows)
