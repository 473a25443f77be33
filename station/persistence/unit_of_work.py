"""Durable commits shared by the repositories."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.base import Base, IdMixin
from station.persistence.errors import storage_errors


def insist_on_synchronous_commit(session: Session) -> None:
    """On PostgreSQL, wait for the WAL flush even if the server is set to relax it.

    ``synchronous_commit = off`` on a server would make a commit return before
    its record is on disk; the logs that must survive a crash refuse that.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL synchronous_commit TO on"))


def store_durably(sessions: sessionmaker[Session], records: Sequence[Base], what: str) -> None:
    """Insert ``records`` in one transaction that is on disk when this returns."""
    with storage_errors(f"cannot {what}"), sessions() as session, session.begin():
        insist_on_synchronous_commit(session)
        session.add_all(records)


def store_one(sessions: sessionmaker[Session], record: IdMixin, what: str) -> int:
    """Insert one record durably and return its id."""
    assert isinstance(record, Base)
    store_durably(sessions, [record], what)
    return record.id
