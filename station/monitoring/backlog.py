"""Writes that must reach the database in order, kept while the database refuses them.

A monitoring station cannot stop watching pumps because the database is locked or the
server is restarting: the alarm engine has already changed state and must carry on.
A write that fails is kept, with every later one, and retried in order on each tick;
nothing is dropped and nothing overtakes a write that is still waiting. A write the
database refuses for good (`RecordRejectedError`: a constraint, a missing reference)
would block every later one for ever; it is set aside, logged with what it was, and
counted (`rejected`), and the writes behind it go on.

A write may fail after its commit reached the database (the connection broke before the
answer): a retry would store it twice. A write that comes with a `stored` check is
asked, before each retry, whether its record is there already.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from station.persistence import RecordRejectedError, StorageError

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

Write = Callable[[], object]
Stored = Callable[[], bool]


class WriteBacklog:
    """Runs writes in order; keeps the failed one and those after it for `retry`."""

    def __init__(self) -> None:
        self._waiting: deque[tuple[str, Write, Stored | None]] = deque()
        self._tried = False  # the oldest waiting write has been tried (and failed)
        self.failures = 0
        self.rejected: list[str] = []  # what the database refused for good

    def __len__(self) -> int:
        return len(self._waiting)

    def run(self, what: str, write: Write, stored: Stored | None = None) -> bool:
        """Write now if nothing is waiting; True when stored, False when kept for later.

        `stored`: whether the record is in the database already (asked before a retry).
        """
        self._waiting.append((what, write, stored))
        return self.retry()

    def retry(self) -> bool:
        """Write what is waiting, oldest first; stop at the first failure (True: all done)."""
        while self._waiting:
            what, write, stored = self._waiting[0]
            try:
                if not (self._tried and stored is not None and stored()):
                    write()
            except RecordRejectedError as exc:
                log.error("the database refused %s for good, set aside: %s", what, exc)
                self.rejected.append(f"{what}: {exc}")
            except StorageError as exc:
                self.failures += 1
                self._tried = True
                log.error("cannot store %s (%d waiting): %s", what, len(self._waiting), exc)
                return False
            self._waiting.popleft()
            self._tried = False
        return True
