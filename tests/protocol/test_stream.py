"""The incremental stream parser: frames, re-synchronisation, time-outs, fuzzing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol import (
    ETX,
    STX,
    Frame,
    FrameMode,
    ProtocolError,
    ProtocolErrorKind,
    StreamParser,
    StreamRole,
    encode_basic_command,
    encode_basic_reply,
    encode_safe,
)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pump_parser(clock: FakeClock | None = None) -> StreamParser:
    return StreamParser(StreamRole.PUMP, clock=clock or FakeClock())


def host_parser(clock: FakeClock | None = None) -> StreamParser:
    return StreamParser(StreamRole.HOST, clock=clock or FakeClock())


def test_pump_reads_basic_and_safe_commands_in_one_chunk() -> None:
    stream = encode_basic_command("0 rat 100 mh") + encode_safe(b"0SAF0") + b"0\r"
    assert pump_parser().feed(stream) == [
        Frame(FrameMode.BASIC, b"0 rat 100 mh"),
        Frame(FrameMode.SAFE, b"0SAF0"),
        Frame(FrameMode.BASIC, b"0"),
    ]


def test_frames_split_across_any_chunk_boundary() -> None:
    stream = encode_safe(b"0SAF10") + encode_basic_command("0RUN") + encode_safe(b"0")
    for cut in range(len(stream) + 1):
        parser = pump_parser()
        frames = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
        assert frames == [
            Frame(FrameMode.SAFE, b"0SAF10"),
            Frame(FrameMode.BASIC, b"0RUN"),
            Frame(FrameMode.SAFE, b"0"),
        ]
        assert parser.pending == b""


def test_host_reads_basic_and_safe_replies() -> None:
    stream = encode_basic_reply("00A?R") + encode_safe(b"00S") + encode_basic_reply("00I")
    assert host_parser().feed(stream) == [
        Frame(FrameMode.BASIC, b"00A?R"),
        Frame(FrameMode.SAFE, b"00S"),
        Frame(FrameMode.BASIC, b"00I"),
    ]


def test_host_resynchronises_after_garbage() -> None:
    results = host_parser().feed(b"\xff\x00junk" + encode_basic_reply("00S"))
    assert results == [
        ProtocolError(ProtocolErrorKind.GARBAGE, b"\xff\x00junk"),
        Frame(FrameMode.BASIC, b"00S"),
    ]


def test_bad_crc_is_reported_and_the_next_packet_still_parses() -> None:
    bad = bytearray(encode_safe(b"0RUN"))
    bad[3] ^= 0x01
    results = pump_parser().feed(bytes(bad) + encode_safe(b"0STP"))
    assert isinstance(results[0], ProtocolError)
    assert results[0].kind is ProtocolErrorKind.BAD_CRC
    assert results[1] == Frame(FrameMode.SAFE, b"0STP")


def test_partial_packet_dropped_after_half_a_second_between_bytes() -> None:
    clock = FakeClock()
    parser = pump_parser(clock)
    packet = encode_safe(b"0RUN")
    assert parser.feed(packet[:4]) == []
    clock.now += 0.49
    assert parser.feed(packet[4:5]) == []
    clock.now += 0.51
    results = parser.feed(encode_safe(b"0STP"))
    assert results == [
        ProtocolError(ProtocolErrorKind.TIMEOUT, packet[:5]),
        Frame(FrameMode.SAFE, b"0STP"),
    ]


def test_expire_without_new_bytes() -> None:
    clock = FakeClock()
    parser = host_parser(clock)
    parser.feed(b"\x0200S")
    assert parser.expire() == []
    clock.now += 0.6
    assert parser.expire() == [ProtocolError(ProtocolErrorKind.TIMEOUT, b"\x0200S")]
    assert parser.pending == b""


def test_impossible_length_byte() -> None:
    results = pump_parser().feed(bytes([STX, 2]) + encode_safe(b"0"))
    assert isinstance(results[0], ProtocolError)
    assert results[0].kind is ProtocolErrorKind.BAD_LENGTH
    assert results[1] == Frame(FrameMode.SAFE, b"0")


def test_reply_cut_by_a_new_stx() -> None:
    results = host_parser().feed(b"\x0200S" + encode_basic_reply("00I"))
    assert results[0] == ProtocolError(ProtocolErrorKind.MISSING_ETX, b"\x0200S")
    assert results[1] == Frame(FrameMode.BASIC, b"00I")


def test_runaway_command_is_dropped() -> None:
    results = pump_parser().feed(b"A" * 300 + b"\r0\r")
    kinds = [r.kind for r in results if isinstance(r, ProtocolError)]
    assert kinds == [ProtocolErrorKind.OVERLONG]
    assert results[-1] == Frame(FrameMode.BASIC, b"0")


def test_spec_host_session_is_fully_consumed() -> None:
    """The third-party host session of pump-protocol.md, from the host's side."""
    replies = [
        encode_basic_reply("00A?R"),
        encode_basic_reply("00S"),
        encode_basic_reply("00SNE1000V3.928"),
        *[encode_basic_reply("00S")] * 5,
        encode_basic_reply("00S500.0UM"),
        encode_basic_reply("00I"),
        encode_basic_reply("00SI1000.W0.000UL"),
    ]
    parser = host_parser()
    frames = parser.feed(b"".join(replies))
    assert [f.payload for f in frames if isinstance(f, Frame)] == [
        r[1:-1] for r in replies
    ]
    assert parser.pending == b""


packets = st.one_of(
    st.binary(max_size=20).map(encode_safe),
    st.text(alphabet="0123456789ABCDEFRUNSTPVOLRAT ", max_size=12).map(encode_basic_command),
    st.binary(max_size=12),
)


@settings(max_examples=300)
@given(st.lists(packets, max_size=12), st.lists(st.integers(0, 200), max_size=6))
def test_pump_parser_never_raises_and_recovers(chunks: list[bytes], cuts: list[int]) -> None:
    clock = FakeClock()
    parser = pump_parser(clock)
    stream = b"".join(chunks)
    position = 0
    for cut in sorted(cuts):
        parser.feed(stream[position:cut])
        position = max(position, cut)
    parser.feed(stream[position:])
    # Whatever came before, after a quiet gap a valid packet is read correctly.
    clock.now += 1.0
    results = parser.feed(encode_safe(b"0RAT"))
    assert results[-1] == Frame(FrameMode.SAFE, b"0RAT")


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_host_parser_never_raises_and_recovers(noise: bytes) -> None:
    clock = FakeClock()
    parser = host_parser(clock)
    results = parser.feed(noise)
    assert all(isinstance(r, Frame | ProtocolError) for r in results)
    clock.now += 1.0
    assert parser.feed(encode_safe(b"00S"))[-1] == Frame(FrameMode.SAFE, b"00S")
    assert parser.feed(bytes([STX]) + b"00I" + bytes([ETX])) == [Frame(FrameMode.BASIC, b"00I")]
