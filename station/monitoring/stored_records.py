"""The records the monitoring's backlog writes, and whether one tried before is stored.

`StoredRecords` turns an alarm transition into its record (with what a later
transition needs to find the alarm row again, also after a restart), writes any record
of the backlog (the alarm log, the event store, telemetry chunks) and answers the
backlog's question before a retry: is it there already (its commit's answer may have
been lost, or an earlier run stored it)? Alarms are found by condition, time, pump,
chair and (a station-wide one) station; transitions by alarm row, kind and time;
events by kind, time, pump, infusion and text; telemetry needs no question (unique
chunk keys, inserted only when new).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import AlarmTransition, ConditionSpec, Source, TransitionKind
from station.alarms.sink import SYSTEM_ACTOR
from station.monitoring.spool_records import (
    Data,
    Kind,
    Spooled,
    chunk_write_of,
    event_of,
    transition_of,
    transition_record,
)
from station.persistence import AlarmLog, EventStore, RecordRejectedError
from station.persistence import alarms as stored
from station.persistence.errors import storage_errors
from station.persistence.events import InfusionEvent
from station.persistence.people import ActorKind
from station.persistence.telemetry_writer import write_chunks
from station.persistence.unit_of_work import write_transaction

_TEXT_MAX = 500  # String(500) columns of the alarm tables


@dataclass(frozen=True)
class RecordContext:
    """What a chair's records hang on: its pump's row and the infusion it runs."""

    pump_id: int | None = None
    infusion_id: int | None = None
    chair_id: int | None = None  # the `chairs` row labelled with the chair's id, if any
    station: str | None = None  # a station-wide alarm's station (its name in the unit)


class StoredRecords:
    """Writes the backlog's records; keeps which stored alarm row each engine alarm has."""

    def __init__(self, sessions: sessionmaker[Session], events: EventStore,
                 conditions: Mapping[str, ConditionSpec]) -> None:
        self._sessions = sessions
        self._alarms = AlarmLog(sessions)
        self._events = events
        self._conditions = conditions
        self.stored_ids: dict[str, int] = {}  # engine alarm id -> alarms.id
        self._raised: dict[str, Data] = {}  # engine alarm id -> how its row is found

    def transition(self, transition: AlarmTransition, context: RecordContext) -> Spooled:
        """The record of one transition (the RAISED one creates the alarm row)."""
        where: Data = {"pump_id": context.pump_id, "infusion_id": context.infusion_id,
                       "chair_id": context.chair_id, "station": context.station}
        if transition.kind is TransitionKind.RAISED:
            self._raised[transition.alarm_id] = {
                "condition": transition.condition, "at": transition.at.isoformat(),
                "context": where}
        record = transition_record(transition, where, self._raised.get(transition.alarm_id))
        record.data["alarm_row"] = self.stored_ids.get(transition.alarm_id)
        return record

    def write(self, record: Spooled) -> None:
        """Store one record (a StorageError leaves it for a retry)."""
        data = record.data
        if record.kind is Kind.ALARM_RAISED:
            transition = transition_of(data)
            self._store_raised(transition, RecordContext(**data["context"]))
        elif record.kind is Kind.ALARM_STEP:
            self._store_step(transition_of(data), data)
        elif record.kind is Kind.EVENT:
            self._events.append(event_of(data))
        else:
            with write_transaction(self._sessions, "store telemetry") as session:
                write_chunks(session, chunk_write_of(record))

    def stored(self, record: Spooled) -> bool:
        """Whether a record tried before is in the database already."""
        data = record.data
        if record.kind is Kind.ALARM_RAISED:
            transition = transition_of(data)
            found = self._alarm_row(transition.condition, transition.at,
                                    RecordContext(**data["context"]))
            if found is not None:
                self.stored_ids[transition.alarm_id] = found
            return found is not None
        if record.kind is Kind.ALARM_STEP:
            return self._step_already(transition_of(data), data)
        if record.kind is Kind.EVENT:
            return self._event_already(event_of(data))
        return False  # telemetry: its chunks are inserted only where their key is free

    def _store_raised(self, transition: AlarmTransition, context: RecordContext) -> None:
        spec = self._conditions[transition.condition]
        kind, user_id = _actor(transition)
        if transition.actor == SYSTEM_ACTOR and spec.source is Source.PUMP:
            kind = ActorKind.PUMP
        alarm = stored.Alarm(
            code=transition.condition,
            priority=stored.AlarmPriority(transition.priority.value),
            category=stored.AlarmCategory(spec.category.value),
            latching=spec.latched,
            raised_at=transition.at,
            cause=clip(f"{spec.what_happened} {transition.detail}".strip(), _TEXT_MAX),
            infusion_id=context.infusion_id,
            pump_id=context.pump_id,
            chair_id=context.chair_id,
            station=context.station,
            actor_kind=kind,
            actor_user_id=user_id,
        )
        self.stored_ids[transition.alarm_id] = self._alarms.raise_alarm(alarm)

    def _alarm_row(self, condition: str, raised_at: datetime,
                   context: RecordContext) -> int | None:
        """The stored alarm raised at `raised_at` (its commit's answer may have been lost,
        or an earlier run stored it)."""
        return self._looked_up_exists(sa.select(stored.Alarm.id).where(
            stored.Alarm.code == condition, stored.Alarm.raised_at == raised_at,
            _same(stored.Alarm.pump_id, context.pump_id),
            _same(stored.Alarm.chair_id, context.chair_id),
            _same(stored.Alarm.station, context.station)))

    def _step_row(self, transition: AlarmTransition, data: Data) -> int | None:
        """The alarm row a later transition goes to: known, or found by its RAISED."""
        known = self.stored_ids.get(transition.alarm_id) or data["alarm_row"]
        if known is None and data["raised"] is not None:
            raised = data["raised"]
            known = self._alarm_row(raised["condition"], datetime.fromisoformat(raised["at"]),
                                    RecordContext(**raised["context"]))
        if known is not None:
            self.stored_ids[transition.alarm_id] = known
        return known

    def _step_already(self, transition: AlarmTransition, data: Data) -> bool:
        alarm_row = self._step_row(transition, data)
        return alarm_row is not None and self._looked_up_exists(
            sa.select(stored.AlarmTransition.id).where(
                stored.AlarmTransition.alarm_id == alarm_row,
                stored.AlarmTransition.kind == stored.AlarmTransitionKind(transition.kind.value),
                stored.AlarmTransition.at == transition.at)) is not None

    def _looked_up_exists(self, stmt: sa.Select[Any]) -> int | None:
        with storage_errors("cannot check what is stored"), self._sessions() as session:
            found = session.scalars(stmt.limit(1)).first()
        return None if found is None else int(found)

    def _store_step(self, transition: AlarmTransition, data: Data) -> None:
        kind, user_id = _actor(transition)
        cause = transition.cause
        stored_id = self._step_row(transition, data)
        if stored_id is None:  # its RAISED was refused for good (see WriteBacklog)
            raise RecordRejectedError(f"alarm {transition.condition} has no stored row")
        self._alarms.record(stored.AlarmTransition(
            alarm_id=stored_id,
            kind=stored.AlarmTransitionKind(transition.kind.value),
            priority=stored.AlarmPriority(transition.priority.value),
            at=transition.at,
            cause_code=None if cause is None else cause.code.value,
            cause="" if cause is None else clip(cause.text, _TEXT_MAX),
            detail=clip(_who(transition, user_id) + transition.detail, _TEXT_MAX),
            pause_until=transition.pause_until,
            actor_kind=kind,
            actor_user_id=user_id,
        ))

    def _event_already(self, event: InfusionEvent) -> bool:
        """The same event (kind, time, pump, infusion, text) is stored already."""
        return self._looked_up_exists(sa.select(InfusionEvent.id).where(
            InfusionEvent.kind == event.kind, InfusionEvent.occurred_at == event.occurred_at,
            _same(InfusionEvent.pump_id, event.pump_id),
            _same(InfusionEvent.infusion_id, event.infusion_id),
            InfusionEvent.reason_detail == event.reason_detail)) is not None


def _same(column: sa.ColumnElement[Any] | Any, value: int | str | None) -> Any:
    return column.is_(None) if value is None else column == value


def _actor(transition: AlarmTransition) -> tuple[ActorKind, int | None]:
    if transition.actor == SYSTEM_ACTOR:
        return ActorKind.STATION, None
    user_id = int(transition.actor) if transition.actor.isdigit() else None
    return ActorKind.USER, user_id


def _who(transition: AlarmTransition, user_id: int | None) -> str:
    """A user known only by name (not a users row) is named in the detail."""
    if transition.actor == SYSTEM_ACTOR or user_id is not None:
        return ""
    return f"by {transition.actor}: "


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
