"""Who the station acts for: sign-in before anything, idle lock, sign-out.

The credentials are checked on the service runner's worker (argon2 takes a while and
reads the database), which is also where the station's `StationSession` changes, so
a write in progress keeps its actor. Locked, the chairs are covered by the
`LockScreen`; the window keeps refreshing and sounding every alarm.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from station.access.authenticate import Authenticator, SignInResult
from station.access.session import StationSession
from station.alarms import ChairAlarms
from station.services import Actor
from ui.chairside.main_window import MainWindow
from ui.signin.idle_watch import DEFAULT_IDLE_LOCK_S, IdleWatch
from ui.signin.lock_screen import LockScreen
from ui.workflows.service_runner import ServiceRunner
from ui.workflows.widgets import touch_button

LOCK_SHORTCUT = "Ctrl+L"


@dataclass(frozen=True)
class AccessSetup:
    """What the sign-in needs: the authenticator, the session the services act for,
    the idle time before the lock and its clock (monotonic seconds; tests inject)."""

    authenticator: Authenticator
    session: StationSession
    idle_lock_s: float = DEFAULT_IDLE_LOCK_S
    idle_clock: Callable[[], float] = time.monotonic
    training_hint: str = ""


class UserBar(QWidget):
    """Who is signed in, with Settings, Lock (Ctrl+L) and Sign out, above the unit's
    alarm list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = QLabel()
        self.who.setAccessibleName("Signed-in user")
        self.settings_button = touch_button("Settings", "Alarm settings and drug library")
        self.lock_button = touch_button("Lock", "Lock the station", shortcut=LOCK_SHORTCUT)
        self.sign_out_button = touch_button("Sign out", "Sign out")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.who, 1)
        layout.addWidget(self.settings_button)
        layout.addWidget(self.lock_button)
        layout.addWidget(self.sign_out_button)

    def show_user(self, actor: Actor | None) -> None:
        self.who.setText("" if actor is None else actor.name)


class StationAccess(QObject):
    """Covers the window until someone signs in, locks it when idle, signs out."""

    signed_in = Signal(object)  # the Actor
    signed_out = Signal()
    locked = Signal()

    def __init__(self, setup: AccessSetup, window: MainWindow, runner: ServiceRunner,
                 alarms: Sequence[ChairAlarms]) -> None:
        super().__init__(window)
        self._setup = setup
        self._runner = runner
        self._window = window
        # Who was signed in when the station locked: their next sign-in unlocks it.
        self._locked_for: Actor | None = None
        self.lock_screen = LockScreen(alarms, training_hint=setup.training_hint)
        self.bar = UserBar()
        self.idle = IdleWatch(setup.idle_lock_s, clock=setup.idle_clock, parent=self)
        window.set_cover(self.lock_screen)
        window.set_user_bar(self.bar)
        window.clock.add(self.lock_screen)
        window.clock.add(self.idle)
        window.closed.connect(self.idle.stop)
        form = self.lock_screen.form
        form.submitted.connect(self._on_submitted)
        form.badge_scanned.connect(self._on_badge)
        self.bar.lock_button.clicked.connect(lambda: self.lock("locked by hand"))
        self.bar.sign_out_button.clicked.connect(self.sign_out)
        self.idle.idle.connect(
            lambda: self.lock(f"idle for {setup.idle_lock_s / 60:g} min"))
        current = setup.session.current
        if current is None:
            self._cover("Sign in")
        else:
            self._uncover(current)

    @property
    def is_covered(self) -> bool:
        return self._window.covered

    def lock(self, why: str = "locked by hand") -> None:
        """Cover the chairs until the signed-in user (or another) signs in; audited."""
        actor = self._setup.session.current
        if actor is None or self.is_covered:
            return
        self._locked_for = actor
        self._cover(f"Locked: {actor.name}, sign in to continue", actor_username="")
        auth = self._setup.authenticator
        self._runner.call(lambda: auth.record_lock(actor, why), lambda _: None,
                          self._window.show_technical_problem, doing="record the lock")
        self.locked.emit()

    def sign_out(self) -> None:
        self._locked_for = None
        self._runner.call(self._end_on_worker, lambda _: self._signed_out(),
                          self.lock_screen.form.refuse, doing="sign out")
        self._cover("Signed out: sign in")

    # -- on the worker --------------------------------------------------------------------

    def _end_on_worker(self) -> None:
        before = self._setup.session.end()
        if before is not None:
            self._setup.authenticator.record_sign_out(before, "signed out")

    def _begin_on_worker(self, attempt: Callable[[], SignInResult], method: str,
                         locked_for: Actor | None) -> SignInResult:
        result = attempt()
        if isinstance(result, Actor):
            before = self._setup.session.begin(result)
            if before is not None and before.user_id != result.user_id:
                self._setup.authenticator.record_sign_out(before, "another user signed in")
            elif locked_for is not None and locked_for.user_id == result.user_id:
                self._setup.authenticator.record_unlock(result, method)
        return result

    # -- on the GUI thread ----------------------------------------------------------------

    def _on_submitted(self, username: str, secret: str) -> None:
        auth = self._setup.authenticator
        self._check(lambda: auth.sign_in(username, secret), "secret")

    def _on_badge(self, scan: str) -> None:
        auth = self._setup.authenticator
        self._check(lambda: auth.sign_in_badge(scan), "badge")

    def _check(self, attempt: Callable[[], SignInResult], method: str) -> None:
        form = self.lock_screen.form
        form.set_busy(True)
        locked_for = self._locked_for
        self._runner.call(lambda: self._begin_on_worker(attempt, method, locked_for),
                          self._on_result, self._on_error, doing="sign in")

    def _on_result(self, result: object) -> None:
        form = self.lock_screen.form
        form.set_busy(False)
        if isinstance(result, Actor):
            self._locked_for = None
            self._uncover(result)
            self.signed_in.emit(result)
        else:
            form.refuse(getattr(result, "reason", "Sign-in refused."))

    def _on_error(self, message: str) -> None:
        self.lock_screen.form.set_busy(False)
        self.lock_screen.form.refuse(message)

    def _signed_out(self) -> None:
        self.bar.show_user(None)
        self.signed_out.emit()

    def _cover(self, title: str, actor_username: str = "") -> None:
        self.idle.disarm()
        self.lock_screen.form.reset(title, actor_username)
        self._window.show_cover(True)
        self.lock_screen.refresh()
        self.lock_screen.form.username.setFocus()

    def _uncover(self, actor: Actor) -> None:
        self.bar.show_user(actor)
        self._window.show_cover(False)
        self.idle.arm()
