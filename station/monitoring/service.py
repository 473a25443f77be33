"""The headless monitoring service: pollers for the configured pumps, one consumer thread.

Every `PumpPoller` puts its events on one `queue.SimpleQueue`; a single monitoring
thread drains it and hands each event to the chair's `ChairMonitor` (constant work per
event), runs the timers every tick, and carries out operator actions submitted from
other threads. Nothing of a chair is touched by any other thread: the UI reads
immutable snapshots and gets `ChairUpdate`s through subscriptions.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import (
    Clock,
    DriverEvent,
    PumpPoller,
    SystemClock,
    TransportFactory,
    serial_transport_factory,
)
from station.alarms import Cause
from station.monitoring.chair_monitor import ChairMonitor
from station.monitoring.config import MonitorSettings, PumpEndpoint
from station.monitoring.recorder import MonitorRecorder
from station.monitoring.snapshot import ChairSnapshot, ChairUpdate, Subscriber

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

POLLER_CLOSE_TIMEOUT_S = 5.0


class _Stop:
    """Put on the queue after the pollers' last events: the thread ends there."""


@dataclass
class _Command:
    chair_id: str
    action: Callable[[ChairMonitor], ChairUpdate]
    future: Future[ChairSnapshot]


@dataclass(frozen=True)
class Health:
    """Is the monitoring itself well: writes waiting for the database, handler faults."""

    running: bool
    storage_waiting: int
    telemetry_pending: int
    handler_faults: int


class MonitoringService:
    """Watches the configured pumps: telemetry, pump events and alarms per chair."""

    def __init__(self, endpoints: Sequence[PumpEndpoint], sessions: sessionmaker[Session], *,
                 settings: MonitorSettings | None = None, clock: Clock | None = None,
                 open_port: Callable[[str], TransportFactory] = serial_transport_factory
                 ) -> None:
        chair_ids = [e.chair_id for e in endpoints]
        if len(set(chair_ids)) != len(chair_ids):
            raise ValueError(f"each chair is watched once: {chair_ids}")
        self.settings = settings or MonitorSettings()
        self._clock = clock or SystemClock()
        self._recorder = MonitorRecorder(sessions, utc_now=self._clock.utc_now,
                                         monotonic=self._clock.monotonic)
        self._chairs = {e.chair_id: ChairMonitor(e, self._recorder, self._clock, self.settings)
                        for e in endpoints}
        self._queue: queue.SimpleQueue[DriverEvent | _Command | _Stop] = queue.SimpleQueue()
        self._pollers = [PumpPoller(e.chair_id, open_port(e.port_url), self._queue.put,
                                    config=self.settings.driver, clock=self._clock)
                         for e in endpoints]
        self._lock = threading.Lock()
        self._snapshots = {cid: chair.snapshot() for cid, chair in self._chairs.items()}
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
        """The chair as of its last change (thread-safe; KeyError for an unknown chair)."""
        with self._lock:
            return self._snapshots[chair_id]

    def snapshots(self) -> dict[str, ChairSnapshot]:
        with self._lock:
            return dict(self._snapshots)

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
        return self._submit(chair_id, lambda chair: chair.acknowledge(condition, who))

    def acknowledge_stored(self, chair_id: str, stored_alarm_id: int,
                           who: str) -> Future[ChairSnapshot]:
        """Acknowledge by the stored `alarms.id` (a request from the unit's overview)."""
        return self._submit(chair_id, lambda chair: chair.acknowledge_stored(stored_alarm_id, who))

    def reset(self, chair_id: str, condition: str, who: str,
              cause: Cause | None = None) -> Future[ChairSnapshot]:
        """Reset a latched alarm whose condition has ended; fails (AlarmError) otherwise."""
        return self._submit(chair_id, lambda chair: chair.reset(condition, who, cause))

    def pause_audio(self, chair_id: str, who: str,
                    duration_s: float | None = None) -> Future[ChairSnapshot]:
        return self._submit(chair_id, lambda chair: chair.pause_audio(who, duration_s))

    def refresh_binding(self, chair_id: str) -> Future[ChairSnapshot]:
        """Look up the infusion running on the chair's pump now (after a start)."""
        return self._submit(chair_id, ChairMonitor.rebind)

    def health(self) -> Health:
        # Read without the monitoring thread's cooperation: counters, a moment's view.
        return Health(self._running and self._thread.is_alive(), self._recorder.waiting,
                      self._recorder.telemetry_pending, self._faults)

    def _submit(self, chair_id: str,
                action: Callable[[ChairMonitor], ChairUpdate]) -> Future[ChairSnapshot]:
        future: Future[ChairSnapshot] = Future()
        if chair_id not in self._chairs:
            future.set_exception(KeyError(f"no chair {chair_id!r}"))
        elif not self._running:
            future.set_exception(RuntimeError("the monitoring service is not running"))
        else:
            self._queue.put(_Command(chair_id, action, future))
        return future

    # -- the monitoring thread ------------------------------------------------------------

    def _run(self) -> None:
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

    def _refuse_late_commands(self) -> None:
        # A command submitted while `stop` ran may sit behind the marker: answer it.
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Command):
                item.future.set_exception(RuntimeError("the monitoring service stopped"))

    def _dispatch(self, item: DriverEvent | _Command) -> None:
        if isinstance(item, _Command):
            self._run_command(item)
            return
        event = item
        chair = self._chairs[event.pump_id]
        try:
            update = chair.handle(event)
        except Exception:  # a bug must not end the monitoring of every other chair
            self._faults += 1
            log.exception("%s: handling %r failed", chair.chair_id, event)
            return
        self._publish(update)

    def _run_command(self, command: _Command) -> None:
        if not command.future.set_running_or_notify_cancel():
            return
        try:
            update = command.action(self._chairs[command.chair_id])
        except Exception as exc:  # handed to the caller, who asked for it
            command.future.set_exception(exc)
            return
        self._publish(update)
        command.future.set_result(update.snapshot)

    def _tick(self) -> None:
        for chair in self._chairs.values():
            try:
                update = chair.tick()
            except Exception:
                self._faults += 1
                log.exception("%s: tick failed", chair.chair_id)
                continue
            if update is not None:
                self._publish(update)
        self._recorder.tick()

    def _publish(self, update: ChairUpdate) -> None:
        with self._lock:
            self._snapshots[update.snapshot.chair_id] = update.snapshot
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(update)
            except Exception:  # a broken screen must not stop the monitoring
                log.exception("subscriber %r failed", subscriber)
