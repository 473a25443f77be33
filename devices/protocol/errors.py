"""Typed protocol errors: what the parsers report instead of raising anything else."""

from __future__ import annotations

from enum import StrEnum


class ProtocolErrorKind(StrEnum):
    """Why a fragment of the byte stream or a text was rejected."""

    GARBAGE = "garbage"  # bytes outside any packet
    TIMEOUT = "timeout"  # partial packet dropped after the inter-byte gap
    BAD_LENGTH = "bad_length"  # Safe-mode length byte impossible or not matching
    BAD_CRC = "bad_crc"
    MISSING_ETX = "missing_etx"
    OVERLONG = "overlong"  # a packet longer than any the protocol produces
    GRAMMAR = "grammar"  # framing fine, text does not follow the reply/command grammar


class ProtocolError(ValueError):
    """A rejected fragment, with its kind and the raw bytes for the log."""

    def __init__(self, kind: ProtocolErrorKind, fragment: bytes, detail: str = "") -> None:
        self.kind = kind
        self.fragment = fragment
        self.detail = detail
        text = f"{kind.value}: {fragment!r}"
        super().__init__(f"{text} ({detail})" if detail else text)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProtocolError):
            return NotImplemented
        return (self.kind, self.fragment) == (other.kind, other.fragment)

    def __hash__(self) -> int:
        return hash((self.kind, self.fragment))
