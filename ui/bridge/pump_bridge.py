"""Driver events from pump worker threads to typed Qt signals on the GUI thread.

`PumpPoller` calls its sink on the pump's worker thread. `PumpBridge.sink` only puts
the event on a thread-safe queue and, if no drain is pending, posts one (a queued
signal): the GUI thread then drains everything that arrived, in order, and emits one
typed signal per event. The bridge never touches a port; nothing here blocks.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from devices.driver.types import (
    DriverEvent,
    LinkStateChanged,
    PumpAlarm,
    PumpIdentified,
    Sample,
)


class PumpBridge(QObject):
    """Re-emits `DriverEvent`s of any number of pumps on the thread the bridge lives in.

    Signals:
        sample_received(Sample), pump_alarm(PumpAlarm), link_changed(LinkStateChanged),
        pump_identified(PumpIdentified): one per driver event, in arrival order.

    `last_latency_s` / `max_latency_s`: monotonic time from the driver seeing an event
    to its signal here (the station's share of the alarm delay, published, not guessed).
    """

    sample_received = Signal(Sample)
    pump_alarm = Signal(PumpAlarm)
    link_changed = Signal(LinkStateChanged)
    pump_identified = Signal(PumpIdentified)
    _wake = Signal()

    def __init__(self, parent: QObject | None = None, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._queue: queue.SimpleQueue[DriverEvent] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._drain_posted = False
        self._monotonic = monotonic
        self.delivered = 0
        self.last_latency_s: float | None = None
        self.max_latency_s = 0.0
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    def sink(self, event: DriverEvent) -> None:
        """Thread-safe and quick: hand this to `PumpPoller(sink=...)`."""
        self._queue.put(event)
        with self._lock:
            post, self._drain_posted = not self._drain_posted, True
        if post:
            self._wake.emit()

    def _drain(self) -> None:
        with self._lock:
            self._drain_posted = False  # before draining: a later put posts again
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                return
            self._deliver(event)

    def _deliver(self, event: DriverEvent) -> None:
        latency = self._monotonic() - event.at.monotonic
        self.last_latency_s = latency
        self.max_latency_s = max(self.max_latency_s, latency)
        self.delivered += 1
        if isinstance(event, Sample):
            self.sample_received.emit(event)
        elif isinstance(event, PumpAlarm):
            self.pump_alarm.emit(event)
        elif isinstance(event, LinkStateChanged):
            self.link_changed.emit(event)
        elif isinstance(event, PumpIdentified):
            self.pump_identified.emit(event)
        # A PressureReading (fast pressure reads, when configured) is for the detectors.
