"""Helpers: spoken durations and numbers, aware times, countdowns, TOML line scanning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.domain.refusals import require_aware, say_minutes, say_number
from station.domain.timers import countdown
from station.domain.toml_positions import key_lines, line_of
from station.domain.vital_signs import VitalSign, VitalSignsRecord, next_vital_signs
from tests.domain.helpers import NOW, minutes


@pytest.mark.parametrize(
    ("span", "said"),
    [(timedelta(seconds=30), "less than a minute"), (minutes(12), "12 min"),
     (minutes(60), "1 h"), (minutes(65), "1 h 5 min"), (minutes(-12), "12 min")],
)
def test_say_minutes(span: timedelta, said: str) -> None:
    assert say_minutes(span) == said


@pytest.mark.parametrize(
    ("value", "decimals", "said"),
    [(30.0, 1, "30"), (37.25, 1, "37.2"), (0.08, 3, "0.08"), (180, 0, "180")],
)
def test_say_number(value: float, decimals: int, said: str) -> None:
    assert say_number(value, decimals) == said


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        require_aware(NOW.replace(tzinfo=None), "now")
    with pytest.raises(ValueError):
        countdown(NOW, NOW.replace(tzinfo=None))


def test_next_vital_signs() -> None:
    record = VitalSignsRecord(NOW, "rn1", {VitalSign.HEART_RATE: 70})
    due = next_vital_signs(record, minutes(30), NOW + minutes(35))
    assert due.due_at == NOW + minutes(30) and due.overdue


TOML = """\
# comment with [brackets] and key = value
[library]
version = "1 [draft]"

[[drug]]
id = "a"
[drug.titration]
steps = [
  { rate = 1, minutes = 2 },  # first
  { rate = 3 },
]

[[drug]]
id = "b"

[[drug.premedication]]
name = "x"

[[drug.premedication]]
name = "y"
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("library",), 2),
        (("library", "version"), 3),
        (("drug", 0), 5),
        (("drug", 0, "id"), 6),
        (("drug", 0, "titration"), 7),
        (("drug", 0, "titration", "steps"), 8),
        (("drug", 0, "titration", "steps", 0, "rate"), 9),
        (("drug", 0, "titration", "steps", 1), 10),
        (("drug", 1, "id"), 14),
        (("drug", 1, "premedication", 0, "name"), 17),
        (("drug", 1, "premedication", 1, "name"), 20),
    ],
)
def test_key_lines(path: tuple[str | int, ...], line: int) -> None:
    assert key_lines(TOML)[path] == line


def test_line_of_falls_back_to_the_nearest_ancestor() -> None:
    lines = key_lines(TOML)
    assert line_of(lines, ("drug", 1, "missing_key")) == 13
    assert line_of(lines, ("nowhere",)) is None
