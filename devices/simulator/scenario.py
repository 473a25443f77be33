"""Scenario files: a title, a description, timed steps and what the run should teach.

TOML (or the same structure in JSON); every key but `step` is optional, so a file of
steps alone (the first format) still works:

    title = "Occlusion right after a break"
    description = "..."
    pumps = 1                   # pumps the scenario needs

    [[step]]                    # see scenario_step.py
    at_s = 120
    inject = "occlusion"

    [[expect]]                  # what the station should show, in scenario seconds
    pump = 1
    alarm = "pump_stall"        # a station alarm condition; or status = "P" (the pump's)
    priority = "high"           # optional: raised at, or escalated to, this priority
    after_s = 130
    before_s = 200
    note = "..."

The whole file is checked when loaded; an error names the file, the line of the step
(or expectation) and the reason: `s.toml:14: step 3 (at_s=200): unknown fault 'jam'`.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.protocol import Prompt
from devices.simulator.faults import FaultError
from devices.simulator.scenario_step import FiredStep, ScenarioRunner, Step, parse_step

__all__ = [
    "Expectation",
    "FiredStep",
    "Scenario",
    "ScenarioError",
    "ScenarioRunner",
    "Step",
    "check_pumps",
    "load_scenario",
    "load_scenario_file",
    "parse_document",
    "parse_scenario",
]

DOCUMENT_KEYS = frozenset({"title", "description", "pumps", "step", "expect"})
EXPECT_KEYS = frozenset({"pump", "alarm", "status", "priority", "after_s", "before_s",
                         "note"})
PRIORITIES = ("low", "medium", "high")  # the station's alarm priorities
_CONDITION = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_PUMPS = 99


class ScenarioError(ValueError):
    """A scenario file that cannot be run, with where and why."""


@dataclass(frozen=True)
class Expectation:
    """The station should raise `alarm` (or read pump `status`) between two times."""

    pump: int
    after_s: float
    before_s: float
    alarm: str | None = None
    status: str | None = None
    note: str = ""
    priority: str | None = None  # the alarm at this priority (raised or escalated to it)


@dataclass(frozen=True)
class Scenario:
    """A checked scenario file."""

    title: str
    description: str
    pumps: int
    steps: tuple[Step, ...]
    expectations: tuple[Expectation, ...] = ()
    source: str = "scenario"

    @property
    def duration_s(self) -> float:
        """When its last step is due."""
        return max((s.at_s for s in self.steps), default=0.0)


def parse_document(document: Mapping[str, Any], source: str = "scenario",
                   lines: Mapping[tuple[str, int], int] | None = None) -> Scenario:
    """Check a loaded document; `lines` maps ("step", n) to the line it starts on."""
    where = lines or {}
    if not isinstance(document, Mapping):
        raise ScenarioError(f"{source}: a scenario is a table, got {type(document).__name__}")
    steps = document.get("step")
    if not isinstance(steps, list):
        raise ScenarioError(f"{source}: expected a list of [[step]] tables")
    unknown = sorted(set(document) - DOCUMENT_KEYS)
    if unknown:
        raise ScenarioError(f"{source}: unknown key(s) {unknown}; known: {sorted(DOCUMENT_KEYS)}")
    checked = []
    for index, raw in enumerate(steps, start=1):
        at = raw.get("at_s", "?") if isinstance(raw, dict) else "?"
        try:
            checked.append(parse_step(raw))
        except FaultError as exc:
            raise ScenarioError(f"{_at(source, where, 'step', index)}: step {index} "
                                f"(at_s={at}): {exc}") from None
    title = _text(document, "title", source, Path(source).stem)
    description = _text(document, "description", source, "")
    pumps = document.get("pumps", max((s.pump or 1 for s in checked), default=1))
    if isinstance(pumps, bool) or not isinstance(pumps, int) or not 1 <= pumps <= MAX_PUMPS:
        raise ScenarioError(f"{source}: pumps must be a number of pumps 1..{MAX_PUMPS}, "
                            f"got {pumps!r}")
    check_pumps(checked, pumps, source)
    expects = document.get("expect", [])
    if not isinstance(expects, list):
        raise ScenarioError(f"{source}: expect must be a list of [[expect]] tables")
    expectations = []
    for index, raw in enumerate(expects, start=1):
        try:
            expectations.append(_expectation(raw, pumps))
        except FaultError as exc:
            raise ScenarioError(f"{_at(source, where, 'expect', index)}: expect {index}: "
                                f"{exc}") from None
    return Scenario(title, description, pumps, tuple(sorted(checked, key=lambda s: s.at_s)),
                    tuple(expectations), source)


def parse_scenario(document: Mapping[str, Any], source: str = "scenario") -> list[Step]:
    """Every step of a loaded document, in time order."""
    return list(parse_document(document, source).steps)


def check_pumps(steps: list[Step], count: int, source: str = "scenario") -> None:
    """Every step names a pump that exists in a run of `count` pumps."""
    for step in steps:
        if step.pump is not None and step.pump > count:
            raise ScenarioError(
                f"{source}: step at_s={step.at_s} names pump {step.pump}; this run has {count}"
            )


def load_scenario_file(path: Path) -> Scenario:
    """Read and check a .toml or .json scenario file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read it: {exc}") from None
    return parse_text(text, str(path), json_format=path.suffix == ".json")


def parse_text(text: str, source: str, *, json_format: bool) -> Scenario:
    """Check a scenario given as text (TOML unless `json_format`)."""
    try:
        document = json.loads(text) if json_format else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "json" if json_format else "toml"
        raise ScenarioError(f"{source}: not valid {kind}: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: nested too deeply") from None
    lines = _json_lines(text) if json_format else _toml_lines(text)
    return parse_document(document, source, lines)


def load_scenario(path: Path) -> list[Step]:
    """The steps of a .toml or .json scenario file (the first API, kept)."""
    return list(load_scenario_file(path).steps)


# -- checks -----------------------------------------------------------------------------


def _text(document: Mapping[str, Any], key: str, source: str, default: str) -> str:
    value = document.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(f"{source}: {key} must be text, got {value!r:.60}")
    return value.strip()


def _expectation(raw: object, pumps: int) -> Expectation:
    if not isinstance(raw, dict):
        raise FaultError(f"an expectation is a table, got {raw!r:.60}")
    unknown = sorted(set(raw) - EXPECT_KEYS)
    if unknown:
        raise FaultError(f"unknown key(s) {unknown}; known: {sorted(EXPECT_KEYS)}")
    pump = raw.get("pump", 1)
    if isinstance(pump, bool) or not isinstance(pump, int) or not 1 <= pump <= pumps:
        raise FaultError(f"pump must be a pump of this scenario, 1..{pumps}, got {pump!r}")
    alarm, status = raw.get("alarm"), raw.get("status")
    if (alarm is None) == (status is None):
        raise FaultError("an expectation has exactly one of alarm, status")
    if alarm is not None and (not isinstance(alarm, str) or not _CONDITION.fullmatch(alarm)):
        raise FaultError(f"alarm must be a condition name such as 'pump_stall', got {alarm!r}")
    letters = [p.value for p in Prompt]
    if status is not None and status not in letters:
        raise FaultError(f"status must be one of the pump's prompts {letters}, got {status!r}")
    priority = raw.get("priority")
    if priority is not None and (alarm is None or priority not in PRIORITIES):
        raise FaultError(f"priority goes with an alarm and is one of {list(PRIORITIES)}, "
                         f"got {priority!r:.60}")
    after_s, before_s = _seconds(raw, "after_s"), _seconds(raw, "before_s")
    if before_s <= after_s:
        raise FaultError(f"before_s ({before_s:g}) must be after after_s ({after_s:g})")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise FaultError(f"note must be text, got {note!r:.60}")
    return Expectation(pump, after_s, before_s, alarm, status, note, priority)


def _seconds(raw: Mapping[str, Any], key: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FaultError(f"{key} (scenario seconds) is required, got {value!r}")
    if value < 0:
        raise FaultError(f"{key} must be at least 0, got {value!r}")
    return float(value)


# -- where things are in the text --------------------------------------------------------


def _at(source: str, lines: Mapping[tuple[str, int], int], table: str, index: int) -> str:
    line = lines.get((table, index))
    return f"{source}:{line}" if line is not None else source


_TOML_TABLE = re.compile(r"^\s*\[\[\s*(step|expect)\s*\]\]")


def _toml_lines(text: str) -> dict[tuple[str, int], int]:
    """The line of each `[[step]]` and `[[expect]]` header (1-based), counted per table."""
    found: dict[tuple[str, int], int] = {}
    counts = {"step": 0, "expect": 0}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TOML_TABLE.match(line)
        if match:
            table = match.group(1)
            counts[table] += 1
            found[(table, counts[table])] = number
    return found


def _json_lines(text: str) -> dict[tuple[str, int], int]:
    """The line each element of the top-level "step" and "expect" arrays starts on."""
    found: dict[tuple[str, int], int] = {}
    decoder = json.JSONDecoder()
    for table in ("step", "expect"):
        match = re.search('"' + table + r'"\s*:\s*\[', text)
        if match is None:
            continue
        position, index = match.end(), 0
        while True:
            position = _skip(text, position, " \t\r\n,")
            if position >= len(text) or text[position] == "]":
                break
            index += 1
            found[(table, index)] = text.count("\n", 0, position) + 1
            try:
                _, position = decoder.raw_decode(text, position)
            except (ValueError, RecursionError):
                break
    return found


def _skip(text: str, position: int, characters: str) -> int:
    while position < len(text) and text[position] in characters:
        position += 1
    return position
