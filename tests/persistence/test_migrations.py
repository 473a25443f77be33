"""Migrations go up to head and down to base on both backends, and match the models."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from station.persistence import schema
from station.persistence.database import create_engine
from station.persistence.errors import SchemaVersionError
from station.persistence.models import metadata


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_creates_every_table_and_downgrade_to_base_removes_them(
    db_url: str,
) -> None:
    schema.upgrade(db_url)
    assert _tables(db_url) == set(metadata.tables) | {"alembic_version"}

    schema.downgrade(db_url, "base")
    assert _tables(db_url) == {"alembic_version"}

    schema.upgrade(db_url)
    assert _tables(db_url) == set(metadata.tables) | {"alembic_version"}


def test_head_schema_matches_the_models(db_url: str) -> None:
    schema.upgrade(db_url)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_upgrade_database_reports_what_it_did(db_url: str) -> None:
    head = schema.head_revision()

    first = schema.upgrade_database(db_url)
    second = schema.upgrade_database(db_url)

    assert f"upgraded from empty to {head}" in first
    assert f"up to date (revision {head})" in second
    assert "station_test:station_test" not in first  # the password is never shown


def test_open_database_migrates_and_is_idempotent(db_url: str) -> None:
    for _ in range(2):
        engine = schema.open_database(db_url)
        try:
            assert schema.current_revision(engine) == schema.head_revision()
        finally:
            engine.dispose()


def test_two_stations_starting_together_both_end_at_head(db_url: str) -> None:
    # Two workstations on one server: without serialising, the second CREATE TABLE fails.
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            schema.open_database(db_url).dispose()
        except BaseException as err:  # reported below; a thread cannot raise into the test
            errors.append(err)

    threads = [threading.Thread(target=start, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a start-up hangs"
    assert errors == []
    assert _tables(db_url) == set(metadata.tables) | {"alembic_version"}


@pytest.mark.postgres
def test_telemetry_table_is_vacuumed_after_a_fixed_number_of_dead_rows(pg_schema_url: str) -> None:
    schema.upgrade(pg_schema_url)
    assert _telemetry_options(pg_schema_url) == [
        "autovacuum_vacuum_scale_factor=0",
        "autovacuum_vacuum_threshold=2000",
    ]
    schema.downgrade(pg_schema_url, "0001")
    assert _telemetry_options(pg_schema_url) == []


def _telemetry_options(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            options = conn.execute(
                sa.text(
                    "SELECT reloptions FROM pg_class WHERE oid = to_regclass('telemetry_chunks')"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return sorted(options or [])


def test_a_database_from_a_newer_station_is_refused_and_left_alone(db_url: str) -> None:
    schema.upgrade(db_url)
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(SchemaVersionError, match=r"'9999'.*update this station"):
            schema.open_database(db_url)
        with pytest.raises(SchemaVersionError):
            schema.downgrade_engine(engine, "base")
    finally:
        engine.dispose()
    assert _tables(db_url) == set(metadata.tables) | {"alembic_version"}
