"""Telling others that the services stored something: a Qt-free listener list.

The monitoring service keeps each chair's clinical schedule (an open pause, the next
titration step, the last vital signs ...) in memory and reloads it when told; the
services call `notify()` after every committed write, so nothing polls the database.
Listeners run on the writing thread and must be quick (queue a reload, never read).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

Listener = Callable[[], None]


class RecordChanges:
    """Who wants to hear that the stored records changed; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after every committed write; returns `unsubscribe`."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def notify(self) -> None:
        """A write was committed: tell every listener (a failing one is logged)."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener()
            except Exception:  # a broken listener must not undo a stored write
                log.exception("record-change listener %r failed", listener)
