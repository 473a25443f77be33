"""Load and validate ``drug_library.toml``; every error names its line."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path as FsPath

from station.alarms.conditions import CONDITIONS
from station.domain.drug_library import (
    AlarmTiming,
    Drug,
    DrugLibrary,
    MonitoringIntervals,
    MonitoringOverrides,
    Premedication,
    RateLimits,
    TitrationProtocol,
    TitrationStepSpec,
)
from station.domain.library_checker import Checker, DrugLibraryError, LibraryIssue, Table
from station.domain.toml_positions import Path, key_lines
from station.domain.units import Rate, RateUnit

SCHEMA = 1
DEFAULT_PATH = FsPath(__file__).resolve().parents[2] / "resources" / "drug_library.toml"

_MONITORING_KEYS = {
    "site_check_interval_min",
    "vital_signs_interval_min",
    "pause_alarm_medium_min",
    "pause_alarm_high_min",
}
_DRUG_REQUIRED = {
    "id", "name", "rate_unit", "hard_min", "hard_max", "filter_required", "filter",
    "observation_min", "source",
}
_DRUG_OPTIONAL = {"soft_min", "soft_max", "titration", "premedication"} | _MONITORING_KEYS
AUDIO_PAUSE_KEY = "audio_pause_min"
MAX_AUDIO_PAUSE_MIN = 5  # AlarmPolicy.max_audio_pause_s: a longer silence is not a pause
ESCALATION_SUFFIX = "_escalate_after_min"
# One key per condition that escalates when unanswered (alarms/conditions.py).
ESCALATION_KEYS = {f"{name}{ESCALATION_SUFFIX}": name for name, spec in CONDITIONS.items()
                   if spec.escalate_after_s is not None}


def load_drug_library(path: FsPath = DEFAULT_PATH) -> DrugLibrary:
    """Read and validate the library file; raise :class:`DrugLibraryError` on any problem."""
    return parse_drug_library(path.read_text(encoding="utf-8"), source=path.name)


def parse_drug_library(text: str, source: str = "<text>") -> DrugLibrary:
    """Validate TOML text as a drug library; all problems are reported at once."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message already says "(at line N, column M)"
        raise DrugLibraryError(source, [LibraryIssue(None, "syntax", str(exc))]) from exc
    check = Checker(key_lines(text))
    library = _library(check, data)
    if library is not None:
        _check_merged_pause_alarms(check, library)
    if check.issues or library is None:
        raise DrugLibraryError(source, check.issues)
    return library


def _library(check: Checker, data: Table) -> DrugLibrary | None:
    check.keys(data, (), {"library", "defaults", "drug"}, {"units", "alarm_timing"})
    head = check.table(data, "library", ())
    check.keys(head, ("library",), {"schema", "version", "effective"},
               {"status", "sedating_medications"})
    schema = check.get(head, "schema", ("library",), int)
    if schema is not None and schema != SCHEMA:
        check.fail(("library", "schema"), f"schema {schema} is not supported (expected {SCHEMA})")
    version = check.text(head, "version", ("library",))
    effective = check.get(head, "effective", ("library",), date)
    sedating = check.get(head, "sedating_medications", ("library",), list) or []
    if not all(isinstance(s, str) and s.strip() for s in sedating):
        check.fail(("library", "sedating_medications"), "must be a list of medication names")
    defaults = _defaults(check, check.table(data, "defaults", ()))
    units_table = check.table(data, "units", ())
    units = {
        name: _unit(check, check.table(units_table, name, ("units",)), ("units", name))
        for name in units_table
    }
    timing = _alarm_timing(check, check.table(data, "alarm_timing", ()))
    drugs = [_drug(check, t, ("drug", i)) for i, t in enumerate(check.tables(data, "drug", ()))]
    _unique_ids(check, drugs)
    if None in (version, effective, defaults) or schema != SCHEMA or None in drugs:
        return None
    assert isinstance(version, str) and isinstance(effective, date) and defaults is not None
    return DrugLibrary(
        version=version,
        schema=SCHEMA,
        effective=effective,
        defaults=defaults,
        drugs=tuple(d for d in drugs if d is not None),
        units=units,
        sedating_medications=tuple(s.strip().lower() for s in sedating if isinstance(s, str)),
        alarm_timing=timing,
    )


def _alarm_timing(check: Checker, table: Table) -> AlarmTiming:
    path = ("alarm_timing",)
    check.keys(table, path, set(), {AUDIO_PAUSE_KEY, *ESCALATION_KEYS})
    pause = check.minutes(table, AUDIO_PAUSE_KEY, path)
    if pause is not None and pause.total_seconds() > MAX_AUDIO_PAUSE_MIN * 60:
        check.fail((*path, AUDIO_PAUSE_KEY),
                   f"{AUDIO_PAUSE_KEY} must be at most {MAX_AUDIO_PAUSE_MIN} minutes")
        pause = None
    escalations = {name: check.minutes(table, key, path) for key, name in ESCALATION_KEYS.items()}
    return AlarmTiming(pause, {name: after for name, after in escalations.items()
                               if after is not None})


def _unit(check: Checker, table: Table, path: Path) -> MonitoringOverrides:
    check.keys(table, path, set(), _MONITORING_KEYS)
    return _overrides(check, table, path)


def _check_merged_pause_alarms(check: Checker, library: DrugLibrary) -> None:
    for index, drug in enumerate(library.drugs):
        for unit in (None, *library.units):
            merged = library.monitoring(drug.id, unit)
            if merged.pause_alarm_high <= merged.pause_alarm_medium:
                in_unit = f" in unit {unit!r}" if unit else ""
                check.fail(("drug", index, "pause_alarm_high_min"),
                           f"for {drug.id}{in_unit} the high pause alarm "
                           f"({merged.pause_alarm_high}) must come after the medium one "
                           f"({merged.pause_alarm_medium})")
                return


def _overrides(check: Checker, table: Table, path: Path) -> MonitoringOverrides:
    found = MonitoringOverrides(
        site_check=check.minutes(table, "site_check_interval_min", path),
        vital_signs=check.minutes(table, "vital_signs_interval_min", path),
        pause_alarm_medium=check.minutes(table, "pause_alarm_medium_min", path),
        pause_alarm_high=check.minutes(table, "pause_alarm_high_min", path),
    )
    medium, high = found.pause_alarm_medium, found.pause_alarm_high
    if medium is not None and high is not None and high <= medium:
        check.fail((*path, "pause_alarm_high_min"),
                   "the high pause alarm must come after the medium one")
    return found


def _defaults(check: Checker, table: Table) -> MonitoringIntervals | None:
    check.keys(table, ("defaults",), _MONITORING_KEYS, set())
    o = _overrides(check, table, ("defaults",))
    if o.site_check and o.vital_signs and o.pause_alarm_medium and o.pause_alarm_high:
        return MonitoringIntervals(o.site_check, o.vital_signs, o.pause_alarm_medium,
                                   o.pause_alarm_high)
    return None


def _unique_ids(check: Checker, drugs: list[Drug | None]) -> None:
    seen: set[str] = set()
    for index, drug in enumerate(drugs):
        if drug is not None and drug.id in seen:
            check.fail(("drug", index, "id"), f"drug id {drug.id!r} is used twice")
        if drug is not None:
            seen.add(drug.id)


def _limits(check: Checker, table: Table, path: Path) -> RateLimits | None:
    raw_unit = check.text(table, "rate_unit", path)
    unit = None
    if raw_unit is not None:
        try:
            unit = RateUnit(raw_unit)
        except ValueError:
            allowed = ", ".join(u.value for u in RateUnit)
            check.fail((*path, "rate_unit"), f"rate_unit {raw_unit!r} is not one of {allowed}")
    hard_min = check.number(table, "hard_min", path)
    hard_max = check.number(table, "hard_max", path)
    soft_min = check.number(table, "soft_min", path)
    soft_max = check.number(table, "soft_max", path)
    if unit is None or hard_min is None or hard_max is None:
        return None
    ordered = [v for v in (hard_min, soft_min, soft_max, hard_max) if v is not None]
    if ordered != sorted(ordered):
        check.fail((*path, "hard_max"),
                   "limits must satisfy hard_min <= soft_min <= soft_max <= hard_max")
        return None
    return RateLimits(unit, hard_min, hard_max, soft_min, soft_max)


def _drug(check: Checker, table: Table, path: Path) -> Drug | None:
    check.keys(table, path, _DRUG_REQUIRED, _DRUG_OPTIONAL)
    drug_id = check.text(table, "id", path)
    name = check.text(table, "name", path)
    limits = _limits(check, table, path)
    observation = check.minutes(table, "observation_min", path, zero_ok=True)
    filter_required = check.flag(table, "filter_required", path)
    filter_text = check.text(table, "filter", path)
    source = check.text(table, "source", path)
    titration = None
    if "titration" in table:
        titration = _titration(check, check.table(table, "titration", path),
                               (*path, "titration"), limits)
    premeds = [
        _premedication(check, t, (*path, "premedication", i))
        for i, t in enumerate(check.tables(table, "premedication", path))
    ]
    monitoring = _overrides(check, table, path)
    if (drug_id is None or name is None or limits is None or observation is None
            or filter_required is None or filter_text is None or source is None
            or ("titration" in table and titration is None) or None in premeds):
        return None
    return Drug(drug_id, name, limits, titration, observation, filter_required, filter_text,
                source, tuple(p for p in premeds if p is not None), monitoring)


def _titration(
    check: Checker, table: Table, path: Path, limits: RateLimits | None
) -> TitrationProtocol | None:
    check.keys(table, path, {"source", "steps"},
               {"minimum_duration_min", "vitals_at_each_step", "reaction_hold_min"})
    source = check.text(table, "source", path)
    steps = [_step(check, t, (*path, "steps", i), limits)
             for i, t in enumerate(check.tables(table, "steps", path))]
    if not steps and "steps" in table:
        check.fail((*path, "steps"), "a titration needs at least one step")
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        if step is not None and last and step.duration is not None:
            check.fail((*path, "steps", index, "minutes"),
                       "the last step runs until the volume is in: it takes no minutes")
        if step is not None and not last and step.duration is None:
            check.fail((*path, "steps", index), "every step but the last needs minutes")
    minimum = check.minutes(table, "minimum_duration_min", path)
    hold = check.minutes(table, "reaction_hold_min", path)
    vitals = check.flag(table, "vitals_at_each_step", path)
    if source is None or not steps or None in steps:
        return None
    return TitrationProtocol(tuple(s for s in steps if s is not None), source, minimum,
                             bool(vitals), hold)


def _step(
    check: Checker, table: Table, path: Path, limits: RateLimits | None
) -> TitrationStepSpec | None:
    check.keys(table, path, {"rate"}, {"minutes"})
    rate = check.number(table, "rate", path)
    minutes = check.minutes(table, "minutes", path)
    if rate is None or limits is None:
        return None
    low = limits.soft_min if limits.soft_min is not None else limits.hard_min
    high = limits.soft_max if limits.soft_max is not None else limits.hard_max
    if not low <= rate <= high:
        check.fail((*path, "rate"),
                   f"step rate {rate:g} {limits.unit.value} is outside the drug's limits "
                   f"{low:g}-{high:g} {limits.unit.value}")
        return None
    return TitrationStepSpec(Rate(rate, limits.unit), minutes)


def _premedication(check: Checker, table: Table, path: Path) -> Premedication | None:
    check.keys(table, path, {"name", "required"}, {"dose", "min_before_min", "max_before_min"})
    name = check.text(table, "name", path)
    required = check.flag(table, "required", path)
    dose = check.text(table, "dose", path) or ""
    earliest = check.minutes(table, "max_before_min", path)
    latest = check.minutes(table, "min_before_min", path, zero_ok=True)
    if earliest is not None and latest is not None and earliest < latest:
        check.fail((*path, "max_before_min"), "max_before_min must be at least min_before_min")
    if name is None or required is None:
        return None
    return Premedication(name.strip().lower(), dose, required, latest, earliest)


__all__ = ["DEFAULT_PATH", "DrugLibraryError", "load_drug_library", "parse_drug_library"]
