"""The telemetry writer sends a bounded set of SQL texts, however its flushes fall.

Python's sqlite3 prepares and keeps one statement per distinct text (128 per
connection); a text per IN-list length held SQLite memory that grew the station's
RSS for an hour (docs/benchmarks/endurance.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.delivery import Infusion
from station.persistence.records import Records
from station.persistence.telemetry import TelemetrySample
from station.persistence.telemetry_reader import load_series
from station.persistence.telemetry_writer import TelemetryWriter
from tests.persistence.factories import T0, Seed


@pytest.fixture
def sql_texts(engine: Engine) -> Iterator[list[str]]:
    """Every SQL text the engine sends to the driver, in order."""
    texts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        texts.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    yield texts
    event.remove(engine, "before_cursor_execute", seen)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_merges_of_any_size_use_one_delete_text(
    sessions: sessionmaker[Session], seed: Seed, sql_texts: list[str]
) -> None:
    other = Infusion(order_id=seed.order_id, appointment_id=seed.appointment_id)
    Records(sessions).add(other)
    writer = TelemetryWriter(sessions, clock=Clock(), chunk_samples=6)
    # Flushes of 1, 2 or 3 samples leave 2 to 6 fragments open when a chunk fills,
    # and both infusions sometimes fill in the same flush: merges of many sizes.
    second = 0
    for batch in [1, 1, 2, 3, 1, 2, 1, 1, 1, 1, 1, 3, 3, 2, 1, 1, 2, 1, 1, 1, 2, 2, 3]:
        for _ in range(batch):
            for infusion_id in (seed.infusion_id, other.id):
                writer.add(TelemetrySample(infusion_id, T0 + timedelta(seconds=second),
                                           50.0, second / 100, pressure_mmhg=80.0))
            second += 1
        writer.flush()
    writer.close()

    deletes = [text for text in sql_texts if text.lstrip().upper().startswith("DELETE")]
    assert len(deletes) >= 5  # the sequence above merged several times
    assert len(set(deletes)) == 1
    for infusion_id in (seed.infusion_id, other.id):
        series = load_series(sessions, infusion_id)
        assert len(series) == second
        assert sorted(series.times_us.tolist()) == series.times_us.tolist()
    with sessions() as session:
        fragments = session.scalar(sa.text(
            "SELECT count(*) FROM telemetry_chunks WHERE n_samples < 6"))
    assert fragments is not None and fragments <= 2  # merged fragments are gone
