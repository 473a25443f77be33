"""The headless monitoring service: pollers for the configured pumps, one consumer thread.

Every `PumpPoller` puts its events on one `queue.SimpleQueue`; a single monitoring
thread drains it and hands each event to the chair's `ChairMonitor` (constant work per
event), runs the timers every tick, and carries out operator actions submitted from
other threads. Nothing of a chair is touched by any other thread: the UI reads
immutable snapshots and gets `ChairUpdate`s through subscriptions. The station's own
alarms (`storage_unavailable`, `sound_device_missing`) are published the same way under
the id `STATION`.
`records_changed()` (hand it to the services' `RecordChanges`) makes every chair read
its clinical schedule and binding again on the monitoring thread;
`records_changed(ChangedRecord(...))` (the unit's change notifications, through
`station/unit/record_follow.py`) only the chairs that record concerns.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import (
    Clock,
    DriverEvent,
    PressureReading,
    PumpPoller,
    SystemClock,
    TransportFactory,
    serial_transport_factory,
)
from station.alarms import Cause
from station.monitoring.chair_monitor import ChairMonitor
from station.monitoring.changed import ChangedRecord
from station.monitoring.config import MonitorSettings, PumpEndpoint
from station.monitoring.recorder import MonitorRecorder
from station.monitoring.schedule import ScheduleSource
from station.monitoring.snapshot import ChairSnapshot, ChairUpdate, Subscriber
from station.monitoring.spool import LocalSpool
from station.monitoring.station_monitor import STATION, StationMonitor, StorageState

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

POLLER_CLOSE_TIMEOUT_S = 5.0


class _Stop:
    """Put on the queue after the pollers' last events: the thread ends there."""


class _Reload:
    """Records changed: the chairs they concern read their schedule again."""


@dataclass
class _Command:
    action: Callable[[], ChairUpdate]
    future: Future[ChairSnapshot]


@dataclass(frozen=True)
class Health:
    """Is the monitoring itself well: writes waiting for the database, handler faults."""

    running: bool
    storage_waiting: int
    telemetry_pending: int
    handler_faults: int
    records_rejected: int = 0  # refused for good by a constraint (logged, set aside)


class MonitoringService:
    """Watches the configured pumps: telemetry, pump events and alarms per chair."""

    def __init__(self, endpoints: Sequence[PumpEndpoint], sessions: sessionmaker[Session], *,
                 settings: MonitorSettings | None = None, clock: Clock | None = None,
                 open_port: Callable[[str], TransportFactory] = serial_transport_factory,
                 schedule: ScheduleSource | None = None,
                 spool_path: Path | None = None, station: str | None = None) -> None:
        """`schedule` reads a chair's clinical schedule (pause, titration, checks,
        observation) from the stored record; without it those alarms are not timed.
        `spool_path`: the local file that keeps what the database refuses across a
        crash (`default_spool_path`); without it such records are kept in memory.
        `station`: this station's name in the unit (`station_name()`), stored on its
        station-wide alarms so a restart takes up its own; None: none is taken up."""
        chair_ids = [e.chair_id for e in endpoints]
        if len(set(chair_ids)) != len(chair_ids):
            raise ValueError(f"each chair is watched once: {chair_ids}")
        if STATION in chair_ids:
            raise ValueError(f"{STATION!r} names the station's own alarms, not a chair")
        self.settings = settings or MonitorSettings()
        self._clock = clock or SystemClock()
        self._recorder = MonitorRecorder(sessions, utc_now=self._clock.utc_now,
                                         monotonic=self._clock.monotonic,
                                         conditions=self.settings.conditions,
                                         spool=None if spool_path is None
                                         else LocalSpool(spool_path))
        self._chairs = {e.chair_id: ChairMonitor(e, self._recorder, self._clock, self.settings,
                                                 schedule)
                        for e in endpoints}
        self._station = StationMonitor(self._recorder, self._clock, self.settings,
                                       station=station)
        self._queue: queue.SimpleQueue[DriverEvent | _Command | _Reload | _Stop] = (
            queue.SimpleQueue())
        self._changes_lock = threading.Lock()
        self._changed: set[ChangedRecord] | None = set()  # None: every chair
        self._reload_queued = False
        self._pollers = [PumpPoller(e.chair_id, open_port(e.port_url), self._queue.put,
                                    config=self.settings.driver, clock=self._clock)
                         for e in endpoints]
        self._lock = threading.Lock()
        self._snapshots = {cid: chair.snapshot() for cid, chair in self._chairs.items()}
        self._snapshots[STATION] = self._station.snapshot()
        self._subscribers: list[Subscriber] = []
        self._thread = threading.Thread(target=self._run, name="monitoring", daemon=True)
        self._running = False
        self._faults = 0

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the monitoring thread, then every poller (each connects on its own)."""
        self._running = True
        self._thread.start()
        for poller in self._pollers:
            poller.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Close every poller, handle their last events, flush storage, end the thread."""
        if not self._running:
            return
        self._running = False  # no more commands: they could land after the stop marker
        for poller in self._pollers:
            poller.request_close()
        for poller in self._pollers:
            poller.close(POLLER_CLOSE_TIMEOUT_S)
        self._queue.put(_Stop())
        if threading.current_thread() is self._thread:
            return  # called by a subscriber: the thread ends after this update
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.error("the monitoring thread did not end within %.1f s", timeout_s)

    def __enter__(self) -> MonitoringService:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- what other threads may call ------------------------------------------------------

    @property
    def chair_ids(self) -> list[str]:
        return list(self._chairs)

    def pump(self, chair_id: str) -> PumpPoller:
        """The chair's poller, for commands (`set_rate`, `run`, `stop`: Futures)."""
        return self._pollers[self.chair_ids.index(chair_id)]

    def snapshot(self, chair_id: str) -> ChairSnapshot:
        """The chair as of its last change (thread-safe; KeyError for an unknown chair).
        `STATION` gives the station's own alarms."""
        with self._lock:
            return self._snapshots[chair_id]

    def snapshots(self) -> dict[str, ChairSnapshot]:
        """Every chair's snapshot (the station's is `station_snapshot`)."""
        with self._lock:
            return {cid: snap for cid, snap in self._snapshots.items() if cid != STATION}

    def station_snapshot(self) -> ChairSnapshot:
        """The station-wide alarms (`storage_unavailable`), as of their last change."""
        return self.snapshot(STATION)

    def storage_state(self) -> StorageState:
        """Since when the station's records have been waiting for the database, if they
        are (thread-safe: as of the last event or tick)."""
        return self._station.storage

    def records_changed(self, changed: ChangedRecord | None = None) -> None:
        """Thread-safe and quick: a write was committed, so the chairs it concerns
        (`changed`; None: every chair) read their clinical schedule and binding again
        on the monitoring thread, once per burst of changes."""
        if not self._running:
            return
        with self._changes_lock:
            if changed is None or self._changed is None:
                self._changed = None
            else:
                self._changed.add(changed)
            if self._reload_queued:
                return
            self._reload_queued = True
        self._queue.put(_Reload())

    def sound_output(self, missing_reason: str | None) -> Future[ChairSnapshot]:
        """The window's alarm sound cannot be made (`missing_reason`, in words) or works
        again (None): the station's `sound_device_missing`, raised once per station and
        stored. Thread-safe; a report made before `start` is taken up when it starts."""
        def action() -> ChairUpdate:
            return self._station.sound_output(missing_reason)
        if self._thread.ident is None:  # not started: the queue waits for the thread
            future: Future[ChairSnapshot] = Future()
            self._queue.put(_Command(action, future))
            return future
        return self._submit(STATION, action)

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber` with every chair update, on the monitoring thread (so a UI
        must hand it to its own thread, e.g. by a queued signal). Returns `unsubscribe`."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)
        return unsubscribe

    def acknowledge(self, chair_id: str, condition: str, who: str) -> Future[ChairSnapshot]:
        """Acknowledge a chair's alarm (or, with `STATION`, a station alarm)."""
        target = self._alarm_target(chair_id)
        return self._submit(chair_id, lambda: target().acknowledge(condition, who))

    def acknowledge_stored(self, chair_id: str, stored_alarm_id: int,
                           who: str) -> Future[ChairSnapshot]:
        """Acknowledge by the stored `alarms.id` (a request from the unit's overview)."""
        return self._submit(
            chair_id, lambda: self._chairs[chair_id].acknowledge_stored(stored_alarm_id, who),
            station=False)

    def chair_taken_over(self, chair_id: str, detail: str) -> Future[ChairSnapshot]:
        """Another station took the chair's lease: alarm here, stop recording it."""
        return self._submit(chair_id, lambda: self._chairs[chair_id].taken_over(detail),
                            station=False)

    def reset(self, chair_id: str, condition: str, who: str,
              cause: Cause | None = None) -> Future[ChairSnapshot]:
        """Reset a latched alarm whose condition has ended; fails (AlarmError) otherwise."""
        target = self._alarm_target(chair_id)
        return self._submit(chair_id, lambda: target().reset(condition, who, cause))

    def pause_audio(self, chair_id: str, who: str,
                    duration_s: float | None = None) -> Future[ChairSnapshot]:
        target = self._alarm_target(chair_id)
        return self._submit(chair_id, lambda: target().pause_audio(who, duration_s))

    def record_cause(self, chair_id: str, alarm_id: str, who: str,
                     cause: Cause) -> Future[ChairSnapshot]:
        """Record why an alarm happened, also after it closed by itself (a recent one)."""
        target = self._alarm_target(chair_id)
        return self._submit(chair_id, lambda: target().record_cause(alarm_id, who, cause))

    def refresh_binding(self, chair_id: str) -> Future[ChairSnapshot]:
        """Look up the infusion running on the chair's pump now (after a start)."""
        # Looked up when run: an unknown chair is refused by `_submit`, not a KeyError here.
        rebind = lambda: self._chairs[chair_id].rebind()  # noqa: E731, PLW0108
        return self._submit(chair_id, rebind, station=False)

    def health(self) -> Health:
        # Read without the monitoring thread's cooperation: counters, a moment's view.
        return Health(self._running and self._thread.is_alive(), self._recorder.waiting,
                      self._recorder.telemetry_pending, self._faults,
                      self._recorder.rejected)

    def _alarm_target(self, chair_id: str) -> Callable[[], ChairMonitor | StationMonitor]:
        return lambda: self._station if chair_id == STATION else self._chairs[chair_id]

    def _submit(self, chair_id: str, action: Callable[[], ChairUpdate], *,
                station: bool = True) -> Future[ChairSnapshot]:
        future: Future[ChairSnapshot] = Future()
        if chair_id not in self._chairs and not (station and chair_id == STATION):
            future.set_exception(KeyError(f"no chair {chair_id!r}"))
        elif not self._running:
            future.set_exception(RuntimeError("the monitoring service is not running"))
        else:
            self._queue.put(_Command(action, future))
        return future

    # -- the monitoring thread ------------------------------------------------------------

    def _run(self) -> None:
        self._guarded(STATION, "writing the local spool", self._replay_spool)
        self._guarded(STATION, "taking up the station's alarms", self._station.begin)
        for chair in self._chairs.values():
            chair.begin()
        tick_s = self.settings.tick_s
        next_tick = self._clock.monotonic() + tick_s
        while True:
            try:
                item = self._queue.get(timeout=tick_s)
            except queue.Empty:
                pass
            else:
                if isinstance(item, _Stop):
                    break
                self._dispatch(item)
            if self._clock.monotonic() >= next_tick:
                next_tick = self._clock.monotonic() + tick_s
                self._tick()
        self._recorder.close()
        self._refuse_late_commands()

    def _replay_spool(self) -> None:
        # Before the chairs read their open alarms: those an earlier run kept are stored.
        self._recorder.start()

    def _refuse_late_commands(self) -> None:
        # A command submitted while `stop` ran may sit behind the marker: answer it.
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Command):
                item.future.set_exception(RuntimeError("the monitoring service stopped"))

    def _dispatch(self, item: DriverEvent | _Command | _Reload) -> None:
        if isinstance(item, _Command):
            self._run_command(item)
        elif isinstance(item, _Reload):
            with self._changes_lock:  # a write from now on queues another reload
                changed, self._changed, self._reload_queued = self._changed, set(), False
            for chair in self._chairs.values():
                if changed is None or any(chair.concerns(c) for c in changed):
                    self._guarded(chair.chair_id, "reading the schedule", chair.rebind)
        else:
            event = item
            chair = self._chairs[event.pump_id]
            # A bug must not end the monitoring of every other chair.
            if isinstance(event, PressureReading):
                reading = event  # ten a second per chair: published only on an alarm change
                self._guarded(chair.chair_id, f"handling {event!r}",
                              lambda: chair.handle_pressure(reading))
            else:
                self._guarded(chair.chair_id, f"handling {event!r}", lambda: chair.handle(event))
        self._guarded(STATION, "checking storage", self._station.check)

    def _guarded(self, who: str, doing: str,
                 step: Callable[[], ChairUpdate | None]) -> None:
        """Run one chair's step; publish its update; a fault is counted and logged."""
        try:
            update = step()
        except Exception:
            self._faults += 1
            log.exception("%s: %s failed", who, doing)
            return
        if update is not None:
            self._publish(update)

    def _run_command(self, command: _Command) -> None:
        if not command.future.set_running_or_notify_cancel():
            return
        try:
            update = command.action()
        except Exception as exc:  # handed to the caller, who asked for it
            command.future.set_exception(exc)
            return
        self._publish(update)
        command.future.set_result(update.snapshot)

    def _tick(self) -> None:
        for chair in self._chairs.values():
            self._guarded(chair.chair_id, "tick", chair.tick)
        self._recorder.tick()
        self._guarded(STATION, "tick", self._station.tick)

    def _publish(self, update: ChairUpdate) -> None:
        with self._lock:
            self._snapshots[update.snapshot.chair_id] = update.snapshot
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(update)
            except Exception:  # a broken screen must not stop the monitoring
                log.exception("subscriber %r failed", subscriber)
