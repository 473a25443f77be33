"""Fuzzing what reads bytes from outside: the MLLP deframer and the HL7 reader."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.interop.hl7_read import Hl7FormatError, read_message
from station.interop.hl7_segments import escape
from station.interop.mllp import END, START, Deframer, MllpFramingError, frame

BODY = st.text(st.characters(blacklist_characters="\x0b\x1c", blacklist_categories=["Cs"]),
               max_size=200)


@given(st.lists(BODY, max_size=5), st.lists(st.integers(1, 50), max_size=20))
def test_frames_split_anywhere_come_back_whole(bodies: list[str], cuts: list[int]) -> None:
    wire = b"".join(frame(b) for b in bodies)
    deframer, out, pos = Deframer(), [], 0
    for cut in [*cuts, len(wire)]:
        out += deframer.feed(wire[pos:pos + cut])
        pos += cut
    out += deframer.feed(wire[pos:])
    assert out == bodies


@given(st.binary(max_size=300))
def test_random_bytes_are_messages_or_a_framing_error(data: bytes) -> None:
    try:
        messages = Deframer(max_bytes=256).feed(data)
    except MllpFramingError:
        return
    assert all(isinstance(m, str) for m in messages)
    assert data.startswith(START) or not data


def test_a_frame_over_the_limit_is_refused() -> None:
    with pytest.raises(MllpFramingError, match="longer than the limit"):
        Deframer(max_bytes=10).feed(START + b"x" * 20)
    assert Deframer().feed(START + b"MSH|x" + END) == ["MSH|x"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_clearly(text: str) -> None:
    try:
        message = read_message(text)
    except Hl7FormatError as exc:
        assert str(exc)
        return
    assert message.segments[0] == "MSH"


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=60))
def test_escaped_free_text_never_breaks_the_segment(free: str) -> None:
    control = "C" + escape(free)
    message = read_message(f"MSH|^~\\&|A||||20260101000000||ACK^R01^ACK|{control}|P|2.6")
    assert message.message_type == "ACK^R01^ACK"
    assert (message.control_id, message.processing_id) == (control, "P")


@given(st.text(max_size=80))
def test_escape_leaves_no_delimiter(text: str) -> None:
    escaped = escape(text)
    assert not set("|^~&\r\n") & set(escaped.replace("\\E\\", "").replace(
        "\\F\\", "").replace("\\S\\", "").replace("\\T\\", "").replace("\\R\\", ""))
