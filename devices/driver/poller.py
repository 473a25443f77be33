"""A worker thread per pump: connects, polls, heartbeats, runs commands, reconnects.

The caller never waits on I/O: commands return a `concurrent.futures.Future` resolved
on the worker thread, and samples, alarms and link-state changes go to `sink`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from devices.driver.clock import Clock, SystemClock, stamp
from devices.driver.config import DriverConfig
from devices.driver.errors import DriverError, LinkDownError, TransportError
from devices.driver.pump_driver import PumpDriver
from devices.driver.session import PumpSession
from devices.driver.transport import Transport, TransportFactory
from devices.driver.types import (
    DriverEvent,
    LinkState,
    LinkStateChanged,
    PumpIdentified,
    PumpInfo,
)
from devices.protocol import Prompt

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

T = TypeVar("T")
EventSink = Callable[[DriverEvent], None]


@dataclass
class _Job:
    action: Callable[[PumpDriver], Any]
    future: Future[Any]


class PumpPoller:
    """Drives one pump on its own thread; see docs/driver.md for the sequence.

    `sink` is called on the worker thread with every `DriverEvent`: pass something
    thread-safe and quick (`queue.Queue.put`, a Qt signal's `emit`).
    """

    def __init__(self, pump_id: str, open_transport: TransportFactory, sink: EventSink, *,
                 config: DriverConfig | None = None, clock: Clock | None = None) -> None:
        self.pump_id = pump_id
        self.config = config or DriverConfig()
        self._open_transport = open_transport
        self._sink = sink
        self._clock = clock or SystemClock()
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._wakeup = threading.Event()
        self._closing = threading.Event()
        self._state = LinkState.DISCONNECTED
        self._info: PumpInfo | None = None
        self._thread = threading.Thread(target=self._run, name=f"pump-{pump_id}", daemon=True)

    @property
    def link_state(self) -> LinkState:
        return self._state

    @property
    def info(self) -> PumpInfo | None:
        """What the last connection sequence learnt; None before the first."""
        return self._info

    def start(self) -> None:
        """Start the worker thread; it connects, then polls."""
        self._thread.start()

    def request_close(self) -> None:
        """Ask the worker to disarm the watchdog, close the port and end; do not wait."""
        self._closing.set()
        self._wakeup.set()

    def close(self, timeout: float = 5.0) -> None:
        """`request_close`, then wait for the worker (one exchange and one read timeout).

        To stop many pumps, call `request_close` on each first, then `close`.
        """
        self.request_close()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # -- commands: each returns at once; the Future resolves on the worker thread --------

    def set_rate(self, ml_h: float) -> Future[float]:
        return self.submit(lambda driver: driver.set_rate(ml_h))

    def set_volume(self, ml: float) -> Future[float]:
        return self.submit(lambda driver: driver.set_volume(ml))

    def run(self) -> Future[Prompt]:
        return self.submit(PumpDriver.run)

    def stop(self) -> Future[Prompt]:
        return self.submit(PumpDriver.stop)

    def clear_volume(self) -> Future[None]:
        return self.submit(PumpDriver.clear_volume)

    def submit(self, action: Callable[[PumpDriver], T]) -> Future[T]:
        """Run `action` on the worker thread between polls; LinkDownError if not up."""
        future: Future[T] = Future()
        if self._state is not LinkState.UP or self._closing.is_set():
            future.set_exception(LinkDownError(f"{self.pump_id}: link is {self._state}"))
            return future
        self._jobs.put(_Job(action, future))
        self._wakeup.set()
        return future

    # -- the worker thread ------------------------------------------------------------

    def _run(self) -> None:
        backoff = self.config.backoff()
        self._set_state(LinkState.CONNECTING, "starting")
        while not self._closing.is_set():
            driver = self._connect()
            if driver is None:
                self._closing.wait(backoff.next_delay())
                continue
            backoff.reset()
            reason = self._serve(driver)
            self._fail_jobs(reason)
            if self._closing.is_set():
                self._leave_safe_mode(driver)
            driver.session.close()
            if not self._closing.is_set():
                self._set_state(LinkState.LOST, reason)
        self._fail_jobs("closed")
        self._set_state(LinkState.CLOSED, "closed by the station")

    def _connect(self) -> PumpDriver | None:
        """Open the port and run the connection sequence; None (state LOST) on failure."""
        session: PumpSession | None = None
        try:
            transport = self._open_transport()
            driver = self._make_driver(transport)
            session = driver.session
            session.start()
            self._info = driver.connect()
        except Exception as exc:  # whatever fails, the pump stays monitored as not connected
            if session is not None:
                session.close()
            expected = isinstance(exc, DriverError | ValueError)
            log.log(logging.INFO if expected else logging.ERROR, "%s: connection failed: %r",
                    self.pump_id, exc, exc_info=not expected)
            reason = f"cannot connect: {exc}" if expected else f"driver fault: {exc!r}"
            self._set_state(LinkState.LOST, reason)
            return None
        self._emit(PumpIdentified(self.pump_id, stamp(self._clock), self._info))
        self._set_state(LinkState.UP, f"{self._info.version_text} answers")
        return driver

    def _make_driver(self, transport: Transport) -> PumpDriver:
        session = PumpSession(transport, address=self.config.address, timing=self.config.timing,
                              clock=self._clock.monotonic, on_arrival=self._wakeup.set)
        return PumpDriver(session, pump_id=self.pump_id, config=self.config, clock=self._clock,
                          emit=self._emit)

    def _serve(self, driver: PumpDriver) -> str:
        """Poll, heartbeat and run commands until the link is lost or the station closes."""
        interval, beat = self.config.poll_interval_s, self.config.heartbeat_interval_s
        fast = self.config.pressure_interval_s
        if driver.info is None or not driver.info.extension:
            fast = None  # a stock pump has no pressure to read
        next_poll = next_beat = next_pressure = connected_at = self._clock.monotonic()
        last_sample_at: float | None = None
        while not self._closing.is_set():
            try:
                driver.session.drain()
                self._run_jobs(driver)
                now = self._clock.monotonic()
                if now >= next_poll:
                    next_poll, next_beat = max(next_poll + interval, now), now + beat
                    next_pressure = now + (fast or interval)  # the poll read it too
                    sample = self._guarded(driver.poll)
                    if sample is not None:
                        last_sample_at = sample.at.monotonic
                        self._emit(sample)
                elif fast is not None and now >= next_pressure:
                    # On a fixed grid, not from the end of the read: an even 10 reads a
                    # second whatever the exchange took (a late one is not caught up).
                    next_pressure, next_beat = max(next_pressure + fast, now), now + beat
                    reading = self._guarded(driver.read_pressure)
                    if reading is not None:
                        self._emit(reading)
                elif now >= next_beat:
                    next_beat = now + beat
                    self._guarded(driver.heartbeat)
            except TransportError as exc:
                return f"port failed: {exc}"
            except Exception as exc:  # a driver bug must show as a lost link, not silence
                log.exception("%s: driver fault", self.pump_id)
                return f"driver fault: {exc!r}"
            now = self._clock.monotonic()
            silent_for = now - (driver.session.last_reply_at or connected_at)
            if silent_for > self.config.link_timeout_s:
                return f"no valid reply for {silent_for:.1f} s"
            if now - (last_sample_at or connected_at) > self.config.stale_after_s:
                # The pump answers, but not with anything we can read: as good as lost.
                return f"no valid sample for {now - (last_sample_at or connected_at):.1f} s"
            due = min(next_poll, next_beat, next_pressure if fast is not None else next_poll)
            self._wakeup.wait(max(0.0, due - self._clock.monotonic()))
            self._wakeup.clear()
        return "closed"

    def _guarded(self, exchange: Callable[[], T]) -> T | None:
        """One poll or heartbeat; a failed one is logged (the link timeout judges silence)."""
        try:
            return exchange()
        except TransportError:
            raise
        except DriverError as exc:
            log.warning("%s: %s failed: %s", self.pump_id, exchange.__name__, exc)
            return None

    def _take_jobs(self) -> Iterator[_Job]:
        """The queued jobs the caller has not cancelled, each marked running."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job.future.set_running_or_notify_cancel():
                yield job

    def _run_jobs(self, driver: PumpDriver) -> None:
        for job in self._take_jobs():
            try:
                job.future.set_result(job.action(driver))
            except TransportError as exc:
                job.future.set_exception(exc)
                raise
            except (DriverError, ValueError) as exc:
                job.future.set_exception(exc)

    def _fail_jobs(self, reason: str) -> None:
        for job in self._take_jobs():
            job.future.set_exception(LinkDownError(f"{self.pump_id}: {reason}"))

    def _leave_safe_mode(self, driver: PumpDriver) -> None:
        # An orderly close must not stop the infusions: disarm the watchdog first.
        if driver.info is None or driver.info.safe_mode_timeout_s is None:
            return
        try:
            driver.leave_safe_mode()
        except (DriverError, ValueError) as exc:
            log.warning("%s: could not leave Safe mode: %s", self.pump_id, exc)

    def _set_state(self, new: LinkState, reason: str) -> None:
        old, self._state = self._state, new
        if old is not new:
            log.info("%s: link %s -> %s: %s", self.pump_id, old, new, reason)
            self._emit(LinkStateChanged(self.pump_id, stamp(self._clock), old, new, reason))

    def _emit(self, event: DriverEvent) -> None:
        try:
            self._sink(event)
        except Exception:  # the station's consumer must not stop the monitoring of a pump
            log.exception("%s: event sink failed on %r", self.pump_id, event)
