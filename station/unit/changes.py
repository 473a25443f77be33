"""Where change notifications come from: a `ChangeSource` per database.

PostgreSQL: `pg_changes.PgChangeListener`, LISTEN on the schema's channel (migration
0005's triggers NOTIFY in the writing transaction). SQLite: `sqlite_changes`, TEMP
triggers feeding an in-process hub on commit. `sources.change_source` picks one.
Either way a subscriber gets the payloads (`change_keys`), plus RESYNC after every
(re)connection and LOST when it breaks; work is per notification, never a loop over
the chairs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

ChangeHandler = Callable[[str], None]


class ChangeSource(Protocol):
    """Calls its subscribers with each payload, on a thread of its own."""

    def subscribe(self, handler: ChangeHandler) -> Callable[[], None]: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    @property
    def listening(self) -> bool: ...


class Subscribers:
    """A thread-safe list of handlers; a failing handler is logged, not fatal."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[ChangeHandler] = []

    def add(self, handler: ChangeHandler) -> Callable[[], None]:
        with self._lock:
            self._handlers.append(handler)

        def remove() -> None:
            with self._lock:
                if handler in self._handlers:
                    self._handlers.remove(handler)
        return remove

    def emit(self, payload: str) -> None:
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            try:
                handler(payload)
            except Exception:  # one broken subscriber must not deafen the others
                log.exception("change handler %r failed on %r", handler, payload)

