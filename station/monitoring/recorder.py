"""Storage of what the monitoring sees: alarm transitions, pump events, telemetry.

Built on station/persistence: `AlarmLog` (an alarm and its RAISED transition in one
durable commit, then each later transition) and `EventStore` (communication status
changes, PCD-10 vocabulary), both through `StoredRecords`; `TelemetryWriter` (batches
at most 1 s behind) and the pump rows. Used from the monitoring thread only (the
telemetry writer is not thread-safe). Alarm and event writes go through one
`WriteBacklog`, so they keep their order while the database is unavailable; so does
telemetry once a flush has failed (the writer hands its buffer over) until the backlog
is written. With a `LocalSpool` what waits is on the station's disk too, and `start`
writes what an earlier run left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import PumpInfo, Sample
from station.alarms import CONDITIONS, AlarmTransition, ChairAlarms, ConditionSpec
from station.monitoring.alarm_restore import (
    Now,
    OpenAlarm,
    chair_alarms,
    load_open_alarms,
    station_alarms,
)
from station.monitoring.backlog import WriteBacklog
from station.monitoring.program import InfusionProgram, load_program
from station.monitoring.pump_registry import PumpRegistry
from station.monitoring.spool import LocalSpool
from station.monitoring.spool_records import (
    chunks_record,
    event_record,
)
from station.monitoring.stored_records import RecordContext, StoredRecords, clip
from station.persistence import (
    EventStore,
    StorageError,
    TelemetrySample,
    TelemetryWriter,
)
from station.persistence.events import InfusionEvent, InfusionEventKind
from station.persistence.people import ActorKind

__all__ = ["MonitorRecorder", "RecordContext", "StoringSink"]

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

LookedUp = TypeVar("LookedUp")
_EVENT_DETAIL_MAX = 200  # infusion_events.reason_detail


class MonitorRecorder:
    """Stores alarms, pump events and telemetry; keeps failed writes for a retry."""

    def __init__(self, sessions: sessionmaker[Session], *, utc_now: Callable[[], datetime],
                 monotonic: Callable[[], float],
                 conditions: Mapping[str, ConditionSpec] = CONDITIONS,
                 spool: LocalSpool | None = None) -> None:
        """`conditions`: the unit's alarm table (category and latching are stored);
        `spool`: where waiting records are kept on the station's disk (None: memory)."""
        self.pumps = PumpRegistry(sessions)
        self._sessions = sessions
        self._records = StoredRecords(sessions, EventStore(sessions, utc_now), conditions)
        self._telemetry = TelemetryWriter(sessions, clock=monotonic)
        self._backlog = WriteBacklog(self._records.write, self._records.stored, spool)
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
        return self._records.stored_ids.get(alarm_id)

    # -- alarms -------------------------------------------------------------------------

    def start(self) -> None:
        """Write first what an earlier run left in the spool (on the monitoring thread,
        before the chairs read their open alarms back)."""
        if self._backlog.load():
            self._backlog.retry()

    def alarm_transition(self, transition: AlarmTransition, context: RecordContext) -> None:
        """Store one transition (the RAISED one creates the alarm row)."""
        self._backlog.run(self._records.transition(transition, context))

    def open_alarms(self, chair_row: int | None, port_url: str,
                    now: Now) -> list[OpenAlarm] | None:
        """The chair's alarms stored open before a restart; None while unreadable."""
        return self.look_up(f"the open alarms at {port_url}", lambda: load_open_alarms(
            self._sessions, chair_alarms(chair_row, port_url), now))

    def open_station_alarms(self, station: str, now: Now) -> list[OpenAlarm] | None:
        """The station-wide alarms `station` had open before a restart (written by the
        spool's replay included); None while unreadable."""
        return self.look_up(f"the open alarms of station {station}", lambda: load_open_alarms(
            self._sessions, station_alarms(station), now))

    def take_up(self, alarms: ChairAlarms, found: list[OpenAlarm]) -> None:
        """The engine takes up the stored open alarms; their later transitions go to
        their stored rows."""
        for stored in found:
            alarm = alarms.restore(stored.condition, f"stored-{stored.stored_id}",
                                   stored.priority, stored.state)
            if alarm is not None:
                self._records.stored_ids[alarm.alarm_id] = stored.stored_id

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
            reason_detail=clip(detail, _EVENT_DETAIL_MAX),
            actor_kind=ActorKind.STATION,
            actor_user_id=None,
        )
        self.pump_event(f"communication {'up' if online else 'down'} event", event)

    def pump_event(self, what: str, event: InfusionEvent) -> None:
        """Store one pump event, in order with the alarm transitions (kept if refused)."""
        event.reason_detail = clip(event.reason_detail, _EVENT_DETAIL_MAX)
        self._backlog.run(event_record(what, event))

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
