"""At the training station (real `pump-sim` at 10x, the real MonitoringService and
SQLite file): locking and unlocking are audited next to sign-in, sign-out and refused
sign-ins; the settings screen opens from the user bar and from the overview, edits the
station's own library for a charge nurse only, and closes when the station locks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station.access.command import run_audit_verify
from station.domain.drug_library_loader import DEFAULT_PATH, load_drug_library
from station.monitoring import StoredSchedule
from station.persistence.audit_log import AuditLog
from station.persistence.scheduling import Appointment
from station.services.checkin import order_of
from tests.ui.signin.test_sign_in_and_lock import (
    IDLE_S,
    IdleClock,
    _type_and_sign_in,
    demo,
    idle_clock,
    speaker,
)
from ui.chairside.app import Demo
from ui.overview.window import OverviewWindow
from ui.settings.settings_window import APPLIES_NOW
from ui.signin.station_access import StationAccess
from ui.signin.training_users import (
    TRAINING_CHARGE,
    TRAINING_CHARGE_PASSWORD,
    TRAINING_NURSE,
    TRAINING_NURSE_PIN,
)

__all__ = ["demo", "idle_clock", "speaker"]  # the sign-in tests' training station
WAIT_MS = 20000
# The offscreen platform implements neither (tests/ui/conftest.py); raise() is the
# settings and overview windows coming to the front.
OFFSCREEN_ONLY = pytest.mark.qt_log_ignore(
    r"^This plugin does not support raise\(\)$",
    r"^This plugin does not support propagateSizeHints\(\)$")


def _access(demo: Demo) -> StationAccess:
    assert demo.station.access is not None
    return demo.station.access


def _user_actions(demo: Demo) -> list[tuple[str, dict[str, object]]]:
    return [(e.action, e.detail_dict()) for e in AuditLog(demo.sessions).entries(
        entity_type="users")]


def _wait_for(qtbot: QtBot, demo: Demo, action: str, count: int) -> None:
    qtbot.waitUntil(lambda: sum(1 for a, _ in _user_actions(demo) if a == action) >= count,
                    timeout=WAIT_MS)


def test_lock_unlock_sign_in_and_out_and_refusals_are_audited(
        demo: Demo, qtbot: QtBot, idle_clock: IdleClock) -> None:
    access, window = _access(demo), demo.station.window
    start = len(_user_actions(demo))
    access.bar.lock_button.click()
    assert window.covered
    _wait_for(qtbot, demo, "user.station_locked", 1)
    form = access.lock_screen.form
    _type_and_sign_in(qtbot, form, TRAINING_NURSE, "999999")
    qtbot.waitUntil(lambda: "Wrong username" in form.message.text(), timeout=WAIT_MS)
    _type_and_sign_in(qtbot, form, TRAINING_NURSE, TRAINING_NURSE_PIN)
    qtbot.waitUntil(lambda: not window.covered, timeout=WAIT_MS)
    _wait_for(qtbot, demo, "user.station_unlocked", 1)
    idle_clock.now += IDLE_S
    window.clock.tick()
    assert window.covered
    _wait_for(qtbot, demo, "user.station_locked", 2)
    # Another user at the locked station: the first is signed out, nothing unlocked.
    _type_and_sign_in(qtbot, form, TRAINING_CHARGE, TRAINING_CHARGE_PASSWORD)
    qtbot.waitUntil(lambda: not window.covered, timeout=WAIT_MS)
    access.bar.sign_out_button.click()
    _wait_for(qtbot, demo, "user.signed_out", 2)
    assert _user_actions(demo)[start:] == [
        ("user.station_locked", {"why": "locked by hand"}),
        ("user.sign_in_refused", {"method": "secret", "known_user": True}),
        ("user.signed_in", {"method": "secret"}),
        ("user.station_unlocked", {"method": "secret"}),
        ("user.station_locked", {"why": "idle for 2 min"}),
        ("user.signed_in", {"method": "secret"}),
        ("user.signed_out", {"why": "another user signed in"}),
        ("user.signed_out", {"why": "signed out"})]
    url = demo.sessions.kw["bind"].url.render_as_string(hide_password=False)
    assert run_audit_verify(url) == 0


@OFFSCREEN_ONLY
def test_the_settings_open_from_the_bar_and_the_overview_and_close_on_lock(
        demo: Demo, qtbot: QtBot) -> None:
    access, window = _access(demo), demo.station.window
    settings = demo.station.settings
    assert settings is not None and demo.library_path != DEFAULT_PATH
    access.bar.settings_button.click()
    screen = settings.window
    assert screen is not None and screen.isVisible()
    qtbot.waitUntil(lambda: screen.alarm_table.count() > 0, timeout=WAIT_MS)
    assert not screen.may_edit and "Training Nurse is signed in as nurse" in \
        screen.access.text()
    access.bar.lock_button.click()
    assert settings.window is None  # closed with the lock
    _type_and_sign_in(qtbot, access.lock_screen.form, TRAINING_CHARGE,
                      TRAINING_CHARGE_PASSWORD)
    qtbot.waitUntil(lambda: not window.covered, timeout=WAIT_MS)
    overview = next(a for a in window.actions() if a.shortcut().toString() == "Ctrl+U")
    overview.trigger()  # the unit overview on this station's database
    qtbot.waitUntil(lambda: any(isinstance(w, OverviewWindow) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=WAIT_MS)
    shown = next(w for w in QApplication.topLevelWidgets()
                 if isinstance(w, OverviewWindow) and w.isVisible())
    assert shown.settings_button.isVisible()
    shown.settings_button.click()
    screen = settings.window
    assert screen is not None
    qtbot.waitUntil(lambda: screen.alarm_table.count() > 0, timeout=WAIT_MS)
    assert screen.may_edit
    screen.alarm_table.setCurrentIndex(screen.alarm_table.findData("defaults"))
    edit = screen.alarm_form.edits["pause_alarm_medium_min"]
    edit.selectAll()
    qtbot.keyClicks(edit, "12")
    qtbot.keyClicks(screen.reason, "unit policy")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.message.text().startswith("Saved"), timeout=WAIT_MS)
    library = load_drug_library(demo.library_path)
    assert library.defaults.pause_alarm_medium.total_seconds() == 12 * 60
    assert load_drug_library(DEFAULT_PATH).defaults.pause_alarm_medium.total_seconds() == 600
    [entry] = AuditLog(demo.sessions).entries(entity_type="drug_library")
    assert entry.action == "alarm_setting.changed"
    assert entry.detail_dict()["from"] == 10 and entry.detail_dict()["to"] == 12
    shown.close()


@OFFSCREEN_ONLY
def test_a_saved_interval_is_used_by_the_running_station_at_once(
        demo: Demo, qtbot: QtBot) -> None:
    access, window, services = _access(demo), demo.station.window, demo.services
    access.bar.lock_button.click()
    _type_and_sign_in(qtbot, access.lock_screen.form, TRAINING_CHARGE,
                      TRAINING_CHARGE_PASSWORD)
    qtbot.waitUntil(lambda: not window.covered, timeout=WAIT_MS)
    schedule = StoredSchedule(services)
    qtbot.waitUntil(lambda: schedule("C1").vitals_due_at is not None, timeout=WAIT_MS)
    with demo.sessions() as session:
        appointment = session.get_one(Appointment, schedule("C1").appointment_id)
        order = order_of(session, appointment)
        assert order is not None
        drug = order.titration_protocol
    before = services.context.library.monitoring(drug).vital_signs
    due_before = schedule("C1").vitals_due_at
    reloads: list[None] = []
    services.context.changes.subscribe(lambda: reloads.append(None))
    settings = demo.station.settings
    assert settings is not None
    screen = settings.open()
    qtbot.waitUntil(lambda: screen.alarm_table.count() > 0, timeout=WAIT_MS)
    screen.alarm_table.setCurrentIndex(screen.alarm_table.findData(f"drug.{drug}"))
    shorter = before - timedelta(minutes=10)
    edit = screen.alarm_form.edits["vital_signs_interval_min"]
    edit.selectAll()
    qtbot.keyClicks(edit, str(int(shorter.total_seconds() // 60)))
    qtbot.keyClicks(screen.reason, "closer watch")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.message.text().startswith("Saved"), timeout=WAIT_MS)
    assert screen.message.text().endswith(APPLIES_NOW)
    assert services.context.library == load_drug_library(demo.library_path)
    assert services.context.library.monitoring(drug).vital_signs == shorter
    assert reloads  # the monitoring service re-reads the chairs' schedules
    due_after = schedule("C1").vitals_due_at
    assert due_before is not None and due_after is not None
    assert due_before - due_after == timedelta(minutes=10)
