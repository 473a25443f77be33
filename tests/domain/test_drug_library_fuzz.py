"""The drug library loader fed broken files (hypothesis): a `DrugLibraryError` naming the
file and each problem, or a valid library; never another exception. The shipped file's
values are mutated one at a time (a value a person could mistype), and any text at all is
tried as a whole file. The library loaded before stays as it was."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.domain.drug_library import DrugLibrary
from station.domain.drug_library_loader import DEFAULT_PATH, parse_drug_library
from station.domain.library_checker import DrugLibraryError

SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")
# `key = value` lines (not comments, not tables): the places a person edits.
VALUE_LINES = [m for m in re.finditer(r"^(\s*[\w.-]+\s*=\s*)(.+)$", SHIPPED, re.MULTILINE)]
VALUES = st.one_of(
    st.sampled_from(["0", "-1", "1e309", "nan", "inf", '""', '"x"', "[]", "{}", "true",
                     "2026-13-40", "99999999999999999999", "0.0001", '"mL/min"', "[1, 2]"]),
    st.integers(-10**9, 10**9).map(str),
    st.floats(allow_nan=True).map(repr),
    st.text(max_size=20),
)


def check(text: str) -> None:
    try:
        library = parse_drug_library(text, "fuzz.toml")
    except DrugLibraryError as exc:
        assert exc.source == "fuzz.toml" and exc.issues
        assert all(str(issue).strip() for issue in exc.issues)
        assert str(exc).startswith("drug library fuzz.toml has ")
    else:
        assert isinstance(library, DrugLibrary)


@settings(max_examples=300, deadline=None)
@given(line=st.sampled_from(VALUE_LINES), value=VALUES)
def test_one_mistyped_value_is_refused_with_a_message_or_is_valid(
        line: re.Match[str], value: str) -> None:
    shipped = parse_drug_library(SHIPPED, "shipped")
    text = SHIPPED[:line.start(2)] + value + SHIPPED[line.end(2):]
    check(text)
    assert parse_drug_library(SHIPPED, "shipped") == shipped  # nothing shared was changed


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(0, len(SHIPPED)), junk=st.text(max_size=50))
def test_a_truncated_or_spliced_file_is_refused_with_a_message(cut: int, junk: str) -> None:
    check(SHIPPED[:cut] + junk)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_is_refused_with_a_message(text: str) -> None:
    check(text)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("hard_max = ", "hard_max = nan # ", "must be a finite number, got nan"),
    ("hard_max = ", "hard_max = inf # ", "must be a finite number, got inf"),
    ("site_check_interval_min = 120", "site_check_interval_min = 99999999999999999999",
     "must be at most 10080 minutes (a week)"),
])
def test_a_limit_of_nan_or_inf_and_an_interval_past_a_week_are_refused(
        old: str, new: str, message: str) -> None:
    with pytest.raises(DrugLibraryError, match=re.escape(message)):
        parse_drug_library(SHIPPED.replace(old, new, 1), "fuzz.toml")
