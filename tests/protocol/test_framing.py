"""Framing and CRC against the test vectors of the protocol spec."""

from __future__ import annotations

import pytest

from devices.protocol import (
    ProtocolError,
    ProtocolErrorKind,
    crc16,
    decode_safe,
    encode_basic_command,
    encode_basic_reply,
    encode_safe,
)

# (data, packet) from pump-protocol.md "Test vectors".
SPEC_VECTORS = [
    (b"SAF0", "02 08 53 41 46 30 55 43 03"),
    (b"0SAF0", "02 09 30 53 41 46 30 59 ad 03"),
    (b"0", "02 05 30 36 53 03"),
    (b"00S", "02 07 30 30 53 aa a6 03"),
    (b"00A?R", "02 09 30 30 41 3f 52 65 86 03"),
    (b"00SNE1000V3.928", "02 13 30 30 53 4e 45 31 30 30 30 56 33 2e 39 32 38 27 22 03"),
    (b"0SAF10", "02 0a 30 53 41 46 31 30 63 be 03"),
    (b"00S?COM", "02 0b 30 30 53 3f 43 4f 4d b5 80 03"),
]


@pytest.mark.parametrize(("data", "packet_hex"), SPEC_VECTORS)
def test_encode_safe_matches_spec_vectors(data: bytes, packet_hex: str) -> None:
    assert encode_safe(data) == bytes.fromhex(packet_hex)


@pytest.mark.parametrize(("data", "packet_hex"), SPEC_VECTORS)
def test_decode_safe_returns_the_data(data: bytes, packet_hex: str) -> None:
    assert decode_safe(bytes.fromhex(packet_hex)) == data


def test_crc_of_manual_example() -> None:
    assert crc16(b"SAF0") == 0x5543


def test_basic_framing() -> None:
    assert encode_basic_command("0RAT100MH") == b"0RAT100MH\r"
    assert encode_basic_reply("00S") == b"\x0200S\x03"


def test_bad_crc_is_a_typed_error() -> None:
    packet = bytearray(encode_safe(b"0SAF0"))
    packet[-2] ^= 0xFF
    with pytest.raises(ProtocolError) as caught:
        decode_safe(bytes(packet))
    assert caught.value.kind is ProtocolErrorKind.BAD_CRC


def test_bad_length_and_missing_etx() -> None:
    packet = bytearray(encode_safe(b"0SAF0"))
    short = bytes(packet[:1]) + bytes([packet[1] - 1]) + bytes(packet[2:])
    with pytest.raises(ProtocolError) as caught:
        decode_safe(short)
    assert caught.value.kind is ProtocolErrorKind.BAD_LENGTH
    packet[-1] = 0x04
    with pytest.raises(ProtocolError) as caught:
        decode_safe(bytes(packet))
    assert caught.value.kind is ProtocolErrorKind.MISSING_ETX


def test_safe_data_limit() -> None:
    with pytest.raises(ValueError, match="at most 251"):
        encode_safe(b"x" * 252)
