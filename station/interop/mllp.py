"""MLLP framing (HL7 v2 Minimal Lower Layer Protocol): <VT> message <FS><CR>."""

from __future__ import annotations

START, END = b"\x0b", b"\x1c\x0d"
MAX_MESSAGE_BYTES = 1 << 20


class MllpFramingError(ValueError):
    """Bytes on the wire that are not MLLP frames."""


def frame(message: str) -> bytes:
    """One message (segments ending in CR) as an MLLP frame, UTF-8."""
    return START + message.encode("utf-8") + END


class Deframer:
    """Collects bytes from a stream and returns the complete messages in them."""

    def __init__(self, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_bytes

    def feed(self, data: bytes) -> list[str]:
        """Add received bytes; the messages completed by them (bytes between frames are
        refused, a frame longer than ``max_bytes`` too)."""
        self._buffer += data
        out: list[str] = []
        while self._buffer:
            if self._buffer[:1] != START:
                junk = bytes(self._buffer[:16])
                self._buffer.clear()
                raise MllpFramingError(f"bytes outside an MLLP frame: {junk!r}")
            end = self._buffer.find(END)
            if end < 0:
                if len(self._buffer) > self._max:
                    self._buffer.clear()
                    raise MllpFramingError("MLLP frame longer than the limit")
                break
            body = bytes(self._buffer[1:end])
            del self._buffer[:end + len(END)]
            try:
                out.append(body.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise MllpFramingError(f"MLLP frame is not UTF-8: {exc}") from exc
        return out
