"""Storage of what the monitoring sees: alarm transitions, pump events, telemetry.

Built on station/persistence: `AlarmLog` (an alarm and its RAISED transition in one
durable commit, then each later transition), `EventStore` (communication status
changes, PCD-10 vocabulary), `TelemetryWriter` (batches at most 1 s behind) and the
pump rows. Used from the monitoring thread only (the telemetry writer is not
thread-safe). Alarm and event writes go through one `WriteBacklog`, so they keep their
order while the database is unavailable; so does telemetry once a flush has failed
(the writer hands its buffer over) until the backlog is written. With a `LocalSpool`
what waits is on the station's disk too, and `start` writes what an earlier run left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import PumpInfo, Sample
from station.alarms import CONDITIONS, AlarmTransition, ConditionSpec, Source, TransitionKind
from station.alarms.sink import SYSTEM_ACTOR
from station.monitoring.alarm_restore import Now, OpenAlarm, load_open_alarms
from station.monitoring.backlog import WriteBacklog
from station.monitoring.program import InfusionProgram, load_program
from station.monitoring.pump_registry import PumpRegistry
from station.monitoring.spool import LocalSpool
from station.monitoring.spool_records import (
    Data,
    Kind,
    Spooled,
    chunk_write_of,
    chunks_record,
    event_of,
    event_record,
    transition_of,
    transition_record,
)
from station.persistence import (
    AlarmLog,
    EventStore,
    RecordRejectedError,
    StorageError,
    TelemetrySample,
    TelemetryWriter,
)
from station.persistence import alarms as stored
from station.persistence.errors import storage_errors
from station.persistence.events import InfusionEvent, InfusionEventKind
from station.persistence.people import ActorKind
from station.persistence.telemetry_writer import write_chunks
from station.persistence.unit_of_work import write_transaction

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

LookedUp = TypeVar("LookedUp")
_TEXT_MAX = 500  # String(500) columns of the alarm tables
_EVENT_DETAIL_MAX = 200  # infusion_events.reason_detail


@dataclass(frozen=True)
class RecordContext:
    """What a chair's records hang on: its pump's row and the infusion it runs."""

    pump_id: int | None = None
    infusion_id: int | None = None
    chair_id: int | None = None  # the `chairs` row labelled with the chair's id, if any


class MonitorRecorder:
    """Stores alarms, pump events and telemetry; keeps failed writes for a retry."""

    def __init__(self, sessions: sessionmaker[Session], *, utc_now: Callable[[], datetime],
                 monotonic: Callable[[], float],
                 conditions: Mapping[str, ConditionSpec] = CONDITIONS,
                 spool: LocalSpool | None = None) -> None:
        """`conditions`: the unit's alarm table (category and latching are stored);
        `spool`: where waiting records are kept on the station's disk (None: memory)."""
        self.pumps = PumpRegistry(sessions)
        self._conditions = conditions
        self._sessions = sessions
        self._alarms = AlarmLog(sessions)
        self._events = EventStore(sessions, utc_now)
        self._telemetry = TelemetryWriter(sessions, clock=monotonic)
        self._backlog = WriteBacklog(self._write, self._stored, spool)
        self._stored_ids: dict[str, int] = {}  # engine alarm id -> alarms.id
        self._raised: dict[str, Data] = {}  # engine alarm id -> how its row is found
        self._lookup_refused = False  # the last lookup failed

    @property
    def lookup_refused(self) -> bool:
        """The last lookup failed: its None means "unknown", not "none"."""
        return self._lookup_refused

    @property
    def refusing(self) -> bool:
        """The database refuses writes or lookups now (`storage_unavailable`)."""
        return bool(self._backlog) or self._lookup_refused

    @property
    def waiting(self) -> int:
        """Records kept because the database refused them (a run of samples is one)."""
        return len(self._backlog)

    @property
    def spool_error(self) -> str | None:
        """Why waiting records are in memory only (the local spool cannot be written)."""
        return self._backlog.spool_error

    @property
    def rejected(self) -> int:
        """Alarm and event writes the database refused for good (logged, set aside)."""
        return len(self._backlog.rejected)

    @property
    def telemetry_pending(self) -> int:
        return self._telemetry.pending + self._backlog.samples

    def stored_alarm_id(self, alarm_id: str) -> int | None:
        """The `alarms.id` of an engine alarm (None while its RAISED record waits)."""
        return self._stored_ids.get(alarm_id)

    # -- alarms -------------------------------------------------------------------------

    def start(self) -> None:
        """Write first what an earlier run left in the spool (on the monitoring thread,
        before the chairs read their open alarms back)."""
        if self._backlog.load():
            self._backlog.retry()

    def alarm_transition(self, transition: AlarmTransition, context: RecordContext) -> None:
        """Store one transition (the RAISED one creates the alarm row)."""
        where: Data = {"pump_id": context.pump_id, "infusion_id": context.infusion_id,
                       "chair_id": context.chair_id}
        if transition.kind is TransitionKind.RAISED:
            self._raised[transition.alarm_id] = {
                "condition": transition.condition, "at": transition.at.isoformat(),
                "context": where}
        record = transition_record(transition, where, self._raised.get(transition.alarm_id))
        record.data["alarm_row"] = self._stored_ids.get(transition.alarm_id)
        self._backlog.run(record)

    def open_alarms(self, chair_row: int | None, port_url: str,
                    now: Now) -> list[OpenAlarm] | None:
        """The chair's alarms stored open before a restart; None while unreadable."""
        return self.look_up(f"the open alarms at {port_url}", lambda: load_open_alarms(
            self._sessions, chair_row=chair_row, port_url=port_url, now=now))

    def adopt(self, engine_alarm_id: str, stored_id: int) -> None:
        """Later transitions of a restored engine alarm go to its stored row."""
        self._stored_ids[engine_alarm_id] = stored_id

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
            cause=_clip(f"{spec.what_happened} {transition.detail}".strip(), _TEXT_MAX),
            infusion_id=context.infusion_id,
            pump_id=context.pump_id,
            chair_id=context.chair_id,
            actor_kind=kind,
            actor_user_id=user_id,
        )
        self._stored_ids[transition.alarm_id] = self._alarms.raise_alarm(alarm)

    def _alarm_row(self, condition: str, raised_at: datetime,
                   context: RecordContext) -> int | None:
        """The stored alarm raised at `raised_at` (its commit's answer may have been lost,
        or an earlier run stored it)."""
        return self._looked_up_exists(sa.select(stored.Alarm.id).where(
            stored.Alarm.code == condition, stored.Alarm.raised_at == raised_at,
            _same(stored.Alarm.pump_id, context.pump_id),
            _same(stored.Alarm.chair_id, context.chair_id)))

    def _step_row(self, transition: AlarmTransition, data: Data) -> int | None:
        """The alarm row a later transition goes to: known, or found by its RAISED."""
        known = self._stored_ids.get(transition.alarm_id) or data["alarm_row"]
        if known is None and data["raised"] is not None:
            raised = data["raised"]
            known = self._alarm_row(raised["condition"], datetime.fromisoformat(raised["at"]),
                                    RecordContext(**raised["context"]))
        if known is not None:
            self._stored_ids[transition.alarm_id] = known
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
            cause="" if cause is None else _clip(cause.text, _TEXT_MAX),
            detail=_clip(_who(transition, user_id) + transition.detail, _TEXT_MAX),
            pause_until=transition.pause_until,
            actor_kind=kind,
            actor_user_id=user_id,
        ))

    # -- pump events --------------------------------------------------------------------

    def communication_changed(self, context: RecordContext, *, online: bool,
                              occurred_at: datetime, detail: str) -> None:
        """A communication status change (PCD-10): the link went down or came back."""
        event = InfusionEvent(
            kind=InfusionEventKind.COMMUNICATION_STATUS_CHANGE,
            infusion_id=context.infusion_id,
            pump_id=context.pump_id,
            occurred_at=occurred_at,
            pump_online=online,
            reason_detail=_clip(detail, _EVENT_DETAIL_MAX),
            actor_kind=ActorKind.STATION,
            actor_user_id=None,
        )
        self.pump_event(f"communication {'up' if online else 'down'} event", event)

    def pump_event(self, what: str, event: InfusionEvent) -> None:
        """Store one pump event, in order with the alarm transitions (kept if refused)."""
        event.reason_detail = _clip(event.reason_detail, _EVENT_DETAIL_MAX)
        self._backlog.run(event_record(what, event))

    def _event_already(self, event: InfusionEvent) -> bool:
        """The same event (kind, time, pump, infusion, text) is stored already."""
        return self._looked_up_exists(sa.select(InfusionEvent.id).where(
            InfusionEvent.kind == event.kind, InfusionEvent.occurred_at == event.occurred_at,
            _same(InfusionEvent.pump_id, event.pump_id),
            _same(InfusionEvent.infusion_id, event.infusion_id),
            InfusionEvent.reason_detail == event.reason_detail)) is not None

    # -- what the backlog writes ------------------------------------------------------

    def _write(self, record: Spooled) -> None:
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

    def _stored(self, record: Spooled) -> bool:
        """Whether a record tried before is in the database already."""
        data = record.data
        if record.kind is Kind.ALARM_RAISED:
            transition = transition_of(data)
            found = self._alarm_row(transition.condition, transition.at,
                                    RecordContext(**data["context"]))
            if found is not None:
                self._stored_ids[transition.alarm_id] = found
            return found is not None
        if record.kind is Kind.ALARM_STEP:
            return self._step_already(transition_of(data), data)
        if record.kind is Kind.EVENT:
            return self._event_already(event_of(data))
        return False  # telemetry: its chunks are inserted only where their key is free

    # -- pumps and telemetry ------------------------------------------------------------

    def register_pump(self, info: PumpInfo, port_url: str) -> int | None:
        """The pump's row id; None (logged) when the database cannot be reached now."""
        return self.look_up(f"pump {info.serial_number} at {port_url}",
                               lambda: self.pumps.register(info, port_url))

    def chair_row(self, label: str) -> int | None:
        return self.look_up(f"chair {label}", lambda: self.pumps.chair_row(label))

    def active_infusion(self, pump_id: int) -> int | None:
        return self.look_up(f"the infusion of pump {pump_id}",
                               lambda: self.pumps.active_infusion(pump_id))

    def program(self, infusion_id: int) -> InfusionProgram | None:
        """The infusion's stored VTBI and expected rate; None while it cannot be read."""
        return self.look_up(f"the program of infusion {infusion_id}",
                               lambda: load_program(self._sessions, infusion_id))

    def look_up(self, what: str, lookup: Callable[[], LookedUp | None]) -> LookedUp | None:
        """A row, or None (logged) while the database cannot answer: monitoring goes on."""
        try:
            found = lookup()
        except StorageError as exc:
            self._lookup_refused = True
            log.error("cannot look up %s: %s", what, exc)
            return None
        self._lookup_refused = False
        return found

    def sample(self, infusion_id: int, sample: Sample) -> None:
        """Buffer one sample (flushed at most 1 s after the oldest buffered one)."""
        self.telemetry_row(TelemetrySample(infusion_id, sample.at.utc, sample.rate_ml_h,
                                           sample.volume_ml, sample.pressure_mmhg))

    def telemetry_row(self, row: TelemetrySample) -> None:
        """Buffer one telemetry row (a sample, or the NaN row that marks a gap)."""
        if self._backlog.holds_telemetry:  # behind the samples that wait, in order
            self._backlog.add_sample(row)
        else:
            self._telemetry_write(lambda: self._telemetry.add(row))

    def tick(self) -> None:
        """Retry waiting writes; flush telemetry that is due."""
        self._backlog.retry()
        if not self._backlog.holds_telemetry:
            self._telemetry_write(self._telemetry.flush_if_due)

    def close(self) -> None:
        """Last attempt at everything buffered; what the database still refuses stays
        in the spool for the next start (logged)."""
        self._backlog.retry()
        if not self._backlog.holds_telemetry:
            self._telemetry_write(self._telemetry.close)
        if self._backlog:
            log.error("%d records not stored at close (%s)", len(self._backlog),
                      self._backlog.spool_error or "kept in the spool for the next start")
        self._backlog.close()

    def _telemetry_write(self, write: Callable[[], object]) -> None:
        # What the writer could not store waits in the backlog (and the spool) from now
        # on, with the samples that follow it, until the backlog is written.
        try:
            write()
        except StorageError as exc:
            log.error("cannot store telemetry (%d samples waiting): %s",
                      self._telemetry.pending, exc)
            failed, rest = self._telemetry.hand_over()
            if failed is not None:
                self._backlog.keep(chunks_record(failed))
            for sample in rest:
                self._backlog.add_sample(sample)


class StoringSink:
    """An alarm engine's transition sink: stored durably (or kept for a retry), then
    kept for the next update to subscribers."""

    def __init__(self, recorder: MonitorRecorder, context: Callable[[], RecordContext]) -> None:
        self._recorder = recorder
        self._context = context
        self.recent: list[AlarmTransition] = []

    def record(self, transition: AlarmTransition) -> None:
        self._recorder.alarm_transition(transition, self._context())
        self.recent.append(transition)

    def take(self) -> tuple[AlarmTransition, ...]:
        taken, self.recent = tuple(self.recent), []
        return taken


def _same(column: sa.ColumnElement[int | None] | Any, value: int | None) -> Any:
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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
