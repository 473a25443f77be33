"""One simulated pump as the host sees it: the pump, its faults, its link and streams.

Bytes from a stream go through that stream's own StreamParser (framing state is per
connection) into the pump; replies go back through the link faults (pulled cable,
garbling, delay) to the same stream. Safe-mode auto-alarms go to every stream.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from devices.protocol import StreamParser, StreamRole
from devices.simulator.injector import FaultInjector
from devices.simulator.link import LinkFaults
from devices.simulator.ports import Stream
from devices.simulator.pump import SimulatedPump

log = logging.getLogger(__name__)


@dataclass(order=True)
class _Delayed:
    due: float
    order: int
    stream: Stream = field(compare=False)
    packet: bytes = field(compare=False)


class PumpUnit:
    """A pump with its fault injector, link faults and the streams connected to it."""

    def __init__(
        self,
        number: int,
        pump: SimulatedPump,
        link_rng: np.random.Generator,
        real_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.number = number
        self.pump = pump
        self.link = LinkFaults()
        self.injector = FaultInjector(pump, self.link)
        self._rng = link_rng
        self._real = real_clock
        self._parsers: dict[Stream, StreamParser] = {}
        self._delayed: list[_Delayed] = []
        self._order = itertools.count()

    @property
    def streams(self) -> list[Stream]:
        return list(self._parsers)

    def attach(self, stream: Stream) -> None:
        # The inter-byte time-out is a property of the wire: real time.
        self._parsers[stream] = StreamParser(StreamRole.PUMP, clock=self._real)

    def detach(self, stream: Stream) -> None:
        self._parsers.pop(stream, None)
        self._delayed = [d for d in self._delayed if d.stream is not stream]
        heapq.heapify(self._delayed)

    def receive(self, stream: Stream, data: bytes) -> None:
        """Bytes arrived from a host."""
        if not self.link.answering:
            return  # the cable is out: nothing reaches the pump
        log.debug("pump %d <- %r", self.number, data)
        # An alarm that latched since the last tick goes out before the reply that
        # will acknowledge it, as a real pump pushes it the moment it happens.
        self._flush_unsolicited()
        for item in self._parsers[stream].feed(data):
            reply = self.pump.receive(item)
            if reply is not None:
                self._send(stream, reply)

    def tick(self) -> None:
        """Run the time-driven parts and flush delayed replies that are due."""
        self.injector.poll()
        self._flush_unsolicited()
        now = self._real()
        while self._delayed and self._delayed[0].due <= now:
            item = heapq.heappop(self._delayed)
            self._write(item.stream, item.packet)

    def _flush_unsolicited(self) -> None:
        for packet in self.pump.poll():
            for stream in self.streams:
                self._send(stream, packet)

    def _send(self, stream: Stream, packet: bytes) -> None:
        shaped = self.link.shape(packet, self._rng)
        if shaped is None:
            return
        if self.link.delay_s > 0:
            due = self._real() + self.link.delay_s
            heapq.heappush(self._delayed, _Delayed(due, next(self._order), stream, shaped))
        else:
            self._write(stream, shaped)

    def _write(self, stream: Stream, packet: bytes) -> None:
        log.debug("pump %d -> %r", self.number, packet)
        if not stream.write(packet):
            log.debug("pump %d: %s not reading, packet dropped", self.number, stream.name)
