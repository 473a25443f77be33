"""The reply grammar: address, prompt or alarm, data or error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.protocol import (
    AlarmCode,
    Prompt,
    ProtocolError,
    ProtocolErrorKind,
    Reply,
    ReplyError,
    parse_reply,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00S", Reply(0, prompt=Prompt.STOPPED)),
        ("00I", Reply(0, prompt=Prompt.INFUSING)),
        ("00A?R", Reply(0, alarm=AlarmCode.RESET)),
        ("07A?S", Reply(7, alarm=AlarmCode.STALL)),
        ("00SNE1000V3.928", Reply(0, prompt=Prompt.STOPPED, data="NE1000V3.928")),
        ("00S500.0UM", Reply(0, prompt=Prompt.STOPPED, data="500.0UM")),
        ("00SI1000.W0.000UL", Reply(0, prompt=Prompt.STOPPED, data="I1000.W0.000UL")),
        ("00S?", Reply(0, prompt=Prompt.STOPPED, error=ReplyError.UNKNOWN)),
        ("00S?COM", Reply(0, prompt=Prompt.STOPPED, error=ReplyError.COMMUNICATION)),
        ("12I?OOR", Reply(12, prompt=Prompt.INFUSING, error=ReplyError.OUT_OF_RANGE)),
        ("00P?NA", Reply(0, prompt=Prompt.PAUSED, error=ReplyError.NOT_APPLICABLE)),
        ("00I?IGN", Reply(0, prompt=Prompt.INFUSING, error=ReplyError.IGNORED)),
    ],
)
def test_parse_reply(text: str, expected: Reply) -> None:
    assert parse_reply(text) == expected
    assert expected.to_text() == text


@pytest.mark.parametrize(
    "text", ["", "0S", "00", "00Q", "00A?Z", "AAS", "00S?FOO", "00S\x01", "00A?"]
)
def test_malformed_replies_are_grammar_errors(text: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_reply(text)
    assert caught.value.kind is ProtocolErrorKind.GRAMMAR


def test_reply_needs_exactly_one_status() -> None:
    with pytest.raises(ValueError):
        Reply(0)
    with pytest.raises(ValueError):
        Reply(0, prompt=Prompt.STOPPED, alarm=AlarmCode.STALL)


@given(st.binary(max_size=40))
def test_parse_reply_raises_only_protocol_errors(raw: bytes) -> None:
    try:
        reply = parse_reply(raw)
    except ProtocolError:
        return
    assert parse_reply(reply.to_text()) == reply
