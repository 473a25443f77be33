"""The runner: calls on its worker thread, results on the GUI thread, errors in words."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from devices.driver.errors import LinkDownError, NoReplyError
from station.services.errors import NotFoundError
from ui.workflows.service_runner import ServiceRunner, say_error


def test_a_call_runs_off_the_gui_thread_and_its_result_arrives_on_it(
        qtbot: QtBot, runner: ServiceRunner) -> None:
    worked_on: list[int] = []  # idents: current_thread() would register a dummy
    delivered_on: list[QThread] = []
    results: list[object] = []

    def work() -> int:
        worked_on.append(threading.get_ident())
        return 42

    def on_result(value: object) -> None:
        delivered_on.append(QThread.currentThread())
        results.append(value)

    with qtbot.waitSignals([runner.busy_changed, runner.busy_changed], timeout=5000):
        runner.call(work, on_result, pytest.fail, doing="count")
    assert results == [42] and not runner.busy
    assert worked_on[0] != threading.main_thread().ident
    app = QApplication.instance()
    assert app is not None and delivered_on == [app.thread()]


def test_a_failure_arrives_as_a_sentence_and_is_logged(
        qtbot: QtBot, runner: ServiceRunner, caplog: pytest.LogCaptureFixture) -> None:
    errors: list[str] = []

    def boom() -> None:
        raise ZeroDivisionError("internal detail")

    with caplog.at_level(logging.ERROR, logger="ui.workflows.service_runner"):
        runner.call(boom, pytest.fail, errors.append, doing="save the vital signs")
        qtbot.waitUntil(lambda: bool(errors))
    [record] = caplog.records  # the traceback goes to the log, not to the nurse
    assert record.exc_info is not None and "save the vital signs" in record.getMessage()
    assert errors[0].startswith("Could not save the vital signs because of an unexpected fault")
    assert "internal detail" not in errors[0] and "Traceback" not in errors[0]


@pytest.mark.parametrize(("error", "expected"), [
    (NotFoundError("infusion", 7), "Could not resume the infusion: "),
    (LinkDownError("chair-1: link is down"), "No link to the pump, so nothing was done"),
    (NoReplyError("no reply"), "The pump refused to resume the infusion"),
    (TimeoutError(), "The pump did not answer while trying to resume the infusion"),
])
def test_errors_say_what_to_do(error: BaseException, expected: str) -> None:
    assert say_error(error, "resume the infusion").startswith(expected)
