"""UI test fixtures: fail a test that leaves a timer of ours running."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QTimer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Ignore one message of the offscreen platform in the UI tests.

    The offscreen QPA plugin does not implement propagateSizeHints() and says so at
    WARNING whenever a shown top-level widget's size hints change (word-wrapped labels
    do); real platforms implement it. Every other Qt warning still fails the test.
    """
    marker = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")
    for item in items:
        if "tests/ui/" in str(item.path).replace("\\", "/"):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _no_running_ui_timers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Record every QTimer that code under `ui.` starts; fail if one still runs at the end.

    Runs its check after pytest-qt has closed the test's widgets, so a view must stop
    its timers when it is closed (or when its owner stops it), not only when deleted.
    """
    started: list[tuple[weakref.ref[QTimer], str]] = []
    original = QTimer.start

    def recording_start(self: QTimer, *args: object) -> None:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.startswith("ui."):
            started.append((weakref.ref(self), caller))
        original(self, *args)

    monkeypatch.setattr(QTimer, "start", recording_start)
    yield
    running = [where for ref, where in started
               if (timer := ref()) is not None and shiboken6.isValid(timer) and timer.isActive()]
    if running:
        pytest.fail(f"timers left running, started in: {sorted(set(running))}")
