"""The scenario format: description, prompts, keypad, stand-in steps, expectations, and
errors that name the file and the line; the parser fuzzed with hypothesis."""

from __future__ import annotations

import json
import math
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.simulator.clock import ManualClock
from devices.simulator.fleet import Fleet, build_units
from devices.simulator.scenario import ScenarioError, parse_document, parse_text
from devices.simulator.scenario_step import ScenarioRunner

GOOD = """\
title = "Kink"
description = "A kinked line."
pumps = 2

[[step]]
at_s = 0
stand_in = true
keypad = ["RAT 100 MH", "RUN"]

[[step]]
at_s = 10
pump = 2
prompt = "Play the patient."

[[step]]
at_s = 20
pump = 2
inject = "jam"

[[expect]]
pump = 2
alarm = "pump_stall"
after_s = 20
before_s = 60
"""


def test_a_bad_step_is_named_by_its_line_in_toml() -> None:
    with pytest.raises(ScenarioError) as error:
        parse_text(GOOD, "kink.toml", json_format=False)
    assert str(error.value).startswith("kink.toml:15: step 3 (at_s=20): unknown fault 'jam'")


def test_a_bad_step_is_named_by_its_line_in_json() -> None:
    text = '{"step": [\n  {"at_s": 1, "clear": "all"},\n\n  {"at_s": 5, "keypad": "SAF 5"}\n]}'
    with pytest.raises(ScenarioError) as error:
        parse_text(text, "s.json", json_format=True)
    assert str(error.value).startswith("s.json:4: step 2 (at_s=5): keypad command 'SAF 5'")


@pytest.mark.parametrize(("expect", "message"), [
    ({"alarm": "pump_stall", "after_s": 5}, "before_s (scenario seconds) is required"),
    ({"alarm": "pump_stall", "status": "P", "after_s": 1, "before_s": 2}, "exactly one of"),
    ({"alarm": "Pump Stall!", "after_s": 1, "before_s": 2}, "condition name"),
    ({"status": "Q", "after_s": 1, "before_s": 2}, "one of the pump's prompts"),
    ({"pump": 3, "alarm": "x", "after_s": 1, "before_s": 2}, "1..2, got 3"),
    ({"alarm": "x", "after_s": 9, "before_s": 2}, "must be after after_s"),
])
def test_bad_expectations_are_refused(expect: dict[str, object], message: str) -> None:
    text = GOOD.replace('"jam"', '"occlusion"') + "\n[[expect]]\n" + "\n".join(
        f"{k} = {json.dumps(v)}" for k, v in expect.items())
    with pytest.raises(ScenarioError) as error:
        parse_text(text, "k.toml", json_format=False)
    header = [n for n, line in enumerate(text.splitlines(), 1) if line == "[[expect]]"][1]
    assert str(error.value).startswith(f"k.toml:{header}: expect 2: ")
    assert message in str(error.value)


def test_the_document_keeps_title_description_prompts_and_expectations() -> None:
    scenario = parse_text(GOOD.replace('"jam"', '"occlusion"'), "k.toml", json_format=False)
    assert (scenario.title, scenario.description, scenario.pumps) == ("Kink", "A kinked line.", 2)
    assert [s.action for s in scenario.steps] == ["keypad", "prompt", "inject"]
    assert scenario.steps[0].stand_in and scenario.steps[1].prompt == "Play the patient."
    assert scenario.expectations[0].alarm == "pump_stall" and scenario.duration_s == 20


def test_keypad_steps_program_and_run_the_pump_and_stand_ins_can_be_left_out() -> None:
    scenario = parse_text(GOOD.replace('"jam"', '"occlusion"'), "k.toml", json_format=False)
    for stand_in, motion in ((True, "I"), (False, "S")):
        clock = ManualClock()
        fleet = Fleet(build_units(2, clock, seed=1))
        runner = ScenarioRunner(list(scenario.steps), stand_in=stand_in)
        fired = runner.run_due(0.0, fleet)
        assert all(f.problems == () for f in fired)
        assert fleet.units[1].pump.mechanics.motion.value == motion
        clock.advance(10)
        (prompt,) = runner.run_due(10.0, fleet)
        assert prompt.prompt == "Play the patient."


def test_a_keypad_command_the_pump_refuses_is_reported_not_raised() -> None:
    scenario = parse_text('[[step]]\nat_s = 0\nkeypad = "RUN"\n', "r.toml", json_format=False)
    fleet = Fleet(build_units(1, ManualClock(), seed=1))
    (fired,) = ScenarioRunner(list(scenario.steps)).run_due(0.0, fleet)
    assert fired.problems and "keypad RUN refused" in fired.problems[0]  # no rate yet


# -- fuzzing --------------------------------------------------------------------------------

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10_000) | st.floats(allow_nan=True)
    | st.text(max_size=12) | st.sampled_from(["occlusion", "all", "RUN", "RAT 5 MH", "P"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(["at_s", "pump", "inject", "clear", "set", "keypad", "prompt",
                        "stand_in", "params", "duration_s", "alarm", "status", "after_s",
                        "before_s", "note", "title", "pumps", "bogus"])
TABLES = st.dictionaries(KEYS, VALUES, max_size=5)
DOCUMENTS = st.fixed_dictionaries({"step": st.lists(TABLES, max_size=4)}, optional={
    "expect": st.lists(TABLES, max_size=3), "title": VALUES, "description": VALUES,
    "pumps": VALUES})


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_any_document_is_checked_or_refused_with_a_message(document: dict[str, object]) -> None:
    try:
        scenario = parse_document(document, "fuzz.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.toml")
        return
    assert all(math.isfinite(s.at_s) and s.at_s >= 0 for s in scenario.steps)
    assert all(s.pump is None or 1 <= s.pump <= scenario.pumps for s in scenario.steps)
    assert [s.at_s for s in scenario.steps] == sorted(s.at_s for s in scenario.steps)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.booleans())
def test_any_text_is_checked_or_refused_with_a_message(text: str, as_json: bool) -> None:
    try:
        parse_text(text, "fuzz.src", json_format=as_json)
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.src")


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 6), st.integers(1, 5))
def test_the_line_named_is_the_bad_step_s(good: int, blank: int) -> None:
    block = '[[step]]\nat_s = 1\nclear = "all"\n' + "\n" * blank
    text = block * good + '[[step]]\nat_s = 2\ninject = "jam"\n'
    with pytest.raises(ScenarioError) as error:
        parse_text(text, "l.toml", json_format=False)
    line = int(str(error.value).split(":")[1])
    assert text.splitlines()[line - 1] == "[[step]]"
    assert line == len(block.splitlines()) * good + 1
    assert tomllib.loads(text)  # the file itself is valid TOML
