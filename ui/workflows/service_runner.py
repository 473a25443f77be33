"""Run service calls and pump commands off the GUI thread; results come back as signals.

One worker thread (a Python `ThreadPoolExecutor` of one, joined at `shutdown`, so the
tests' thread-leak check can see it end): database writes stay in order and SQLite
sees one writer. A view passes a callable and two slots; the slots run on the GUI
thread, reached by queued signals. Errors arrive as a sentence a nurse can act on,
never a traceback (the traceback goes to the log).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from PySide6.QtCore import QObject, Signal

from devices.driver.errors import DriverError, LinkDownError
from station.persistence.errors import StorageError
from station.services.errors import ServiceError

log = logging.getLogger(__name__)

ResultSlot = Callable[[Any], None]
ErrorSlot = Callable[[str], None]


def say_error(exc: BaseException, doing: str) -> str:
    """What went wrong, in words a nurse can act on."""
    if isinstance(exc, FutureTimeout | TimeoutError):
        return (f"The pump did not answer while trying to {doing}. Check the pump and its "
                "cable, then try again.")
    if isinstance(exc, LinkDownError):
        return (f"No link to the pump, so nothing was done to {doing}. Check the pump's "
                "cable and power; the chair screen shows when the link is back.")
    if isinstance(exc, DriverError):
        return f"The pump refused to {doing}: {exc}. Check the pump, then try again."
    if isinstance(exc, StorageError | ServiceError):
        return f"Could not {doing}: {exc}"
    return (f"Could not {doing} because of an unexpected fault; nothing more was done. "
            "Try again; if it happens again, call support (the details are in the log).")


class ServiceRunner(QObject):
    """Runs callables on one worker thread and hands results back on the GUI thread."""

    finished = Signal(int, object)  # ticket, value
    failed = Signal(int, str)  # ticket, what to tell the nurse
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="service-runner")
        self._tickets = itertools.count(1)
        self._waiting: dict[int, tuple[ResultSlot, ErrorSlot]] = {}
        self.finished.connect(self._on_finished)
        self.failed.connect(self._on_failed)

    @property
    def busy(self) -> bool:
        return bool(self._waiting)

    def call(self, call: Callable[[], Any], on_result: ResultSlot, on_error: ErrorSlot, *,
             doing: str) -> int:
        """Run ``call`` on the worker; ``doing`` completes "Could not ..." on failure."""
        ticket = next(self._tickets)
        self._waiting[ticket] = (on_result, on_error)
        if len(self._waiting) == 1:
            self.busy_changed.emit(True)
        future = self._pool.submit(call)
        future.add_done_callback(lambda done: self._deliver(ticket, done, doing))
        return ticket

    def shutdown(self) -> bool:
        """Let the running call finish and end the worker (at close); queued calls and
        undelivered results are dropped.
        """
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._waiting.clear()
        return True

    def _deliver(self, ticket: int, done: Future[Any], doing: str) -> None:
        """On the worker thread: hand the outcome to the GUI thread by signal."""
        if done.cancelled():
            return
        exc = done.exception()
        if exc is None:
            self.finished.emit(ticket, done.result())
            return
        log.error("worker call failed while trying to %s", doing, exc_info=exc)
        self.failed.emit(ticket, say_error(exc, doing))

    def _take(self, ticket: int) -> tuple[ResultSlot, ErrorSlot] | None:
        slots = self._waiting.pop(ticket, None)
        if slots is not None and not self._waiting:
            self.busy_changed.emit(False)
        return slots

    def _on_finished(self, ticket: int, value: object) -> None:
        slots = self._take(ticket)
        if slots is not None:
            slots[0](value)

    def _on_failed(self, ticket: int, message: str) -> None:
        slots = self._take(ticket)
        if slots is not None:
            slots[1](message)
