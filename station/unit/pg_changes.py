"""LISTEN on PostgreSQL with psycopg 3: one connection and one thread per process.

The connection is separate from SQLAlchemy's pool (a pooled connection would be handed
to other work and lose its LISTEN). After a lost connection it reconnects with
back-off; every (re)connection is announced as RESYNC, because notifications sent
while nobody listened are gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import Engine, make_url

from station.unit.change_keys import LOST, RESYNC, channel_name
from station.unit.changes import ChangeHandler, Subscribers

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

WAKE_S = 0.2  # how often the listening thread checks for stop
BACKOFF_INITIAL_S = 0.2
BACKOFF_MAX_S = 2.0


def libpq_conninfo(url: str) -> str:
    """The SQLAlchemy URL as a libpq URI; query options (sslmode, options) pass through."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class PgChangeListener:
    """Listens on one schema's channel and hands each payload to its subscribers."""

    def __init__(self, conninfo: str, channel: str) -> None:
        self.channel = channel
        self._conninfo = conninfo
        self._subscribers = Subscribers()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listening = False
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    @classmethod
    def for_engine(cls, engine: Engine, url: str) -> PgChangeListener:
        """The listener for the schema that `engine` writes to (its search path)."""
        with engine.connect() as conn:
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        return cls(libpq_conninfo(url), channel_name(str(schema)))

    @property
    def listening(self) -> bool:
        return self._listening

    def subscribe(self, handler: ChangeHandler) -> Callable[[], None]:
        return self._subscribers.add(handler)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="unit-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def _run(self) -> None:
        backoff = BACKOFF_INITIAL_S
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = BACKOFF_INITIAL_S
            except psycopg.Error as exc:
                if self._listening:
                    log.error("lost the notification channel %s: %s", self.channel, exc)
                    self._listening = False
                    self._subscribers.emit(LOST)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
        self._listening = False

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._listening = True
            self._subscribers.emit(RESYNC)
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=WAKE_S):
                    self._subscribers.emit(notify.payload)
                    if self._stop.is_set():
                        break
