"""Incremental stream parser: bytes in, complete frames or typed errors out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from devices.protocol.errors import ProtocolError, ProtocolErrorKind
from devices.protocol.framing import CR, ETX, SAFE_OVERHEAD, STX, decode_safe

INTERBYTE_TIMEOUT_S = 0.5
# Longer than any command or reply of the protocol; a runaway packet is dropped.
MAX_BASIC_LENGTH = 256


class FrameMode(StrEnum):
    """How a frame was framed on the wire."""

    BASIC = "basic"
    SAFE = "safe"


class StreamRole(StrEnum):
    """Which side of the link reads the stream: a pump reads commands, a host replies."""

    PUMP = "pump"
    HOST = "host"


@dataclass(frozen=True)
class Frame:
    """One complete packet: its framing and the text between the framing bytes."""

    mode: FrameMode
    payload: bytes


ParseResult = Frame | ProtocolError


class StreamParser:
    """Splits a byte stream into frames; never raises, whatever the input.

    A pump reads Basic commands (`text CR`) and Safe packets; a host reads Basic
    replies (`STX text ETX`) and Safe packets. Bytes outside any packet, and a partial
    packet left for more than `interbyte_timeout` between two bytes, come out as
    ProtocolErrors, so the caller can log them and carry on.
    """

    def __init__(
        self,
        role: StreamRole,
        clock: Callable[[], float] = time.monotonic,
        interbyte_timeout: float = INTERBYTE_TIMEOUT_S,
    ) -> None:
        self._role = role
        self._clock = clock
        self._timeout = interbyte_timeout
        self._buffer = bytearray()
        self._garbage = bytearray()
        self._last_byte_at: float | None = None

    @property
    def pending(self) -> bytes:
        """Bytes of a packet begun but not complete."""
        return bytes(self._buffer)

    def feed(self, data: bytes) -> list[ParseResult]:
        """Consume bytes; return the frames and errors they complete, in order."""
        now = self._clock()
        results: list[ParseResult] = self.expire(now)
        if data:
            self._last_byte_at = now
        for byte in data:
            self._consume(byte, results)
        self._flush_garbage(results)
        return results

    def expire(self, now: float | None = None) -> list[ParseResult]:
        """Drop a partial packet whose last byte is older than the inter-byte timeout."""
        now = self._clock() if now is None else now
        if (
            self._buffer
            and self._last_byte_at is not None
            and now - self._last_byte_at > self._timeout
        ):
            fragment = bytes(self._buffer)
            self._buffer.clear()
            return [ProtocolError(ProtocolErrorKind.TIMEOUT, fragment, "partial packet dropped")]
        return []

    def reset(self) -> None:
        """Forget any partial packet (after reopening a port, for example)."""
        self._buffer.clear()
        self._garbage.clear()

    def _consume(self, byte: int, results: list[ParseResult]) -> None:
        buffer = self._buffer
        if not buffer:
            if byte == STX:
                self._flush_garbage(results)
                buffer.append(byte)
            elif self._role is StreamRole.PUMP and byte not in (ETX, CR):
                buffer.append(byte)  # start of a Basic command
            elif self._role is StreamRole.PUMP and byte == CR:
                results.append(Frame(FrameMode.BASIC, b""))  # bare CR: a status query
            else:
                self._garbage.append(byte)
            return
        if buffer[0] != STX:
            self._consume_basic_command(byte, results)
        elif len(buffer) == 1:
            self._consume_second_byte(byte, results)
        elif self._is_safe():
            self._consume_safe(byte, results)
        else:
            self._consume_basic_reply(byte, results)

    def _consume_basic_command(self, byte: int, results: list[ParseResult]) -> None:
        buffer = self._buffer
        if byte == CR:
            results.append(Frame(FrameMode.BASIC, bytes(buffer)))
            buffer.clear()
        elif byte == STX:
            # A Safe packet starts: the unfinished Basic command was noise.
            results.append(self._drop(ProtocolErrorKind.GARBAGE, "unterminated command"))
            buffer.append(byte)
        else:
            buffer.append(byte)
            if len(buffer) > MAX_BASIC_LENGTH:
                results.append(self._drop(ProtocolErrorKind.OVERLONG, "no CR"))

    def _consume_second_byte(self, byte: int, results: list[ParseResult]) -> None:
        buffer = self._buffer
        buffer.append(byte)
        if self._is_safe():
            if byte < SAFE_OVERHEAD:
                results.append(self._drop(ProtocolErrorKind.BAD_LENGTH, f"length byte {byte}"))
        elif byte == ETX:
            results.append(self._drop(ProtocolErrorKind.GRAMMAR, "empty reply"))

    def _is_safe(self) -> bool:
        # A pump's Basic reply always starts with a two-digit address; a Safe length
        # byte is a digit only for 44-53 data bytes, which no reply or command reaches.
        # A pump never receives STX-framed Basic packets, so for it STX means Safe.
        return self._role is StreamRole.PUMP or not (0x30 <= self._buffer[1] <= 0x39)

    def _consume_safe(self, byte: int, results: list[ParseResult]) -> None:
        buffer = self._buffer
        buffer.append(byte)
        if len(buffer) == buffer[1] + 1:
            packet = bytes(buffer)
            buffer.clear()
            try:
                results.append(Frame(FrameMode.SAFE, decode_safe(packet)))
            except ProtocolError as error:
                results.append(error)

    def _consume_basic_reply(self, byte: int, results: list[ParseResult]) -> None:
        buffer = self._buffer
        if byte == ETX:
            results.append(Frame(FrameMode.BASIC, bytes(buffer[1:])))
            buffer.clear()
        elif byte == STX:
            results.append(self._drop(ProtocolErrorKind.MISSING_ETX, "new STX before ETX"))
            buffer.append(byte)
        else:
            buffer.append(byte)
            if len(buffer) > MAX_BASIC_LENGTH:
                results.append(self._drop(ProtocolErrorKind.OVERLONG, "no ETX"))

    def _drop(self, kind: ProtocolErrorKind, detail: str) -> ProtocolError:
        fragment = bytes(self._buffer)
        self._buffer.clear()
        return ProtocolError(kind, fragment, detail)

    def _flush_garbage(self, results: list[ParseResult]) -> None:
        if self._garbage:
            results.append(ProtocolError(ProtocolErrorKind.GARBAGE, bytes(self._garbage)))
            self._garbage.clear()
