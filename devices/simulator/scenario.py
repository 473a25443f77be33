"""Scenario files: timed steps that inject and clear faults or change parameters.

TOML (or the same structure in JSON), one `[[step]]` table per step:

    [[step]]
    at_s = 120              # simulated seconds after start
    pump = 1                # optional; every pump when absent
    inject = "occlusion"    # or: clear = "occlusion" | "all"; or: set = { ... }
    params = { severity = 1.0 }
    duration_s = 300        # optional, inject only

Every step is checked when the file is loaded; an error names the step.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.simulator.faults import Fault, FaultError, fault_kind
from devices.simulator.fleet import SETTING_NAMES, Fleet
from devices.simulator.physics import LineParams

ACTIONS = ("inject", "clear", "set")
STEP_KEYS = frozenset({"at_s", "pump", "params", "duration_s", *ACTIONS})


class ScenarioError(ValueError):
    """A scenario file that cannot be run, with the step and the reason."""


@dataclass(frozen=True)
class Step:
    """One checked step."""

    at_s: float
    action: str
    pump: int | None = None
    fault: Fault | None = None
    clear: str | None = None  # a fault kind, or "all"
    duration_s: float | None = None
    values: Mapping[str, float] = field(default_factory=dict)

    def apply(self, fleet: Fleet) -> None:
        if self.action == "inject" and self.fault is not None:
            fleet.inject(self.pump, self.fault.kind, self.fault.params, self.duration_s)
        elif self.action == "clear":
            fleet.clear(self.pump, None if self.clear == "all" else self.clear)
        else:
            fleet.set_values(self.pump, self.values)


def _number(raw: Mapping[str, Any], key: str, minimum: float) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FaultError(f"{key} must be a number, got {value!r}")
    if value < minimum:
        raise FaultError(f"{key} must be at least {minimum}, got {value!r}")
    return float(value)


def parse_step(raw: object) -> Step:
    """Check one step table; FaultError says what is wrong."""
    if not isinstance(raw, dict):
        raise FaultError(f"a step is a table, got {raw!r}")
    unknown = sorted(set(raw) - STEP_KEYS)
    if unknown:
        raise FaultError(f"unknown key(s) {unknown}; known: {sorted(STEP_KEYS)}")
    actions = [name for name in ACTIONS if name in raw]
    if len(actions) != 1:
        raise FaultError(f"a step has exactly one of {list(ACTIONS)}, got {actions}")
    at_s = _number(raw, "at_s", 0.0)
    if at_s is None:
        raise FaultError("at_s is required")
    pump = raw.get("pump")
    if pump is not None and (isinstance(pump, bool) or not isinstance(pump, int) or pump < 1):
        raise FaultError(f"pump must be a pump number from 1, got {pump!r}")
    action = actions[0]
    if action != "inject" and ("params" in raw or "duration_s" in raw):
        raise FaultError("params and duration_s go with inject only")
    if action == "inject":
        fault = Fault.make(raw["inject"], raw.get("params") or {})
        return Step(at_s, action, pump, fault=fault, duration_s=_number(raw, "duration_s", 0.001))
    if action == "clear":
        target = raw["clear"]
        if target != "all":
            fault_kind(target)
        return Step(at_s, action, pump, clear=str(target))
    values = raw["set"]
    if not isinstance(values, dict) or not values:
        raise FaultError(f"set takes a table of parameter = number, got {values!r}")
    return Step(at_s, action, pump, values={key: _set_value(key, v) for key, v in values.items()})


SETTABLE = frozenset({*LineParams.__dataclass_fields__, *SETTING_NAMES})


def _set_value(key: str, value: object) -> float:
    if key not in SETTABLE:
        raise FaultError(f"cannot set {key!r}; settable: {sorted(SETTABLE)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"set.{key} must be a number, got {value!r}")
    return float(value)


def parse_scenario(document: Mapping[str, Any], source: str = "scenario") -> list[Step]:
    """Every step of a loaded document, in time order."""
    steps = document.get("step") if isinstance(document, Mapping) else None
    if not isinstance(steps, list):
        raise ScenarioError(f"{source}: expected a list of [[step]] tables")
    checked = []
    for index, raw in enumerate(steps, start=1):
        at = raw.get("at_s", "?") if isinstance(raw, dict) else "?"
        try:
            checked.append(parse_step(raw))
        except FaultError as exc:
            raise ScenarioError(f"{source}: step {index} (at_s={at}): {exc}") from None
    return sorted(checked, key=lambda step: step.at_s)


def check_pumps(steps: list[Step], count: int, source: str = "scenario") -> None:
    """Every step names a pump that exists in a run of `count` pumps."""
    for step in steps:
        if step.pump is not None and step.pump > count:
            raise ScenarioError(
                f"{source}: step at_s={step.at_s} names pump {step.pump}; this run has {count}"
            )


def load_scenario(path: Path) -> list[Step]:
    """Read a .toml or .json scenario file."""
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text: {exc}") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid {path.suffix[1:] or 'TOML'}: {exc}") from None
    return parse_scenario(document, str(path))


class ScenarioRunner:
    """Applies steps as the simulated clock passes their time."""

    def __init__(self, steps: list[Step]) -> None:
        self._steps = steps
        self._next = 0

    @property
    def finished(self) -> bool:
        return self._next >= len(self._steps)

    def run_due(self, now_s: float, fleet: Fleet) -> None:
        while not self.finished and self._steps[self._next].at_s <= now_s:
            step = self._steps[self._next]
            self._next += 1
            step.apply(fleet)
