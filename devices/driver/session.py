"""Request and reply over one transport: framing, timeouts, retries, unasked packets."""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.driver.errors import InvalidReplyError, NoReplyError, TransportError
from devices.driver.reader import FrameReader, Inbound
from devices.driver.transport import Transport
from devices.protocol import (
    Frame,
    FrameMode,
    ProtocolError,
    ProtocolErrorKind,
    Reply,
    ReplyError,
    encode_basic_command,
    encode_safe,
    parse_reply,
)

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

_SILENCE = "no reply"
# Errors that mean "a reply came but arrived damaged": ask again at once.
_DAMAGED = {ProtocolErrorKind.BAD_CRC, ProtocolErrorKind.BAD_LENGTH,
            ProtocolErrorKind.MISSING_ETX, ProtocolErrorKind.GRAMMAR}


@dataclass(frozen=True)
class SessionTiming:
    """How long to wait for a reply and how often to ask again."""

    reply_timeout_s: float = 0.5
    retries: int = 1  # extra attempts after the first: the first silence is no fault


class PumpSession:
    """Talks to the pump at `address` over `transport`, one exchange at a time.

    Commands go out framed the way the pump last answered: Safe framing until the first
    reply (a pump accepts a Safe packet even in Basic mode), then the pump's own mode.
    A valid reply for this pump that arrives while nothing is asked (the Safe-mode
    auto-alarm) goes to `on_unsolicited`; `drain()` delivers those. `clock` stamps
    `last_reply_at`; time-outs run on real time.
    """

    def __init__(self, transport: Transport, *, address: int = 0,
                 timing: SessionTiming | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 on_unsolicited: Callable[[Reply], None] | None = None,
                 on_arrival: Callable[[], None] | None = None) -> None:
        self.transport = transport
        self.address = address
        self.timing = timing or SessionTiming()
        self.mode = FrameMode.SAFE
        self.last_reply_at: float | None = None
        self._clock = clock
        self.on_unsolicited = on_unsolicited
        # Reply and inter-byte time-outs wait for real I/O: real time, whatever `clock` is.
        self._reader = FrameReader(transport, clock=time.monotonic, on_arrival=on_arrival)

    def start(self) -> None:
        self._reader.start()

    def close(self) -> None:
        """Stop the reader thread, then close the port."""
        self._reader.stop()
        self._reader.join()
        self.transport.close()

    def exchange(self, text: str) -> Reply:
        """Send command `text` (`0RAT`, `0` ...) and return the pump's reply.

        Retries after a silence, a damaged reply or `?COM`. Raises NoReplyError when
        every attempt met silence, InvalidReplyError when bytes came but never a valid
        reply, TransportError when the port failed.
        """
        problems: list[str] = []
        for _attempt in range(1 + self.timing.retries):
            self.drain()
            self.transport.write(self.encode(text))
            reply, problem = self._await_reply(time.monotonic() + self.timing.reply_timeout_s)
            if reply is not None and reply.error is not ReplyError.COMMUNICATION:
                return reply
            problems.append(problem if reply is None else "the pump answered ?COM")
            log.info("%s: %r: %s", self.transport.name, text, problems[-1])
        message = f"{self.transport.name}: {text!r}: {', '.join(problems)}"
        if all(problem == _SILENCE for problem in problems):
            raise NoReplyError(message)
        raise InvalidReplyError(message)

    def encode(self, text: str) -> bytes:
        return encode_safe(text) if self.mode is FrameMode.SAFE else encode_basic_command(text)

    def drain(self) -> None:
        """Hand every packet that arrived unasked to `on_unsolicited`."""
        while True:
            try:
                item = self._reader.inbox.get_nowait()
            except queue.Empty:
                return
            reply = self._accept(item)
            if reply is not None:
                if self.on_unsolicited is not None:
                    self.on_unsolicited(reply)
                else:
                    log.info("%s: unasked reply %s ignored", self.transport.name, reply)

    def _await_reply(self, deadline: float) -> tuple[Reply | None, str]:
        problem = _SILENCE
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                item = self._reader.inbox.get(timeout=remaining)
            except queue.Empty:
                break
            if isinstance(item, ProtocolError):
                log.warning("%s: %s", self.transport.name, item)
                problem = f"bytes that are no reply ({item.kind.value})"
                if item.kind in _DAMAGED:
                    return None, problem
            elif isinstance(item, Frame):
                reply = self._parse(item)
                if reply is None:
                    return None, f"not a pump reply: {item.payload!r}"
                if reply.address == self.address:
                    return reply, ""
            else:
                raise item
        return None, problem

    def _accept(self, item: Inbound) -> Reply | None:
        """The reply in `item` if it is a valid one for this pump; raise on a port failure."""
        if isinstance(item, TransportError):
            raise item
        if isinstance(item, ProtocolError):
            log.warning("%s: %s", self.transport.name, item)
            return None
        reply = self._parse(item)
        return reply if reply is not None and reply.address == self.address else None

    def _parse(self, frame: Frame) -> Reply | None:
        """The reply in `frame`, None if it breaks the grammar; notes the time and mode."""
        try:
            reply = parse_reply(frame.payload)
        except ProtocolError as error:
            log.warning("%s: %s", self.transport.name, error)
            return None
        if reply.address != self.address:
            # Another pump on a shared line: not ours, not a sign of life from ours.
            log.info("%s: reply for pump %d ignored", self.transport.name, reply.address)
            return reply
        self.mode = frame.mode
        self.last_reply_at = self._clock()
        return reply
