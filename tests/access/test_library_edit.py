"""Drug-library entries and alarm settings changed field by field (the settings
screen's service): checked per field with the field's name, validated as a whole,
comments kept, audited per key with old and new value, the chain still intact."""

from __future__ import annotations

import math
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from station.access.command import run_audit_verify
from station.access.library_admin import LibraryAdministration
from station.access.library_edit import (
    ALARM_FIELDS,
    DRUG_FIELDS,
    FieldRefusedError,
    edited_text,
    read_settings,
    read_step,
    read_value,
)
from station.access.roles import Role
from station.domain.drug_library_loader import (
    DEFAULT_PATH,
    load_drug_library,
    parse_drug_library,
)
from station.domain.library_checker import DrugLibraryError
from station.monitoring import MonitorSettings
from station.monitoring.config import with_alarm_timing
from station.persistence.audit import AuditEntry
from station.persistence.audit_log import AuditLog
from station.services import AccessDeniedError, Actor
from tests.access.conftest import Clock, People

INFLIXIMAB = "drug.infliximab"


@pytest.fixture
def library_file(tmp_path: Path) -> Path:
    path = tmp_path / "drug_library.toml"
    shutil.copyfile(DEFAULT_PATH, path)
    return path


def _admin(sessions: sessionmaker[Session], people: People, path: Path,
           role: Role = Role.CHARGE_NURSE) -> LibraryAdministration:
    return LibraryAdministration(sessions, Actor(people.charge, "Carl Charge",
                                                 frozenset({role})), path, clock=Clock())


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0


@pytest.mark.parametrize("role", [Role.CHARGE_NURSE, Role.ADMINISTRATOR])
def test_a_drug_entry_changes_audited_per_key_and_the_chain_verifies(
        sessions: sessionmaker[Session], people: People, library_file: Path, *, db_url: str,
        role: Role, capsys: pytest.CaptureFixture[str]) -> None:
    admin = _admin(sessions, people, library_file, role)
    steps = ((20, 15), (40, 15), (80, 30), (140, None))
    library = admin.change_entry(INFLIXIMAB, {"hard_max": 200, "soft_min": 12.5,
                                              "observation_min": 90,
                                              "site_check_interval_min": 45},
                                 "pharmacy review P-12", steps)
    drug = library.drug("infliximab")
    assert (drug.limits.hard_max, drug.limits.soft_min) == (200, 12.5)
    assert [s.rate.value for s in drug.titration.steps] == [20, 40, 80, 140]  # type: ignore[union-attr]
    assert load_drug_library(library_file) == library
    text = library_file.read_text()
    assert "hard_max = 200        # top of the other hospital ladder" in text  # comment kept
    entries = AuditLog(sessions).entries(entity_type="drug_library")
    changes = {e.detail_dict()["key"]: (e.action, e.detail_dict()["from"],
                                        e.detail_dict()["to"]) for e in entries}
    assert changes == {
        "hard_max": ("drug_library.entry_changed", 250, 200),
        "soft_min": ("drug_library.entry_changed", 10, 12.5),
        "observation_min": ("drug_library.entry_changed", 60, 90),
        "site_check_interval_min": ("alarm_setting.changed", 60, 45),
        "titration.steps": ("drug_library.entry_changed",
                            "20 for 15 min, 40 for 15 min, 80 for 15 min, 120 for 30 min, 150",
                            "20 for 15 min, 40 for 15 min, 80 for 30 min, 140")}
    assert {e.actor_user_id for e in entries} == {people.charge}
    assert {e.detail_dict()["reason"] for e in entries} == {"pharmacy review P-12"}
    assert run_audit_verify(db_url) == 0
    assert "audit log intact" in capsys.readouterr().out


def test_a_unit_setting_can_be_taken_out_and_added(
        sessions: sessionmaker[Session], people: People, library_file: Path) -> None:
    admin = _admin(sessions, people, library_file)
    library = admin.change_entry("units.infusion-centre", {
        "pause_alarm_high_min": None, "site_check_interval_min": 90}, "unit policy")
    assert library.units["infusion-centre"].pause_alarm_high is None
    assert library.units["infusion-centre"].site_check is not None
    assert read_settings(library_file.read_text()).table("units.infusion-centre").values == {
        "pause_alarm_medium_min": 10, "site_check_interval_min": 90}
    removed = AuditLog(sessions).entries(entity_type="drug_library")[0].detail_dict()
    assert (removed["key"], removed["from"], removed["to"]) == ("pause_alarm_high_min", 20,
                                                                None)


@pytest.mark.parametrize(("table", "changes", "steps", "named"), [
    (INFLIXIMAB, {"hard_max": 100}, None, "Hard maximum rate (100) is below the soft maximum"),
    (INFLIXIMAB, {"soft_min": 0.5}, None, "Soft minimum rate (0.5) is below the hard minimum"),
    (INFLIXIMAB, {"observation_min": None}, None, "Observation after the end"),
    (INFLIXIMAB, {}, ((20, 15), (400, None)), "Titration step 2: rate 400 is outside"),
    (INFLIXIMAB, {}, ((20, 15), (40, 15)), "Titration step 2: the last step"),
    (INFLIXIMAB, {}, ((20, None), (40, None)), "Titration step 1: give its minutes"),
    ("defaults", {"pause_alarm_high_min": 10}, None,
     "Paused too long: high alarm after (min): 10 must come after the medium alarm (10)"),
    ("defaults", {"vital_signs_interval_min": None}, None, "Vital signs every (min): this"),
])
def test_a_refused_change_names_the_field_and_leaves_file_and_log_alone(
        sessions: sessionmaker[Session], people: People, library_file: Path, *, table: str,
        changes: dict[str, float | None], steps: tuple[tuple[float, int | None], ...] | None,
        named: str) -> None:
    admin = _admin(sessions, people, library_file)
    text, before = library_file.read_text(), _count(sessions)
    with pytest.raises(FieldRefusedError, match=named.replace("(", r"\(").replace(")", r"\)")):
        admin.change_entry(table, changes, "review", steps)
    assert library_file.read_text() == text and _count(sessions) == before


def test_a_merge_the_loader_refuses_is_refused_whole(
        sessions: sessionmaker[Session], people: People, library_file: Path) -> None:
    """The unit alone is fine; its high alarm (8) then comes before a drug's medium (10)."""
    admin = _admin(sessions, people, library_file)
    text, before = library_file.read_text(), _count(sessions)
    with pytest.raises(DrugLibraryError, match="pause_alarm_high_min"):
        admin.change_entry("units.infusion-centre", {"pause_alarm_medium_min": None,
                                                     "pause_alarm_high_min": 8}, "shorter")
    assert library_file.read_text() == text and _count(sessions) == before


@pytest.mark.parametrize("role", [Role.NURSE, Role.TRAINER])
def test_nurses_and_trainers_change_no_entry(
        sessions: sessionmaker[Session], people: People, library_file: Path,
        role: Role) -> None:
    admin = _admin(sessions, people, library_file, role)
    text = library_file.read_text()
    with pytest.raises(AccessDeniedError):
        admin.change_entry(INFLIXIMAB, {"hard_max": 200}, "faster")
    with pytest.raises(AccessDeniedError):
        admin.change_entry("defaults", {"pause_alarm_high_min": 25}, "longer")
    assert library_file.read_text() == text


def test_a_reason_and_a_difference_are_needed(
        sessions: sessionmaker[Session], people: People, library_file: Path) -> None:
    admin = _admin(sessions, people, library_file)
    with pytest.raises(ValueError, match="reason"):
        admin.change_entry(INFLIXIMAB, {"hard_max": 200}, "  ")
    with pytest.raises(ValueError, match="nothing to save"):
        admin.change_entry(INFLIXIMAB, {"hard_max": 250}, "same")
    with pytest.raises(ValueError, match="no table"):
        admin.change_entry("drug.aspirin", {"hard_max": 250}, "x")


@pytest.mark.parametrize(("key", "typed", "named"), [
    ("hard_max", "nan", "Hard maximum rate: give a number, not nan"),
    ("hard_max", "inf", "Hard maximum rate: give a number"),
    ("soft_max", "fast", "Soft maximum rate: 'fast' is not a number"),
    ("observation_min", "-5", "Observation after the end (min): must not be negative"),
    ("pause_alarm_high_min", "2.5", "Paused too long: high alarm after (min): give whole"),
    ("site_check_interval_min", "0", "Site check every (min): must be at least 1 minute"),
])
def test_a_typed_value_is_refused_with_its_field(key: str, typed: str, named: str) -> None:
    with pytest.raises(FieldRefusedError) as refused:
        read_value(key, typed)
    assert str(refused.value).startswith(named) and refused.value.key == key


@given(key=st.sampled_from(sorted({*ALARM_FIELDS, *DRUG_FIELDS})), typed=st.text(max_size=12))
def test_any_typed_text_is_a_value_or_a_named_refusal(key: str, typed: str) -> None:
    try:
        value = read_value(key, typed)
    except FieldRefusedError as refused:
        assert refused.key == key and str(refused).startswith(
            ALARM_FIELDS.get(key) or DRUG_FIELDS[key])
        return
    assert value is None or (math.isfinite(value) and value >= 0)


def test_an_edit_keeps_every_comment() -> None:
    text = DEFAULT_PATH.read_text()
    edited = edited_text(text, "drug.infliximab", {"hard_max": 240})
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in edited.splitlines() if line.lstrip().startswith("#")] == comments


def test_the_unit_alarm_timing_is_set_audited_and_given_to_the_monitoring(
        sessions: sessionmaker[Session], people: People, library_file: Path) -> None:
    admin = _admin(sessions, people, library_file)
    assert "[alarm_timing]" not in library_file.read_text()  # the shipped library: defaults
    library = admin.change_entry("alarm_timing", {"audio_pause_min": 3,
                                                  "occlusion_escalate_after_min": 2},
                                 "unit alarm review")
    assert library.alarm_timing.audio_pause == timedelta(minutes=3)
    assert library.alarm_timing.escalate_after == {"occlusion": timedelta(minutes=2)}
    assert load_drug_library(library_file) == library
    settings = with_alarm_timing(MonitorSettings(), library.alarm_timing)
    assert settings.alarm_policy.audio_pause_s == 180
    assert settings.conditions["occlusion"].escalate_after_s == 120
    assert settings.conditions["link_lost"] == MonitorSettings().conditions["link_lost"]
    entries = AuditLog(sessions).entries(entity_type="drug_library")
    assert {(e.action, e.detail_dict()["key"], e.detail_dict()["from"], e.detail_dict()["to"])
            for e in entries} == {
        ("alarm_setting.changed", "audio_pause_min", None, 3),
        ("alarm_setting.changed", "occlusion_escalate_after_min", None, 2)}
    with pytest.raises(FieldRefusedError, match="Audio pause lasts"):
        admin.change_entry("alarm_timing", {"audio_pause_min": 6}, "longer")


@pytest.mark.parametrize(("table", "named"), [
    ("[alarm_timing]\naudio_pause_min = 10\n", "audio_pause_min must be at most 5"),
    ("[alarm_timing]\nstorage_unavailable_escalate_after_min = 1\n", "unknown key"),
    ("[alarm_timing]\nocclusion_escalate_after_min = -1\n", "greater than 0"),
])
def test_the_loader_refuses_bad_alarm_timing(table: str, named: str) -> None:
    text = DEFAULT_PATH.read_text().replace("[defaults]\n", f"{table}\n[defaults]\n", 1)
    with pytest.raises(DrugLibraryError, match=named):
        parse_drug_library(text)


@given(rate=st.text(max_size=8), minutes=st.text(max_size=6))
@example(rate="20", minutes="\u00b2")  # a digit to str.isdigit, not to int()
@example(rate="nan", minutes="")
def test_any_typed_step_is_a_step_or_a_named_refusal(rate: str, minutes: str) -> None:
    try:
        value, length = read_step(3, rate, minutes)
    except FieldRefusedError as refused:
        assert refused.key == "titration.steps" and str(refused).startswith("Titration step 3")
        return
    assert math.isfinite(value) and value > 0
    assert length is None or length >= 0
