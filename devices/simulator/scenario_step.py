"""Scenario steps: timed actions on the simulated pumps, checked before they run.

One `[[step]]` table per step (the file around them is in scenario.py):

    [[step]]
    at_s = 120              # simulated seconds after the scenario starts
    pump = 1                # optional; every pump when absent
    inject = "occlusion"    # or: clear = "occlusion" | "all"; set = { ... };
    params = { severity = 1.0 }       #     keypad = ["RAT 100 MH", "RUN"]
    duration_s = 300        # optional, inject only
    prompt = "..."          # optional: what the trainer reads now (a step may be only this)
    stand_in = true         # optional: the trainee's part, played only without a trainee

A `station = "pause"` step is the nurse's action at the station (start, pause, resume,
reaction; see STATION_ACTIONS), with `params` for it: the simulator only logs it (the
fired step carries it as "station"), and whoever plays the nurse's part (a trainee, or
the headless run: station/training/scenario_nurse.py) records it through the services.

Every step is checked when the file is loaded; an error names the step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devices.protocol import parse_command
from devices.simulator.faults import Fault, FaultError, fault_kind
from devices.simulator.fleet import SETTING_NAMES, Fleet
from devices.simulator.physics import LineParams
from devices.simulator.pump import KEYPAD_COMMANDS

ACTIONS = ("inject", "clear", "set", "keypad", "station")
# The nurse's actions at the station a scenario may name, and the numbers each takes.
STATION_ACTIONS: Mapping[str, frozenset[str]] = {
    "start": frozenset({"rate_ml_h", "volume_ml"}),  # check in, start on the chair's pump
    "pause": frozenset(),  # a bathroom break (F4)
    "resume": frozenset(),  # at the same rate
    "reaction": frozenset({"grade"}),  # a side effect; the infusion is interrupted (F5)
}
STEP_KEYS = frozenset({"at_s", "pump", "params", "duration_s", "prompt", "stand_in", *ACTIONS})
MAX_PROMPT_CHARS = 1000


@dataclass(frozen=True)
class Step:
    """One checked step; `action` is "prompt" for a step that only prompts the trainer."""

    at_s: float
    action: str
    pump: int | None = None
    fault: Fault | None = None
    clear: str | None = None  # a fault kind, or "all"
    duration_s: float | None = None
    values: Mapping[str, float] = field(default_factory=dict)
    keys: tuple[str, ...] = ()  # keypad commands, in order
    station: str | None = None  # the nurse's action at the station (STATION_ACTIONS)
    prompt: str | None = None
    stand_in: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)  # as written

    def apply(self, fleet: Fleet) -> list[str]:
        """Carry the step out; what a pump refused (keypad), in words."""
        if self.action == "inject" and self.fault is not None:
            fleet.inject(self.pump, self.fault.kind, self.fault.params, self.duration_s)
        elif self.action == "clear":
            fleet.clear(self.pump, None if self.clear == "all" else self.clear)
        elif self.action == "set":
            fleet.set_values(self.pump, self.values)
        elif self.action == "keypad":
            return fleet.keypad(self.pump, self.keys)
        return []

    def describe(self) -> str:
        """A line for the trainer's log: `pump 1: inject occlusion severity=1`."""
        who = f"pump {self.pump}" if self.pump is not None else "every pump"
        if self.action == "inject" and self.fault is not None:
            params = " ".join(f"{k}={v}" for k, v in self.fault.params.items())
            text = f"inject {self.fault.kind.value} {params}".rstrip()
            if self.duration_s is not None:
                text += f" for {self.duration_s:g} s"
        elif self.action == "clear":
            text = f"clear {self.clear}"
        elif self.action == "set":
            text = "set " + " ".join(f"{k}={v:g}" for k, v in self.values.items())
        elif self.action == "keypad":
            text = "keypad " + ", ".join(self.keys)
        elif self.action == "station":
            numbers = " ".join(f"{k}={v:g}" for k, v in self.values.items())
            text = f"at the station: {self.station} {numbers}".rstrip()
        else:
            return "prompt"
        return f"{who}: {text}" + (" (stand-in for the trainee)" if self.stand_in else "")


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
    prompt = _prompt(raw.get("prompt"))
    if len(actions) > 1 or (not actions and prompt is None):
        raise FaultError(f"a step has exactly one of {list(ACTIONS)} (or only a prompt), "
                         f"got {actions}")
    at_s = _number(raw, "at_s", 0.0)
    if at_s is None:
        raise FaultError("at_s is required")
    pump = raw.get("pump")
    if pump is not None and (isinstance(pump, bool) or not isinstance(pump, int) or pump < 1):
        raise FaultError(f"pump must be a pump number from 1, got {pump!r}")
    stand_in = raw.get("stand_in", False)
    if not isinstance(stand_in, bool):
        raise FaultError(f"stand_in must be true or false, got {stand_in!r}")
    action = actions[0] if actions else "prompt"
    if (action not in ("inject", "station") and "params" in raw) or (
            action != "inject" and "duration_s" in raw):
        raise FaultError("duration_s goes with inject only; params go with inject only, "
                         "or with station")
    base: dict[str, Any] = {"prompt": prompt, "stand_in": stand_in,
                            "raw": {k: v for k, v in raw.items() if k != "at_s"}}
    if action == "inject":
        fault = Fault.make(raw["inject"], raw.get("params") or {})
        return Step(at_s, action, pump, fault=fault,
                    duration_s=_number(raw, "duration_s", 0.001), **base)
    if action == "clear":
        target = raw["clear"]
        if target != "all":
            fault_kind(target)
        return Step(at_s, action, pump, clear=str(target), **base)
    if action == "keypad":
        return Step(at_s, action, pump, keys=keypad_keys(raw["keypad"]), **base)
    if action == "prompt":
        return Step(at_s, action, pump, **base)
    if action == "station":
        name, values = _station(raw["station"], raw.get("params") or {})
        return Step(at_s, action, pump, station=name, values=values, **base)
    values = raw["set"]
    if not isinstance(values, dict) or not values:
        raise FaultError(f"set takes a table of parameter = number, got {values!r}")
    return Step(at_s, action, pump, values={key: _set_value(key, v) for key, v in values.items()},
                **base)


def _station(name: object, params: object) -> tuple[str, dict[str, float]]:
    if not isinstance(name, str) or name not in STATION_ACTIONS:
        raise FaultError(f"station takes one of {sorted(STATION_ACTIONS)}, got {name!r:.60}")
    if not isinstance(params, dict):
        raise FaultError(f"params take a table of name = number, got {params!r:.60}")
    allowed = STATION_ACTIONS[name]
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise FaultError(f"station {name} takes {sorted(allowed) or 'no params'}, "
                         f"got {unknown}")
    values = {}
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and value > 0):
            raise FaultError(f"params.{key} must be a positive number, got {value!r:.60}")
        values[key] = float(value)
    return name, values


def _prompt(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_PROMPT_CHARS:
        raise FaultError(f"prompt is a text of 1 to {MAX_PROMPT_CHARS} characters, "
                         f"got {value!r:.60}")
    return value.strip()


def keypad_keys(value: object) -> tuple[str, ...]:
    """Checked keypad commands: one, or a list; FaultError names a key the pump lacks."""
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list) or not entries:
        raise FaultError(f"keypad takes a command or a list of them, got {value!r}")
    keys = []
    for entry in entries:
        if not isinstance(entry, str) or parse_command(entry).name not in KEYPAD_COMMANDS:
            raise FaultError(f"keypad command {entry!r} is not one of the pump's keys: "
                             f"{sorted(KEYPAD_COMMANDS)}")
        keys.append(entry)
    return tuple(keys)


SETTABLE = frozenset({*LineParams.__dataclass_fields__, *SETTING_NAMES})


def _set_value(key: str, value: object) -> float:
    if key not in SETTABLE:
        raise FaultError(f"cannot set {key!r}; settable: {sorted(SETTABLE)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"set.{key} must be a number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class FiredStep:
    """A step as it was carried out: scenario time, what, the prompt, any refusal."""

    at_s: float
    text: str
    prompt: str | None
    problems: tuple[str, ...] = ()
    step: Step | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, Any]:
        fired: dict[str, Any] = {"at_s": round(self.at_s, 3), "text": self.text,
                                 "prompt": self.prompt, "problems": list(self.problems)}
        step = self.step
        if step is not None and step.station is not None:
            # For whoever plays the nurse's part: what to record, at which chair.
            fired["station"] = {"action": step.station, "pump": step.pump,
                                "params": dict(step.values)}
        return fired


class ScenarioRunner:
    """Applies steps as the scenario's time passes theirs; `fired` is the log.

    `stand_in`: also play the steps marked as the trainee's part (no trainee present).
    """

    def __init__(self, steps: list[Step], stand_in: bool = True) -> None:
        self._steps = [s for s in steps if stand_in or not s.stand_in]
        self._next = 0
        self.fired: list[FiredStep] = []

    @property
    def finished(self) -> bool:
        return self._next >= len(self._steps)

    def run_due(self, now_s: float, fleet: Fleet) -> list[FiredStep]:
        """Carry out every step due at `now_s` (scenario seconds); what was fired."""
        fired = []
        while not self.finished and self._steps[self._next].at_s <= now_s:
            step = self._steps[self._next]
            self._next += 1
            try:
                problems = step.apply(fleet)
            except FaultError as exc:  # a pump gone since the file was checked
                problems = [str(exc)]
            fired.append(FiredStep(now_s, step.describe(), step.prompt, tuple(problems), step))
        self.fired.extend(fired)
        return fired
