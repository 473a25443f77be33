"""A service write holds SQLite's write lock from BEGIN, so nobody commits in between."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from station.persistence.scheduling import Chair
from station.services.store import writing
from tests.services.world import World


def test_another_writer_waits_for_a_service_transaction_that_has_only_read(
    world: World, db_url: str
) -> None:
    path = db_url.removeprefix("sqlite:///")
    with writing(world.svc.context, "test the lock") as session:
        session.execute(sa.select(Chair.id)).all()  # a read: a deferred BEGIN takes no lock
        # The monitoring thread committing telemetry here would make this transaction's
        # later write fail at once with "database is locked"; it must wait instead.
        other = sqlite3.connect(path, timeout=0.05)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO chairs (label, private_room, active) "
                              "VALUES ('Z9', 0, 1)")
        finally:
            other.close()
        session.add(Chair(label="Z8"))
    with world.sessions() as check:
        labels = set(check.scalars(sa.select(Chair.label)))
    assert "Z8" in labels and "Z9" not in labels
