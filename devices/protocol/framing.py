"""Basic and Safe framing, and the Safe-mode CRC."""

from __future__ import annotations

import binascii

from devices.protocol.errors import ProtocolError, ProtocolErrorKind

STX = 0x02
ETX = 0x03
CR = 0x0D

# len counts itself, the data and the two CRC bytes; one byte, so data <= 251 bytes.
SAFE_OVERHEAD = 4
MAX_SAFE_DATA = 0xFF - SAFE_OVERHEAD


def crc16(data: bytes) -> int:
    """CRC-16/CCITT (XModem): polynomial 0x1021, initial 0, not reflected."""
    return binascii.crc_hqx(data, 0)


def encode_basic_command(text: str) -> bytes:
    """A host command in Basic mode: the text, then CR."""
    return text.encode("ascii") + bytes([CR])


def encode_basic_reply(text: str) -> bytes:
    """A pump reply in Basic mode: STX, the text, ETX."""
    return bytes([STX]) + text.encode("ascii") + bytes([ETX])


def encode_safe(data: bytes | str) -> bytes:
    """A Safe-mode packet (either direction): STX len data crc_hi crc_lo ETX."""
    payload = data.encode("ascii") if isinstance(data, str) else data
    if len(payload) > MAX_SAFE_DATA:
        raise ValueError(f"Safe-mode data is at most {MAX_SAFE_DATA} bytes, got {len(payload)}")
    crc = crc16(payload)
    return (
        bytes([STX, len(payload) + SAFE_OVERHEAD])
        + payload
        + bytes([crc >> 8, crc & 0xFF, ETX])
    )


def decode_safe(packet: bytes) -> bytes:
    """The data of one complete Safe-mode packet; a ProtocolError says what is wrong."""
    if len(packet) < SAFE_OVERHEAD + 1 or packet[0] != STX:
        raise ProtocolError(ProtocolErrorKind.BAD_LENGTH, packet, "too short for a Safe packet")
    length = packet[1]
    if length < SAFE_OVERHEAD or length + 1 != len(packet):
        raise ProtocolError(
            ProtocolErrorKind.BAD_LENGTH, packet, f"length byte {length}, packet {len(packet)}"
        )
    if packet[-1] != ETX:
        raise ProtocolError(ProtocolErrorKind.MISSING_ETX, packet)
    data = packet[2:-3]
    received = (packet[-3] << 8) | packet[-2]
    if crc16(data) != received:
        raise ProtocolError(
            ProtocolErrorKind.BAD_CRC, packet, f"got {received:04x}, expected {crc16(data):04x}"
        )
    return data
