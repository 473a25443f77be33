"""The reader thread: bytes from the transport, through the StreamParser, into a queue."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

from devices.driver.errors import TransportError
from devices.driver.transport import Transport
from devices.protocol import ParseResult, StreamParser, StreamRole

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

Inbound = ParseResult | TransportError


class FrameReader:
    """Reads one transport on its own thread, so an unasked packet is seen at once.

    Everything it parses (frames and protocol errors) and a failure of the port go
    into `inbox`, in order; `on_arrival` is called after each batch (the poller uses it
    to wake up). The thread ends on `stop()` or on the first transport error.
    """

    def __init__(self, transport: Transport, *, clock: Callable[[], float],
                 on_arrival: Callable[[], None] | None = None) -> None:
        self._transport = transport
        self._parser = StreamParser(StreamRole.HOST, clock=clock)
        self._on_arrival = on_arrival
        self.inbox: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"pump-reader-{transport.name}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; it does within one read timeout."""
        self._stopping.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self._transport.read()
            except TransportError as exc:
                if not self._stopping.is_set():
                    self._deliver([exc])
                return
            except Exception as exc:  # a dead reader must show as a failed port, not silence
                log.exception("%s: reader failed", self._transport.name)
                self._deliver([TransportError(f"{self._transport.name}: reader failed: {exc!r}")])
                return
            # An empty read still lets the parser drop a stale partial packet.
            results = self._parser.feed(data)
            if results:
                self._deliver(results)

    def _deliver(self, items: Sequence[Inbound]) -> None:
        for item in items:
            self.inbox.put(item)
        if self._on_arrival is not None:
            self._on_arrival()
