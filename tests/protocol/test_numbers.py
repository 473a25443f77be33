"""The New Era float format."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.protocol import format_float, parse_float


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (500, "500.0"),
        (26.59, "26.59"),
        (1000, "1000."),
        (1, "1.000"),
        (0.25, "0.250"),
        (0, "0.000"),
        (12.5, "12.50"),
        (9999, "9999."),
        (0.0005, "0.000"),  # half to even
        (0.0015, "0.002"),
        (123.4567, "123.5"),
    ],
)
def test_format_float(value: float, text: str) -> None:
    assert format_float(value) == text


@pytest.mark.parametrize("value", [10000, 9999.6, -1, float("nan"), float("inf")])
def test_format_float_refuses_what_does_not_fit(value: float) -> None:
    with pytest.raises(ValueError):
        format_float(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100", 100.0),
        ("100.", 100.0),
        (".5", 0.5),
        ("26.59", 26.59),
        ("0.001", 0.001),
        ("10.000", 10.0),  # `%0.3f` hosts: trailing zeros are not digits
        ("9999.000", 9999.0),
    ],
)
def test_parse_float(text: str, value: float) -> None:
    assert parse_float(text) == value


@pytest.mark.parametrize(
    "text", ["", ".", "12345", "1.2345", "1,5", "-1", "1e3", "1.2.3", "10.0001", "12345.0"]
)
def test_parse_float_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_float(text)


@given(st.floats(min_value=0, max_value=9999.4, allow_nan=False))
def test_format_then_parse_round_trips_within_the_resolution(value: float) -> None:
    text = format_float(value)
    assert "." in text
    assert len(text.replace(".", "")) <= 4
    decimals = len(text.split(".")[1])
    assert abs(parse_float(text) - value) <= 0.5 * 10**-decimals + 1e-9
