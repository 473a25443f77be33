"""Database work for the overview, on a thread of its own; results come back by signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from station.persistence import StorageError

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())


class DbWorker(QObject):
    """Runs one job at a time off the GUI thread; `done(callback, result)` or
    `failed(message)` arrive on the GUI thread (queued signals)."""

    done = Signal(object, object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="overview-db")
        self.done.connect(lambda callback, result: callback(result))

    def run(self, job: Callable[[], Any], then: Callable[[Any], None]) -> None:
        def work() -> None:
            try:
                result = job()
            except (StorageError, ValueError) as exc:
                log.error("overview: %s", exc)
                self.failed.emit(str(exc))
                return
            self.done.emit(then, result)
        self._pool.submit(work)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
