"""The settings screen over the real audited service, a copy of the shipped library and
a real database (SQLite file; PostgreSQL where marked): typed values are checked by
field, a refusal leaves file and log alone, a saved change is audited and the chain
verifies; a nurse sees the same values read-only with the reason."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session, sessionmaker

from station.access.command import run_audit_verify
from station.access.library_admin import LibraryAdministration
from station.access.roles import Role
from station.access.session import StationSession
from station.domain.drug_library_loader import DEFAULT_PATH, load_drug_library
from station.monitoring import MonitorSettings
from station.persistence.audit import AuditEntry
from station.persistence.audit_log import AuditLog
from station.services import Actor, StationServices
from station.services.bundle import load_library
from tests.access.conftest import Clock, People, clock, hasher, people
from tests.persistence.conftest import db_url, engine, pg_schema_url, sessions
from ui.chairside.app import monitoring_for
from ui.settings.entry import SettingsEntry
from ui.settings.settings_window import APPLIES_AT_START, APPLIES_NOW, TIMING_TAB, SettingsWindow
from ui.workflows.service_runner import ServiceRunner

__all__ = ["clock", "db_url", "engine", "hasher", "people", "pg_schema_url", "sessions"]
WAIT_MS = 10000


@pytest.fixture
def library_file(tmp_path: Path) -> Path:
    path = tmp_path / "drug_library.toml"
    shutil.copyfile(DEFAULT_PATH, path)
    return path


@pytest.fixture
def runner() -> Iterator[ServiceRunner]:
    service_runner = ServiceRunner()
    yield service_runner
    service_runner.shutdown()


@pytest.fixture
def session() -> StationSession:
    return StationSession()


@pytest.fixture
def screen(qtbot: QtBot, sessions: sessionmaker[Session], library_file: Path, *,
           session: StationSession, runner: ServiceRunner, clock: Clock) -> SettingsWindow:
    admin = LibraryAdministration(sessions, session, library_file, clock=clock)
    window = SettingsWindow(admin, session, runner)
    qtbot.addWidget(window)
    window.resize(1000, 680)
    window.show()
    return window


def _open(qtbot: QtBot, screen: SettingsWindow, session: StationSession,
          actor: Actor | None) -> None:
    if actor is not None:
        session.begin(actor)
    screen.refresh()
    qtbot.waitUntil(lambda: screen.drug.count() > 0, timeout=WAIT_MS)


def _charge(people: People) -> Actor:
    return Actor(people.charge, "Carl Charge", frozenset({Role.CHARGE_NURSE}))


def _library_entries(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    return AuditLog(sessions).entries(entity_type="drug_library")


def _type(qtbot: QtBot, edit: object, text: str) -> None:
    from PySide6.QtWidgets import QLineEdit
    assert isinstance(edit, QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, text) if text else edit.clear()


def _save(qtbot: QtBot, screen: SettingsWindow, reason: str = "pharmacy review P-7") -> str:
    _type(qtbot, screen.reason, reason)
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.message.text() not in ("", "Saving ..."), timeout=WAIT_MS)
    return screen.message.text()


def test_a_charge_nurse_changes_a_drug_entry_audited_and_the_chain_verifies(
        qtbot: QtBot, screen: SettingsWindow, session: StationSession, *, people: People,
        library_file: Path, sessions: sessionmaker[Session], db_url: str) -> None:
    _open(qtbot, screen, session, _charge(people))
    assert screen.may_edit and screen.save_button.isEnabled()
    screen.tabs.setCurrentIndex(1)
    screen.drug.setCurrentIndex(screen.drug.findData("drug.infliximab"))
    form = screen.drug_form
    assert form.edits["hard_max"].text() == "250"
    assert form.labels["hard_max"].text() == "Hard maximum rate (mL/h)"
    _type(qtbot, form.edits["hard_max"], "200")
    _type(qtbot, form.edits["observation_min"], "90")
    steps = screen.steps.table
    steps.item(4, 0).setText("140")  # the last step, 150 mL/h
    said = _save(qtbot, screen)
    assert said.startswith("Saved and audited: Drug Infliximab") and said.endswith(APPLIES_NOW)
    drug = load_drug_library(library_file).drug("infliximab")
    assert drug.limits.hard_max == 200 and drug.observation.total_seconds() == 90 * 60
    assert drug.titration is not None and drug.titration.steps[-1].rate.value == 140
    changed = {e.detail_dict()["key"]: (e.detail_dict()["from"], e.detail_dict()["to"])
               for e in _library_entries(sessions)}
    assert changed["hard_max"] == (250, 200) and changed["observation_min"] == (60, 90)
    assert changed["titration.steps"][1].endswith(", 140")
    assert {e.actor_user_id for e in _library_entries(sessions)} == {people.charge}
    assert run_audit_verify(db_url) == 0
    qtbot.waitUntil(lambda: form.edits["hard_max"].text() == "200", timeout=WAIT_MS)


def test_an_alarm_setting_changes_per_unit(
        qtbot: QtBot, screen: SettingsWindow, session: StationSession, *, people: People,
        library_file: Path, sessions: sessionmaker[Session]) -> None:
    _open(qtbot, screen, session, Actor(people.admin, "Ada Admin",
                                        frozenset({Role.ADMINISTRATOR})))
    screen.alarm_table.setCurrentIndex(screen.alarm_table.findData("units.infusion-centre"))
    edits = screen.alarm_form.edits
    assert edits["pause_alarm_high_min"].text() == "20"
    assert edits["site_check_interval_min"].text() == ""
    assert "defaults apply" in edits["site_check_interval_min"].placeholderText()
    _type(qtbot, edits["pause_alarm_high_min"], "25")
    assert _save(qtbot, screen, "far bathrooms").startswith("Saved and audited: Unit")
    unit = load_drug_library(library_file).units["infusion-centre"]
    assert unit.pause_alarm_high is not None and unit.pause_alarm_high.total_seconds() == 1500
    [entry] = _library_entries(sessions)
    assert entry.action == "alarm_setting.changed" and entry.actor_user_id == people.admin
    assert entry.detail_dict()["reason"] == "far bathrooms"


@pytest.mark.parametrize(("tab", "key", "typed", "named"), [
    (1, "hard_max", "nan", "Hard maximum rate: give a number, not nan"),
    (1, "hard_max", "100", "Hard maximum rate (100) is below the soft maximum rate (150)"),
    (1, "observation_min", "-10",
     "Observation after the end (min): must not be negative (got -10)"),
    (0, "pause_alarm_high_min", "5", "Paused too long: high alarm after (min): 5 must come "
                                     "after the medium alarm (10)"),
    (0, "vital_signs_interval_min", "", "Vital signs every (min): this table needs a value"),
])
def test_a_refused_value_is_named_and_the_library_stays(
        qtbot: QtBot, screen: SettingsWindow, session: StationSession, *, people: People,
        library_file: Path, sessions: sessionmaker[Session], tab: int, key: str,
        typed: str, named: str) -> None:
    _open(qtbot, screen, session, _charge(people))
    text, before = library_file.read_text(), _count(sessions)
    screen.tabs.setCurrentIndex(tab)
    if tab == 1:
        screen.drug.setCurrentIndex(screen.drug.findData("drug.infliximab"))
    form = screen.drug_form if tab == 1 else screen.alarm_form
    _type(qtbot, form.edits[key], typed)
    said = _save(qtbot, screen)
    assert said == f"Not saved: {named}. The library is unchanged."
    assert "#a00000" in form.edits[key].styleSheet()  # the field is outlined
    assert library_file.read_text() == text and _count(sessions) == before


def test_a_refused_step_is_named(
        qtbot: QtBot, screen: SettingsWindow, session: StationSession, people: People,
        library_file: Path) -> None:
    _open(qtbot, screen, session, _charge(people))
    text = library_file.read_text()
    screen.tabs.setCurrentIndex(1)
    screen.drug.setCurrentIndex(screen.drug.findData("drug.infliximab"))
    screen.steps.add_step()
    assert _save(qtbot, screen).startswith("Not saved: Titration step 6: the rate ''")
    screen.steps.table.item(5, 0).setText("900")
    screen.steps.table.item(4, 1).setText("30")
    assert "Titration step 6: rate 900 is outside the soft limits 10-150" in _save(qtbot,
                                                                                 screen)
    assert library_file.read_text() == text


@pytest.mark.parametrize(("actor", "reason"), [
    (Actor(0, "Nina Nurse", frozenset({Role.NURSE})),
     "Read only: Nina Nurse is signed in as nurse. Only a charge nurse or an administrator"),
    (None, "Read only: nobody is signed in at this station."),
])
def test_others_see_the_settings_read_only_with_the_reason(
        qtbot: QtBot, screen: SettingsWindow, session: StationSession, *,
        library_file: Path, actor: Actor | None, reason: str) -> None:
    _open(qtbot, screen, session, actor)
    assert screen.access.text().startswith(reason)
    assert not screen.may_edit and not screen.save_button.isEnabled()
    assert screen.alarm_form.edits["pause_alarm_high_min"].isReadOnly()
    assert screen.alarm_form.edits["pause_alarm_high_min"].text() == "20"  # still shown
    assert not screen.steps.add_button.isEnabled()
    text = library_file.read_text()
    screen.save()
    assert library_file.read_text() == text


# The offscreen platform implements neither (tests/ui/conftest.py).
@pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$",
                           r"^This plugin does not support propagateSizeHints\(\)$")
def test_the_entry_opens_read_only_while_the_station_is_locked(
        qtbot: QtBot, sessions: sessionmaker[Session], library_file: Path, people: People,
        runner: ServiceRunner) -> None:
    session = StationSession(_charge(people))
    locked = [True]
    entry = SettingsEntry(LibraryAdministration(sessions, session, library_file), session,
                          runner, locked=lambda: locked[0])
    window = entry.open()
    qtbot.waitUntil(lambda: window.drug.count() > 0, timeout=WAIT_MS)
    assert window.access.text().startswith("Read only: the station is locked")
    locked[0] = False
    assert entry.open() is window and window.may_edit
    entry.close()
    assert entry.window is None


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0


def test_the_unit_alarm_timing_is_saved_and_the_station_starts_with_it(
        qtbot: QtBot, screen: SettingsWindow, session: StationSession, *, people: People,
        library_file: Path, sessions: sessionmaker[Session], clock: Clock) -> None:
    _open(qtbot, screen, session, _charge(people))
    screen.tabs.setCurrentIndex(TIMING_TAB)
    edits = screen.timing_form.edits
    assert edits["audio_pause_min"].text() == ""
    assert edits["audio_pause_min"].placeholderText() == "default: 2 min"
    assert edits["occlusion_escalate_after_min"].placeholderText() == "default: 1 min"
    _type(qtbot, edits["audio_pause_min"], "9")
    assert _save(qtbot, screen).startswith("Not saved: Audio pause lasts (min): at most 5")
    _type(qtbot, edits["audio_pause_min"], "3")
    _type(qtbot, edits["occlusion_escalate_after_min"], "2")
    said = _save(qtbot, screen, "alarm review")
    assert said == f"Saved and audited: Alarm timing (every unit). {APPLIES_AT_START}"
    assert {e.detail_dict()["key"] for e in _library_entries(sessions)} == {
        "audio_pause_min", "occlusion_escalate_after_min"}
    # What the station's composition root gives the monitoring service at its next start.
    services = StationServices.build(sessions, clock=clock, library=load_library(library_file),
                                     actor=session)
    monitoring = monitoring_for([], sessions, services, MonitorSettings())
    assert monitoring.settings.alarm_policy.audio_pause_s == 180
    assert monitoring.settings.conditions["occlusion"].escalate_after_s == 120
