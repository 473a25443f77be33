"""Durable commits shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.base import Base, IdMixin
from station.persistence.errors import storage_errors
from station.persistence.sqlite_engine import WRITE_OPTION


def insist_on_synchronous_commit(session: Session) -> None:
    """On PostgreSQL, wait for the WAL flush even if the server is set to relax it.

    ``synchronous_commit = off`` on a server would make a commit return before
    its record is on disk; the logs that must survive a crash refuse that.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL synchronous_commit TO on"))


@contextmanager
def write_transaction(sessions: sessionmaker[Session], what: str) -> Iterator[Session]:
    """A session in a write transaction that is durable once the block exits.

    On SQLite the write lock is taken at BEGIN; on PostgreSQL the commit waits
    for the WAL flush. Storage errors are raised as :class:`StorageError`.
    """
    with storage_errors(f"cannot {what}"), sessions() as session, session.begin():
        session.connection(execution_options={WRITE_OPTION: True})
        insist_on_synchronous_commit(session)
        yield session


def store_durably(sessions: sessionmaker[Session], records: Sequence[Base], what: str) -> None:
    """Insert ``records`` in one transaction that is on disk when this returns."""
    with write_transaction(sessions, what) as session:
        session.add_all(records)


def store_one(sessions: sessionmaker[Session], record: IdMixin, what: str) -> int:
    """Insert one record durably and return its id."""
    assert isinstance(record, Base)
    store_durably(sessions, [record], what)
    return record.id
