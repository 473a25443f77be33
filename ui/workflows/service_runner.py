"""Run service calls and pump commands off the GUI thread; results come back as signals.

One worker thread (a `QThreadPool` of one): database writes stay in order and SQLite
sees one writer. A view passes a callable and two slots; the slots run on the GUI
thread. Errors arrive as a sentence a nurse can act on, never a traceback.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from devices.driver.errors import DriverError
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
    if isinstance(exc, DriverError):
        return f"The pump refused to {doing}: {exc}. Check the pump, then try again."
    if isinstance(exc, StorageError | ServiceError):
        return f"Could not {doing}: {exc}"
    return (f"Could not {doing} because of an unexpected fault; nothing more was done. "
            "Try again; if it happens again, call support (the details are in the log).")


class _Job(QRunnable):
    def __init__(self, ticket: int, call: Callable[[], Any], relay: ServiceRunner,
                 doing: str) -> None:
        super().__init__()
        self._ticket, self._call, self._relay, self._doing = ticket, call, relay, doing

    def run(self) -> None:
        try:
            value = self._call()
        except Exception as exc:  # every failure becomes a sentence on the GUI thread
            log.exception("worker call failed while trying to %s", self._doing)
            self._relay.failed.emit(self._ticket, say_error(exc, self._doing))
        else:
            self._relay.finished.emit(self._ticket, value)


class ServiceRunner(QObject):
    """Runs callables on one worker thread and hands results back on the GUI thread."""

    finished = Signal(int, object)  # ticket, value
    failed = Signal(int, str)  # ticket, what to tell the nurse
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
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
        self._pool.start(_Job(ticket, call, self, doing))
        return ticket

    def shutdown(self, timeout_ms: int = 15000) -> bool:
        """Wait for running calls (at close); queued results are dropped."""
        self._pool.clear()
        done = self._pool.waitForDone(timeout_ms)
        self._waiting.clear()
        return done

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
