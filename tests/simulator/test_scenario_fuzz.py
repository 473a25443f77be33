"""Scenario files as a person may write them (hypothesis): checked steps, or a
`ScenarioError` naming the file (and the step); never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.simulator.scenario import ScenarioError, load_scenario, parse_scenario

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True),
    st.sampled_from(["occlusion", "all", "pulled_cable", "silent", "close", "jam", ""]),
    st.text(max_size=10),
)
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
KEYS = st.sampled_from(["at_s", "pump", "inject", "clear", "set", "params", "duration_s",
                        "severity", "mode", "site_height_cm", "unknown"])
STEP = st.dictionaries(KEYS, JSONISH, max_size=6)


def check_document(document: Any) -> None:
    try:
        steps = parse_scenario(document, "fuzz.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.toml")
    else:
        assert [s.at_s for s in steps] == sorted(s.at_s for s in steps)


@settings(max_examples=400, deadline=None)
@given(steps=st.lists(st.one_of(STEP, JSONISH), max_size=4))
def test_any_steps_are_checked_steps_or_a_scenario_error(steps: list[Any]) -> None:
    check_document({"step": steps})


@settings(max_examples=200, deadline=None)
@given(document=JSONISH)
def test_any_document_is_a_scenario_error_or_steps(document: Any) -> None:
    check_document(document)


@settings(max_examples=200, deadline=None)
@given(content=st.one_of(st.binary(max_size=80),
                         st.lists(STEP, max_size=3).map(
                             lambda s: json.dumps({"step": s}).encode())),
       suffix=st.sampled_from([".toml", ".json"]))
def test_any_file_is_a_scenario_error_or_steps(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"s{suffix}"
        path.write_bytes(content)
        try:
            load_scenario(path)
        except ScenarioError as exc:
            assert str(exc).startswith(str(path))
