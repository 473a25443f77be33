"""The library's settings as the settings screen shows them, and field-checked edits.

A table is ``defaults``, ``units.NAME`` or ``drug.ID``. An edit gives new values for
some keys of one table (None takes a key out, so the unit or drug falls back to the
defaults) and, for a drug, optionally new titration steps. Each value is checked here
first, with a message that names the field in the screen's words (not a number, a
negative time, a hard limit inside the soft one); the whole library is then validated
by the loader before anything is written (``LibraryAdministration.change_entry``).
The text is edited with tomlkit, so every comment (the sources of the figures) stays.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from station.alarms import CONDITIONS, AlarmPolicy
from station.domain.drug_library_loader import (
    AUDIO_PAUSE_KEY,
    ESCALATION_KEYS,
    MAX_AUDIO_PAUSE_MIN,
)
from station.domain.library_checker import MAX_MINUTES

Number = int | float
Step = tuple[Number, int | None]  # rate in the drug's unit, minutes (None: the last step)

ALARM_FIELDS: dict[str, str] = {
    "pause_alarm_medium_min": "Paused too long: medium alarm after (min)",
    "pause_alarm_high_min": "Paused too long: high alarm after (min)",
    "vital_signs_interval_min": "Vital signs every (min)",
    "site_check_interval_min": "Site check every (min)",
}
RATE_FIELDS: dict[str, str] = {
    "hard_min": "Hard minimum rate",
    "soft_min": "Soft minimum rate",
    "soft_max": "Soft maximum rate",
    "hard_max": "Hard maximum rate",
}
DRUG_FIELDS: dict[str, str] = {
    **RATE_FIELDS,
    "site_check_interval_min": ALARM_FIELDS["site_check_interval_min"],
    "observation_min": "Observation after the end (min)",
}
# Unit-wide ([alarm_timing]): blank is the station's built-in value, in TIMING_DEFAULTS.
TIMING_FIELDS: dict[str, str] = {
    AUDIO_PAUSE_KEY: "Audio pause lasts (min)",
    **{key: f"{name.replace('_', ' ').capitalize().replace('Kvo', 'KVO')}: escalates "
            "after (min)"
       for key, name in ESCALATION_KEYS.items()},
}
TIMING_DEFAULTS: dict[str, float] = {
    AUDIO_PAUSE_KEY: AlarmPolicy().audio_pause_s / 60,
    **{key: (CONDITIONS[name].escalate_after_s or 0) / 60
       for key, name in ESCALATION_KEYS.items()},
}
ALARM_KEYS = frozenset({*ALARM_FIELDS, *TIMING_FIELDS})  # CHANGE_ALARM_SETTINGS
TIMING_TABLE = "alarm_timing"
STEPS_KEY = "titration.steps"
_REQUIRED = {"hard_min", "hard_max", "observation_min"}
_ZERO_OK = {"observation_min"}


class FieldRefusedError(ValueError):
    """A value the screen refuses before the library is touched; names its field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class TableSettings:
    """The keys one table sets itself (unset keys fall back to the defaults)."""

    table: str
    title: str
    values: Mapping[str, Number]
    rate_unit: str = ""
    steps: tuple[Step, ...] | None = None  # a drug with a titration protocol


@dataclass(frozen=True)
class LibrarySettings:
    """What the screen shows: the library's version and every table, in file order."""

    version: str
    tables: tuple[TableSettings, ...] = field(default=())

    def table(self, name: str) -> TableSettings:
        return next(t for t in self.tables if t.table == name)


def read_settings(text: str) -> LibrarySettings:
    """The settings in a library text (already validated: it is the installed one)."""
    data = tomllib.loads(text)
    keys = {*ALARM_FIELDS, *DRUG_FIELDS, *TIMING_FIELDS}

    def numbers(table: Mapping[str, Any]) -> dict[str, Number]:
        return {k: v for k, v in table.items() if k in keys and isinstance(v, int | float)}

    tables = [TableSettings("defaults", "Defaults (every unit, every drug)",
                            numbers(data.get("defaults", {})))]
    tables += [TableSettings(f"units.{name}", f"Unit {name}", numbers(unit))
               for name, unit in data.get("units", {}).items()]
    tables.append(TableSettings(TIMING_TABLE, "Alarm timing (every unit)",
                                numbers(data.get(TIMING_TABLE, {}))))
    for drug in data.get("drug", []):
        titration = drug.get("titration")
        steps = None if titration is None else tuple(
            (s["rate"], s.get("minutes")) for s in titration.get("steps", []))
        tables.append(TableSettings(f"drug.{drug['id']}", f"Drug {drug['name']}",
                                    numbers(drug), drug.get("rate_unit", ""), steps))
    return LibrarySettings(str(data.get("library", {}).get("version", "")), tuple(tables))


def read_value(key: str, text: str) -> Number | None:
    """The number typed for ``key`` (blank: None, the key is not set in this table)."""
    typed = text.strip()
    if not typed:
        return None
    try:
        value = float(typed)
    except ValueError:
        raise FieldRefusedError(key, f"{label_of(key)}: {typed!r} is not a number") from None
    return check_value(key, value, typed)


def check_value(key: str, value: float, typed: str = "") -> Number:
    """``value`` for ``key`` if the library can hold it (a rate, or whole minutes)."""
    label, shown = label_of(key), typed or f"{value:g}"
    value = float(value)  # an int from a caller has no is_integer() before Python 3.12
    if not math.isfinite(value):
        raise FieldRefusedError(key, f"{label}: give a number, not {shown}")
    if value < 0:
        raise FieldRefusedError(key, f"{label}: must not be negative (got {shown})")
    if key in RATE_FIELDS:
        if value == 0:
            raise FieldRefusedError(key, f"{label}: must be greater than 0")
        return int(value) if value.is_integer() else value
    if not value.is_integer():
        raise FieldRefusedError(key, f"{label}: give whole minutes (got {shown})")
    if value == 0 and key not in _ZERO_OK:
        raise FieldRefusedError(key, f"{label}: must be at least 1 minute")
    if key == AUDIO_PAUSE_KEY and value > MAX_AUDIO_PAUSE_MIN:
        raise FieldRefusedError(key, f"{label}: at most {MAX_AUDIO_PAUSE_MIN} minutes "
                                "(a longer silence is not a pause)")
    if value > MAX_MINUTES:
        raise FieldRefusedError(key, f"{label}: at most {MAX_MINUTES} minutes (a week)")
    return int(value)


def label_of(key: str) -> str:
    """The screen's words for ``key``."""
    return ALARM_FIELDS.get(key) or DRUG_FIELDS.get(key) or TIMING_FIELDS.get(key, key)


def read_step(number: int, rate_text: str, minutes_text: str) -> Step:
    """Titration step ``number`` (from 1) as typed: a rate, and minutes or blank."""
    where = f"Titration step {number}"
    try:
        rate = float(rate_text.strip())
    except ValueError:
        raise FieldRefusedError(STEPS_KEY, f"{where}: the rate {rate_text.strip()!r} is "
                                "not a number") from None
    if not math.isfinite(rate) or rate <= 0:
        raise FieldRefusedError(STEPS_KEY, f"{where}: the rate must be a number above 0")
    typed = minutes_text.strip()
    if not typed:
        minutes = None
    elif not (typed.isascii() and typed.isdigit()):  # "²" is a digit int() refuses
        raise FieldRefusedError(STEPS_KEY, f"{where}: give whole minutes, or leave it blank "
                                "for the last step")
    else:
        minutes = int(typed)
    return (int(rate) if rate.is_integer() else rate), minutes


def check_entry(table: str, values: Mapping[str, Number | None],
                steps: Sequence[Step] | None) -> None:
    """Refuse values that cannot stand alone or together in ``table`` (after the edit)."""
    for key, value in values.items():
        if value is not None:
            check_value(key, value)
    if table == "defaults" or table.startswith("drug."):
        wanted = set(ALARM_FIELDS) if table == "defaults" else _REQUIRED
        for key in sorted(wanted):
            if values.get(key) is None:
                label = label_of(key)
                raise FieldRefusedError(key, f"{label}: this table needs a value")
    medium, high = values.get("pause_alarm_medium_min"), values.get("pause_alarm_high_min")
    if medium is not None and high is not None and high <= medium:
        raise FieldRefusedError("pause_alarm_high_min",
                           f"{ALARM_FIELDS['pause_alarm_high_min']}: {high} must come after "
                           f"the medium alarm ({medium})")
    order = [k for k in ("hard_min", "soft_min", "soft_max", "hard_max")
             if values.get(k) is not None]
    for lower, upper in itertools.pairwise(order):
        low, up = values[lower], values[upper]
        assert low is not None and up is not None
        if up < low:
            raise FieldRefusedError(upper, f"{RATE_FIELDS[upper]} ({up:g}) is below the "
                               f"{RATE_FIELDS[lower].lower()} ({low:g})")
    if steps is not None:
        _check_steps(values, steps)


def _check_steps(values: Mapping[str, Number | None], steps: Sequence[Step]) -> None:
    if not steps:
        raise FieldRefusedError(STEPS_KEY, "Titration: give at least one step")
    low = values.get("soft_min") or values.get("hard_min") or 0
    high = values.get("soft_max") or values.get("hard_max") or math.inf
    for number, (rate, minutes) in enumerate(steps, start=1):
        last = number == len(steps)
        where = f"Titration step {number}"
        if not math.isfinite(rate) or rate <= 0:
            raise FieldRefusedError(STEPS_KEY, f"{where}: the rate must be a number above 0")
        if not low <= rate <= high:
            raise FieldRefusedError(STEPS_KEY, f"{where}: rate {rate:g} is outside the soft "
                               f"limits {low:g}-{high:g}")
        if last and minutes is not None:
            raise FieldRefusedError(STEPS_KEY, f"{where}: the last step runs until the volume "
                               "is in, so it takes no minutes")
        if not last and (minutes is None or minutes <= 0):
            raise FieldRefusedError(STEPS_KEY, f"{where}: give its minutes (1 or more)")


def edited_text(text: str, table: str, changes: Mapping[str, Number | None],
                steps: Sequence[Step] | None = None) -> str:
    """``text`` with ``changes`` (and ``steps``) made in ``table``; comments kept."""
    document = tomlkit.parse(text)
    target = _find(document, table)
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    if steps is not None:
        titration = target.get("titration")
        if not isinstance(titration, Table):
            raise FieldRefusedError(STEPS_KEY, f"{table} has no titration protocol to change")
        array = tomlkit.array()
        for rate, minutes in steps:
            step = tomlkit.inline_table()
            step["rate"] = rate
            if minutes is not None:
                step["minutes"] = minutes
            array.append(step)
        titration["steps"] = array.multiline(True)
    return tomlkit.dumps(document)


def steps_text(steps: Sequence[Step] | None) -> str:
    """Steps in one line for the audit log: ``20 for 15 min, 40 for 15 min, 150``."""
    if steps is None:
        return ""
    return ", ".join(f"{rate:g}" + ("" if minutes is None else f" for {minutes} min")
                     for rate, minutes in steps)


def _find(document: tomlkit.TOMLDocument, table: str) -> Table:
    kind, _, name = table.partition(".")
    found: object = None
    if kind in ("defaults", TIMING_TABLE) and not name:
        found = document.get(kind)
        if found is None and kind == TIMING_TABLE:  # the first timing set on the screen
            found = tomlkit.table()
            document.add(TIMING_TABLE, found)
    elif kind == "units" and name:
        units = document.get("units")
        found = units.get(name) if isinstance(units, Table) else None
    elif kind == "drug" and name:
        drugs = document.get("drug")
        found = next((d for d in drugs if d.get("id") == name), None) \
            if isinstance(drugs, AoT) else None
    if not isinstance(found, Table):
        raise ValueError(f"no table {table!r} in the library: give defaults, "
                         f"{TIMING_TABLE}, units.NAME or drug.ID")
    return found
