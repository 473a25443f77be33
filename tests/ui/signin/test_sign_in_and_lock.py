"""Sign-in, idle lock and the lock screen's alarms, on the training station: real
`pump-sim` at 10x, the real MonitoringService and SQLite file; the idle clock and the
sound output are injected (no device here)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station.alarms import Priority
from station.persistence.audit_log import AuditLog
from station.services import NotSignedInError
from tests.ui.test_alarm_sound import FakeOutput
from ui.alarms.alarm_sound import AlarmSound
from ui.chairside.action_bar import Action
from ui.chairside.app import Demo, open_demo
from ui.signin.sign_in_form import SignInForm
from ui.signin.station_access import StationAccess
from ui.signin.training_users import TRAINING_NURSE, TRAINING_NURSE_PIN

WAIT_MS = 20000
IDLE_S = 120.0


class IdleClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idle_clock() -> IdleClock:
    return IdleClock()


@pytest.fixture
def speaker() -> FakeOutput:
    return FakeOutput(["Speakers"])


@pytest.fixture
def demo(qtbot: QtBot, idle_clock: IdleClock, speaker: FakeOutput) -> Iterator[Demo]:
    with open_demo(1, 10.0, 8, running=1, sim_args=("--occlusion-limit", "80"), grid=False,
                   sound=lambda: AlarmSound(output=speaker), idle_lock_s=IDLE_S,
                   idle_clock=idle_clock) as running:
        window = running.station.window
        window.resize(1366, 768)
        window.show()
        window.start()
        yield running


def _access(demo: Demo) -> StationAccess:
    access = demo.station.access
    assert access is not None
    return access


def _type_and_sign_in(qtbot: QtBot, form: SignInForm, username: str, secret: str) -> None:
    form.username.clear()
    qtbot.keyClicks(form.username, username)
    qtbot.keyClicks(form.secret, secret)
    qtbot.keyClick(form.secret, Qt.Key.Key_Return)


def test_a_wrong_pin_is_refused_and_the_right_one_signs_in(demo: Demo, qtbot: QtBot) -> None:
    access, window = _access(demo), demo.station.window
    assert not window.covered  # training: the training nurse is signed in
    assert access.bar.who.text() == "Training Nurse"
    access.bar.sign_out_button.click()
    assert window.covered and access.lock_screen.isVisible()
    qtbot.waitUntil(access.lock_screen.form.username.isEnabled, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _signed_out(demo), timeout=WAIT_MS)
    form = access.lock_screen.form
    _type_and_sign_in(qtbot, form, TRAINING_NURSE, "999999")
    qtbot.waitUntil(lambda: "Wrong username, password or PIN." in form.message.text(),
                    timeout=WAIT_MS)
    assert window.covered and form.secret.text() == ""
    assert _signed_out(demo)
    _type_and_sign_in(qtbot, form, TRAINING_NURSE, TRAINING_NURSE_PIN)
    qtbot.waitUntil(lambda: not window.covered, timeout=WAIT_MS)
    assert demo.services.context.actor.name == "Training Nurse"
    actions = [e.action for e in AuditLog(demo.sessions).entries(entity_type="users")]
    assert actions[-4:] == ["user.signed_in", "user.signed_out", "user.sign_in_refused",
                            "user.signed_in"]


def _signed_out(demo: Demo) -> bool:
    try:
        _ = demo.services.context.actor.user_id
    except NotSignedInError:
        return True
    return False


def test_the_station_locks_after_the_idle_time_and_input_postpones_it(
        demo: Demo, qtbot: QtBot, idle_clock: IdleClock) -> None:
    access, window = _access(demo), demo.station.window
    c1 = window.chair("C1")
    vitals = c1.action_bar.buttons[Action.VITALS]
    qtbot.waitUntil(vitals.isEnabled, timeout=WAIT_MS)  # the chair's patient is read
    vitals.click()
    assert c1.workflow is not None and c1.workflow.isVisible()
    idle_clock.now += IDLE_S - 1
    window.clock.tick()
    assert not window.covered
    qtbot.keyClick(window.chair("C1"), Qt.Key.Key_Shift)  # a nurse's key press
    idle_clock.now += IDLE_S - 1
    window.clock.tick()
    assert not window.covered
    idle_clock.now += 1
    window.clock.tick()
    assert window.covered and access.lock_screen.isVisible()
    assert access.lock_screen.form.title.text().startswith("Locked: Training Nurse")
    assert not window.chair("C1").isVisible()
    assert not c1.workflow.isVisible()  # the vitals window is not left over the lock
    qtbot.keyClick(access.lock_screen.form.username, Qt.Key.Key_F4)
    assert c1.break_window is None  # the chairs' shortcuts do not reach through
    # Locked is not signed out: the same nurse signs in again to carry on.
    _type_and_sign_in(qtbot, access.lock_screen.form, TRAINING_NURSE, TRAINING_NURSE_PIN)
    qtbot.waitUntil(lambda: not window.covered, timeout=WAIT_MS)
    assert c1.workflow is not None and c1.workflow.isVisible()  # back as it was


def test_an_alarm_raised_while_locked_is_shown_and_sounds_on_the_lock_screen(
        demo: Demo, qtbot: QtBot, idle_clock: IdleClock, speaker: FakeOutput) -> None:
    access, window = _access(demo), demo.station.window
    c1 = window.chair("C1")
    qtbot.waitUntil(lambda: len(c1.buffer) > 10, timeout=WAIT_MS)
    idle_clock.now += IDLE_S
    window.clock.tick()
    assert window.covered
    demo.simulator.control(op="inject", pump=1, fault="occlusion", params={"severity": 1.0})
    lock = access.lock_screen
    model = lock.alarms.alarm_model

    def stall_listed() -> bool:
        return any(model.row_at(i).condition == "pump_stall" and model.row_at(i).chair_id == "C1"
                   for i in range(model.rowCount()))

    qtbot.waitUntil(stall_listed, timeout=WAIT_MS)
    assert lock.alarms.isVisible() and "open alarm" in lock.alarm_title.text()
    qtbot.waitUntil(lambda: window.sound is not None and window.sound.playing is Priority.HIGH,
                    timeout=WAIT_MS)
    assert speaker.effects["alarm_high.wav"].plays >= 1
    assert window.covered  # still locked: the alarm is seen and heard, not acted on


def test_enter_in_the_username_field_alone_is_a_badge_scan(qtbot: QtBot) -> None:
    form = SignInForm()
    qtbot.addWidget(form)
    with qtbot.waitSignal(form.badge_scanned) as scanned:
        qtbot.keyClicks(form.username, "04A1B2C3D4E5")
        qtbot.keyClick(form.username, Qt.Key.Key_Return)
    assert scanned.args == ["04A1B2C3D4E5"]
    assert form.username.text() == ""  # the badge text is not left on screen
    with qtbot.waitSignal(form.submitted) as submitted:
        qtbot.keyClicks(form.username, "nina")
        qtbot.keyClicks(form.secret, "482913")
        qtbot.keyClick(form.secret, Qt.Key.Key_Return)
    assert submitted.args == ["nina", "482913"]
    for control in (form.username, form.secret, form.sign_in_button):
        assert control.accessibleName()
    assert form.sign_in_button.minimumHeight() >= 44
