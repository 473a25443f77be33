"""Storage of what the monitoring sees: alarm transitions, pump events, telemetry.

Built on station/persistence: `AlarmLog` (an alarm and its RAISED transition in one
durable commit, then each later transition), `EventStore` (communication status
changes, PCD-10 vocabulary), `TelemetryWriter` (batches at most 1 s behind) and the
pump rows. Used from the monitoring thread only (the telemetry writer is not
thread-safe). Alarm and event writes go through one `WriteBacklog`, so they keep their
order while the database is unavailable.
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
                 conditions: Mapping[str, ConditionSpec] = CONDITIONS) -> None:
        """`conditions`: the unit's alarm table (category and latching are stored)."""
        self.pumps = PumpRegistry(sessions)
        self._conditions = conditions
        self._sessions = sessions
        self._alarms = AlarmLog(sessions)
        self._events = EventStore(sessions, utc_now)
        self._telemetry = TelemetryWriter(sessions, clock=monotonic)
        self._backlog = WriteBacklog()
        self._stored_ids: dict[str, int] = {}  # engine alarm id -> alarms.id
        self._lookup_refused = False  # the last lookup failed
        self._telemetry_refused = False  # the last telemetry write failed, samples wait

    @property
    def lookup_refused(self) -> bool:
        """The last lookup failed: its None means "unknown", not "none"."""
        return self._lookup_refused

    @property
    def refusing(self) -> bool:
        """The database refuses writes or lookups now (`storage_unavailable`)."""
        return bool(self._backlog) or self._lookup_refused or self._telemetry_refused

    @property
    def waiting(self) -> int:
        """Alarm and event writes kept because the database refused them."""
        return len(self._backlog)

    @property
    def rejected(self) -> int:
        """Alarm and event writes the database refused for good (logged, set aside)."""
        return len(self._backlog.rejected)

    @property
    def telemetry_pending(self) -> int:
        return self._telemetry.pending

    def stored_alarm_id(self, alarm_id: str) -> int | None:
        """The `alarms.id` of an engine alarm (None while its RAISED record waits)."""
        return self._stored_ids.get(alarm_id)

    # -- alarms -------------------------------------------------------------------------

    def alarm_transition(self, transition: AlarmTransition, context: RecordContext) -> None:
        """Store one transition (the RAISED one creates the alarm row)."""
        if transition.kind is TransitionKind.RAISED:
            self._backlog.run(f"alarm {transition.condition} raised",
                              lambda: self._store_raised(transition, context),
                              lambda: self._raised_already(transition, context))
        else:
            self._backlog.run(f"alarm {transition.condition} {transition.kind}",
                              lambda: self._store_step(transition),
                              lambda: self._step_already(transition))

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

    def _raised_already(self, transition: AlarmTransition, context: RecordContext) -> bool:
        """The alarm row of this RAISED is stored (its commit's answer was lost)."""
        found = self._looked_up_exists(sa.select(stored.Alarm.id).where(
            stored.Alarm.code == transition.condition, stored.Alarm.raised_at == transition.at,
            _same(stored.Alarm.pump_id, context.pump_id),
            _same(stored.Alarm.chair_id, context.chair_id)))
        if found is not None:
            self._stored_ids[transition.alarm_id] = found
        return found is not None

    def _step_already(self, transition: AlarmTransition) -> bool:
        return self._looked_up_exists(sa.select(stored.AlarmTransition.id).where(
            stored.AlarmTransition.alarm_id == self._stored_ids[transition.alarm_id],
            stored.AlarmTransition.kind == stored.AlarmTransitionKind(transition.kind.value),
            stored.AlarmTransition.at == transition.at)) is not None

    def _looked_up_exists(self, stmt: sa.Select[Any]) -> int | None:
        with storage_errors("cannot check what is stored"), self._sessions() as session:
            found = session.scalars(stmt.limit(1)).first()
        return None if found is None else int(found)

    def _store_step(self, transition: AlarmTransition) -> None:
        kind, user_id = _actor(transition)
        cause = transition.cause
        stored_id = self._stored_ids.get(transition.alarm_id)
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
        self.pump_event(f"communication {'up' if online else 'down'} event", event,
                        lambda: self._looked_up_exists(sa.select(InfusionEvent.id).where(
                            InfusionEvent.kind == event.kind,
                            InfusionEvent.occurred_at == occurred_at,
                            InfusionEvent.pump_online == online,
                            _same(InfusionEvent.pump_id, context.pump_id))) is not None)

    def pump_event(self, what: str, event: InfusionEvent,
                   stored: Callable[[], bool] | None = None) -> None:
        """Store one pump event, in order with the alarm transitions (kept if refused);
        `stored`: whether it is in the database already (asked before a retry)."""
        event.reason_detail = _clip(event.reason_detail, _EVENT_DETAIL_MAX)
        self._backlog.run(what, lambda: self._events.append(event), stored)

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
        self._telemetry_write(lambda: self._telemetry.add(row))

    def tick(self) -> None:
        """Retry waiting writes; flush telemetry that is due."""
        self._backlog.retry()
        self._telemetry_write(self._telemetry.flush_if_due)

    def close(self) -> None:
        """Last attempt at everything buffered (logged if the database still refuses)."""
        self._backlog.retry()
        self._telemetry_write(self._telemetry.close)
        if self._backlog:
            log.error("%d alarm or event records not stored at close", len(self._backlog))

    def _telemetry_write(self, write: Callable[[], object]) -> None:
        # The writer keeps what it could not store and tries again a lag period later.
        try:
            write()
        except StorageError as exc:
            self._telemetry_refused = True
            log.error("cannot store telemetry (%d samples waiting): %s",
                      self._telemetry.pending, exc)
            return
        if self._telemetry.pending == 0:
            self._telemetry_refused = False


class StoringSink:
    """An alarm engine's transition sink: stored durably (or kept for a retry), then
    kept for the next update to subscribers."""

    def __init__(self, recorder: MonitorRecorder, context: Callable[[], RecordContext],
                 stores: Callable[[AlarmTransition], bool] = lambda _: True) -> None:
        """`stores`: whether a transition is stored (all are still published)."""
        self._recorder = recorder
        self._context = context
        self._stores = stores
        self.recent: list[AlarmTransition] = []

    def record(self, transition: AlarmTransition) -> None:
        if self._stores(transition):
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
