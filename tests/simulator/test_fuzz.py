"""Hypothesis fuzzing of the pump's command handling: whatever arrives, it keeps working."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.protocol import (
    FrameMode,
    StreamParser,
    StreamRole,
    encode_basic_command,
    encode_safe,
    parse_reply,
)
from devices.simulator.handlers import FIRMWARE
from tests.simulator.conftest import PumpBench

COMMANDS = st.sampled_from(
    ["0", "0VER", "0RAT100MH", "0RUN", "0STP", "0SAF5", "0SAF0", "0DIS", "0VOL1", "0PUR",
     "*ADR3", "0XPR", "0DIRREV", "1RAT", "0CLDINF", "0 rat 5 um", "*RESET"]
)


@st.composite
def damaged_frames(draw: st.DrawFn) -> bytes:
    """A valid Basic or Safe command, then truncated or with bytes corrupted."""
    text = draw(COMMANDS)
    frame = encode_safe(text) if draw(st.booleans()) else encode_basic_command(text)
    action = draw(st.sampled_from(["keep", "truncate", "corrupt"]))
    if action == "truncate":
        return frame[: draw(st.integers(0, len(frame) - 1))]
    if action == "corrupt":
        data = bytearray(frame)
        for _ in range(draw(st.integers(1, 3))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    return frame


CHUNKS = st.lists(st.one_of(st.binary(max_size=40), damaged_frames()), max_size=12)


def answers_version_correctly(bench: PumpBench) -> None:
    """A Safe-framed system `*VER` reaches the pump whatever its address or mode."""
    bench.clock.advance(0.6)  # let a partial packet time out, as a host would wait
    host = StreamParser(StreamRole.HOST, clock=bench.clock.now)
    for _ in range(2):  # the first valid command may only acknowledge an alarm
        (packet,) = bench.safe("*VER")
        (frame,) = host.feed(packet)
        assert not isinstance(frame, Exception)
        reply = parse_reply(frame.payload)
        assert frame.mode is (FrameMode.SAFE if bench.pump.safe_mode else FrameMode.BASIC)
        assert reply.address == bench.pump.address
        if reply.alarm is None:
            assert reply.data == FIRMWARE
            return
    raise AssertionError("the alarm was not acknowledged")


@settings(max_examples=300, deadline=None)
@given(chunks=CHUNKS, gaps=st.lists(st.floats(0.0, 1.0), max_size=12))
def test_any_input_then_a_valid_command_is_answered_correctly(
    chunks: list[bytes], gaps: list[float]
) -> None:
    bench = PumpBench()
    for index, chunk in enumerate(chunks):
        replies = bench.feed(chunk)
        assert all(isinstance(reply, bytes) and reply for reply in replies)
        if index < len(gaps):
            bench.advance(gaps[index])
    answers_version_correctly(bench)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_in_one_chunk(data: bytes) -> None:
    bench = PumpBench()
    bench.feed(data)
    answers_version_correctly(bench)
