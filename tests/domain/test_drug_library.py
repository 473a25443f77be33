"""The shipped library loads, holds the required entries, and bad files name their line."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest

from station.domain.drug_library import DrugLibrary
from station.domain.drug_library_loader import (
    DEFAULT_PATH,
    DrugLibraryError,
    load_drug_library,
    parse_drug_library,
)
from station.domain.units import RateUnit


@pytest.fixture(scope="module")
def library() -> DrugLibrary:
    return load_drug_library()


def test_shipped_library_is_versioned(library: DrugLibrary) -> None:
    assert library.schema == 1
    assert library.version
    assert "diphenhydramine" in library.sedating_medications


@dataclass(frozen=True)
class ProtocolCase:
    drug_id: str
    first_rate: float
    max_rate: float
    minimum_h: float | None
    observation_min: int
    filter_required: bool


PROTOCOLS = [
    ProtocolCase("infliximab", 20, 150, 2.0, 60, True),
    ProtocolCase("ocrelizumab-first", 30, 180, 2.5, 60, False),
    ProtocolCase("ocrelizumab-later", 40, 200, 3.5, 60, False),
    ProtocolCase("ivig-octagam-10", 0.01, 0.08, None, 60, False),
    ProtocolCase("vedolizumab-induction", 510, 510, None, 120, False),
    ProtocolCase("vedolizumab-maintenance", 510, 510, None, 60, False),
]


@pytest.mark.parametrize("case", PROTOCOLS, ids=lambda c: c.drug_id)
def test_protocols_match_the_sources(library: DrugLibrary, case: ProtocolCase) -> None:
    drug = library.drug(case.drug_id)
    assert drug.titration is not None
    rates = [s.rate.value for s in drug.titration.steps]
    assert rates[0] == case.first_rate
    assert max(rates) == case.max_rate
    expected_minimum = None if case.minimum_h is None else timedelta(hours=case.minimum_h)
    assert drug.titration.minimum_duration == expected_minimum
    assert drug.observation == timedelta(minutes=case.observation_min)
    assert drug.filter_required is case.filter_required
    assert drug.source and drug.titration.source


def test_ocrelizumab_ladders_step_every_30_min(library: DrugLibrary) -> None:
    for drug_id, increment in (("ocrelizumab-first", 30), ("ocrelizumab-later", 40)):
        protocol = library.drug(drug_id).titration
        assert protocol is not None
        rates = [s.rate.value for s in protocol.steps]
        assert all(b - a == increment for a, b in itertools.pairwise(rates))
        assert all(s.duration == timedelta(minutes=30) for s in protocol.steps[:-1])
        assert protocol.reaction_hold == timedelta(minutes=30)


def test_ivig_is_weight_based_with_vitals_at_each_step(library: DrugLibrary) -> None:
    drug = library.drug("ivig-octagam-10")
    assert drug.rate_unit is RateUnit.ML_PER_KG_PER_MIN
    assert drug.titration is not None and drug.titration.vitals_at_each_step
    assert [s.rate.value for s in drug.titration.steps] == [0.01, 0.02, 0.04, 0.06, 0.08]
    assert drug.limits.hard_max == 0.12


def test_saline_has_no_titration(library: DrugLibrary) -> None:
    saline = library.drug("sodium-chloride-0.9")
    assert saline.titration is None
    assert saline.limits.hard_max == 999


def test_every_drug_has_pause_and_vitals_thresholds(library: DrugLibrary) -> None:
    for drug in library.drugs:
        intervals = library.monitoring(drug.id, "infusion-centre")
        assert intervals.pause_alarm_medium == timedelta(minutes=10)
        assert intervals.pause_alarm_high == timedelta(minutes=20)
        assert intervals.vital_signs > timedelta(0)
        assert intervals.site_check <= timedelta(hours=4)


def test_unknown_drug(library: DrugLibrary) -> None:
    assert library.find("aspirin") is None
    with pytest.raises(KeyError, match="aspirin"):
        library.drug("aspirin")


GOOD = DEFAULT_PATH.read_text(encoding="utf-8")
MINIMAL = """\
[library]
schema = 1
version = "t-1"
effective = 2026-01-01

[defaults]
site_check_interval_min = 120
vital_signs_interval_min = 30
pause_alarm_medium_min = 10
pause_alarm_high_min = 20

[units.day-unit]
pause_alarm_medium_min = 5
site_check_interval_min = 240

[[drug]]
id = "d1"
name = "Drug one"
rate_unit = "mL/h"
hard_min = 1
soft_max = 100
hard_max = 200
filter_required = false
filter = "none"
observation_min = 30
source = "test"
pause_alarm_high_min = 15

[drug.titration]
source = "test"
steps = [
  { rate = 10, minutes = 15 },
  { rate = 50 },
]
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_minimal_library_and_override_precedence() -> None:
    lib = parse_drug_library(MINIMAL)
    assert lib.monitoring("d1") == lib.defaults.__class__(
        timedelta(minutes=120), timedelta(minutes=30), timedelta(minutes=10), timedelta(minutes=15)
    )
    unit = lib.monitoring("d1", "day-unit")
    # unit sets medium 5, drug sets high 15; the unit's longer site check applies.
    assert unit.pause_alarm_medium == timedelta(minutes=5)
    assert unit.pause_alarm_high == timedelta(minutes=15)
    assert unit.site_check == timedelta(minutes=240)


@pytest.mark.parametrize(
    ("old", "new", "line_needle", "message"),
    [
        ('schema = 1', 'schema = 2', "schema = 2", "schema 2 is not supported"),
        ('version = "t-1"', 'version = ""', 'version = ""', "must not be empty"),
        ('rate_unit = "mL/h"', 'rate_unit = "mg/h"', 'rate_unit = "mg/h"', "is not one of"),
        ("hard_max = 200", "hard_max = 50", "hard_max = 50", "hard_min <= soft_min"),
        ("hard_min = 1", "hard_min = -1", "hard_min = -1", "greater than 0"),
        ("hard_min = 1", "hard_min = true", "hard_min = true", "must be int or float"),
        ("observation_min = 30", "observation_min = -5", "observation_min = -5", "0 or more"),
        ("observation_min = 30", "observaton_min = 30", "observaton_min", "unknown key"),
        ("{ rate = 50 }", "{ rate = 150 }", "{ rate = 150 }", "outside the drug's limits"),
        ("{ rate = 50 }", "{ rate = 50, minutes = 5 }", "{ rate = 50, minutes = 5 }", "last step"),
        ("{ rate = 10, minutes = 15 }", "{ rate = 10 }", "{ rate = 10 }", "needs minutes"),
        ("{ rate = 10, minutes = 15 }", "{ rat = 10, minutes = 15 }", "{ rat = 10", "rate"),
        ("pause_alarm_high_min = 15", "pause_alarm_high_min = 5", "pause_alarm_high_min = 5",
         "after the medium"),
        ('source = "test"\npause', 'pause', '[[drug]]', "missing required key 'source'"),
        ("pause_alarm_medium_min = 5", "pause_alarm_medum_min = 5", "pause_alarm_medum_min",
         "unknown key"),
    ],
)
def test_errors_name_the_line(old: str, new: str, line_needle: str, message: str) -> None:
    assert old in MINIMAL
    bad = MINIMAL.replace(old, new, 1)
    with pytest.raises(DrugLibraryError) as caught:
        parse_drug_library(bad, source="lib.toml")
    issues = [i for i in caught.value.issues if message in i.message]
    assert issues, str(caught.value)
    assert issues[0].line == _line_of(bad, line_needle)
    assert f"lib.toml line {issues[0].line}" in str(caught.value)


def test_duplicate_drug_id_is_named() -> None:
    second = MINIMAL[MINIMAL.index("[[drug]]"):]
    bad = MINIMAL + "\n" + second
    with pytest.raises(DrugLibraryError, match="used twice") as caught:
        parse_drug_library(bad)
    dup = next(i for i in caught.value.issues if "twice" in i.message)
    assert dup.line is not None and dup.line > MINIMAL.count("\n")


def test_syntax_error_carries_tomllib_position() -> None:
    with pytest.raises(DrugLibraryError, match=r"line 3"):
        parse_drug_library('[library]\nschema = 1\nversion = "unterminated\n')


def test_every_problem_is_reported_at_once() -> None:
    bad = MINIMAL.replace("hard_min = 1", "hard_min = 0").replace("observation_min = 30", "")
    with pytest.raises(DrugLibraryError) as caught:
        parse_drug_library(bad)
    assert len(caught.value.issues) == 2


def test_shipped_file_still_parses_from_text() -> None:
    assert parse_drug_library(GOOD).version == load_drug_library().version


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[drug.titration]\nsource = \"test\"\nsteps = [\n  { rate = 10, minutes = 15 },\n"
         "  { rate = 50 },\n]\n", 'titration = "fast"\n', "titration must be a table"),
        ("[units.day-unit]\npause_alarm_medium_min = 5\nsite_check_interval_min = 240\n",
         '[units]\nday-unit = 3\n', "day-unit must be a table"),
    ],
)
def test_wrong_shapes_are_issues_not_crashes(old: str, new: str, message: str) -> None:
    assert old in MINIMAL
    with pytest.raises(DrugLibraryError, match=message):
        parse_drug_library(MINIMAL.replace(old, new))


def test_units_not_a_table() -> None:
    bad = MINIMAL.replace("[units.day-unit]\npause_alarm_medium_min = 5\n"
                          "site_check_interval_min = 240\n", "")
    with pytest.raises(DrugLibraryError, match="units must be a table") as caught:
        parse_drug_library("units = 3\n" + bad)
    assert caught.value.issues[0].line == 1
