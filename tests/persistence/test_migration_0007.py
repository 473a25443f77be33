"""Migration 0007 makes telemetry chunks unique per infusion and first sample time, on
both backends: copies stored twice by a lost commit answer go, every other row stays;
two different chunks under one key stop the upgrade; the downgrade takes the key off."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from station.persistence import make_sessionmaker, schema
from station.persistence.database import create_engine
from station.persistence.errors import StorageError
from station.persistence.telemetry import TelemetryChunk
from tests.monitoring.world import seed_running_infusion

T0_US = int(datetime(2026, 12, 8, 9, 0, tzinfo=UTC).timestamp() * 1_000_000)


def chunk(infusion_id: int, t0_us: int, n_samples: int) -> dict[str, object]:
    return {"infusion_id": infusion_id, "t0_us": t0_us, "n_samples": n_samples,
            "offsets_ms": b"\0" * 4 * n_samples, "rate_ml_h": b"\0" * 4 * n_samples,
            "volume_ml": b"\0" * 8 * n_samples, "pressure_mmhg": b"\0" * 4 * n_samples}


def rows(engine: Engine) -> list[tuple[int, int, int]]:
    stmt = sa.select(TelemetryChunk.id, TelemetryChunk.t0_us, TelemetryChunk.n_samples)
    with engine.connect() as conn:
        return [(i, t, n) for i, t, n in conn.execute(stmt.order_by(TelemetryChunk.id))]


@pytest.fixture
def at_0006(db_url: str) -> tuple[Engine, int]:
    engine = create_engine(db_url)
    schema.upgrade_engine(engine, "0006")
    infusion_id = seed_running_infusion(make_sessionmaker(engine)).infusion_id
    return engine, infusion_id


def test_the_key_keeps_one_copy_of_a_chunk_stored_twice_and_every_other_row(
        at_0006: tuple[Engine, int]) -> None:
    engine, infusion = at_0006
    with engine.begin() as conn:
        conn.execute(sa.insert(TelemetryChunk), [
            chunk(infusion, T0_US, 96), chunk(infusion, T0_US + 96_000_000, 3),
            chunk(infusion, T0_US, 96)])  # the same flush stored again
    [first, second, _copy] = rows(engine)

    schema.upgrade_engine(engine)
    assert rows(engine) == [first, second]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(TelemetryChunk), [chunk(infusion, T0_US, 5)])

    schema.downgrade_engine(engine, "0006")
    with engine.begin() as conn:  # no key any more
        conn.execute(sa.insert(TelemetryChunk), [chunk(infusion, T0_US, 96)])
    assert len(rows(engine)) == 3
    engine.dispose()


def test_two_different_chunks_under_one_key_stop_the_upgrade(
        at_0006: tuple[Engine, int]) -> None:
    engine, infusion = at_0006
    with engine.begin() as conn:
        conn.execute(sa.insert(TelemetryChunk), [chunk(infusion, T0_US, 96),
                                                 chunk(infusion, T0_US, 4)])
    with pytest.raises((StorageError, sa.exc.IntegrityError)):
        schema.upgrade_engine(engine)
    assert len(rows(engine)) == 2  # nothing deleted: the migration rolled back
    assert schema.current_revision(engine) == "0006"
    engine.dispose()
