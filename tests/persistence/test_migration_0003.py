"""Migration 0003 keeps the rows already stored, up and down, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from station.persistence import schema
from station.persistence.database import create_engine
from station.persistence.errors import StorageError
from tests.persistence.conftest import sqlite_url

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _insert(conn: sa.Connection, table: str, **values: Any) -> None:
    conn.execute(sa.Table(table, sa.MetaData(), autoload_with=conn).insert().values(**values))


def _seed_at_0002(conn: sa.Connection) -> None:
    _insert(conn, "users", id=1, username="nurse.a", display_name="Nurse A", active=True,
            created_at=AT)
    _insert(conn, "patients", id=1, mrn="MRN-1", family_name="Doe", given_name="Jane",
            date_of_birth=date(1980, 5, 17))
    _insert(conn, "chairs", id=1, label="C1", private_room=False, active=True)
    _insert(conn, "appointments", id=1, patient_id=1, chair_id=1, start_at=AT,
            expected_duration_min=240, wants_private_room=False, with_companion=False,
            requests_note="", status="infusing")
    _insert(conn, "orders", id=1, patient_id=1, appointment_id=1, ordered_at=AT, drug="ocrelizumab",
            dose_amount=600, dose_unit="mg", diluent="NaCl", volume_ml=500, route="IV",
            access="peripheral", access_site="", titration_protocol="ocrelizumab-later",
            observation_min=60, site_check_interval_min=120)
    _insert(conn, "pumps", id=1, port_url="pty:///dev/pts/1", model="SimPump", serial_number="P1")
    _insert(conn, "infusions", id=1, order_id=1, appointment_id=1, pump_id=1, started_at=AT,
            status="running")
    _insert(conn, "pauses", id=1, infusion_id=1, started_at=AT, reason="bathroom break",
            needs_walking_help=False)
    _insert(conn, "side_effects", id=1, appointment_id=1, infusion_id=1, observed_at=AT,
            kind="infusion_reaction", ctcae_grade=2, action_taken="", note="rash")
    _insert(conn, "site_assessments", id=1, appointment_id=1, infusion_id=1, observed_at=AT,
            site="left forearm", infiltration_grade=0, phlebitis_signs=False, dislodged=False,
            note="")


def _one(conn: sa.Connection, sql: str) -> tuple[Any, ...]:
    return tuple(conn.execute(sa.text(sql)).one())


def test_upgrade_from_0002_keeps_rows_and_fills_defaults_and_downgrade_keeps_them(
    db_url: str,
) -> None:
    engine = create_engine(db_url)
    try:
        schema.upgrade_engine(engine, "0002")
        with engine.begin() as conn:
            _seed_at_0002(conn)

        schema.upgrade_engine(engine)
        with engine.begin() as conn:
            assert _one(conn, "SELECT status, titrated, shortfall_reason, rate_ml_h "
                              "FROM infusions") == ("running", False, "", None)
            assert _one(conn, "SELECT verified_at, rate FROM orders") == (None, None)
            assert _one(conn, "SELECT note, resume_mode FROM pauses") == ("", None)
            assert _one(conn, "SELECT kind, suggested_action FROM side_effects") == (
                "infusion_reaction", "")
            assert _one(conn, "SELECT dressing_intact FROM site_assessments") == (False,)
            conn.execute(sa.text("UPDATE side_effects SET kind = 'chest_tightness'"))

        schema.downgrade_engine(engine, "0002")
        with engine.connect() as conn:
            assert _one(conn, "SELECT status, pump_id FROM infusions") == ("running", 1)
            assert _one(conn, "SELECT kind, note FROM side_effects") == (
                "infusion_reaction", "rash")
            assert _one(conn, "SELECT count(*) FROM orders") == (1,)
            assert _one(conn, "SELECT reason FROM pauses") == ("bathroom break",)
            names = {i["name"] for i in sa.inspect(conn).get_indexes("infusions")}
            assert "uq_infusions_active_pump" not in names
    finally:
        engine.dispose()


def test_a_sqlite_migration_that_leaves_a_broken_reference_is_rolled_back(
    tmp_path: Path,
) -> None:
    # Foreign keys are off while SQLite migrates (batch copies); the check before the
    # commit must still catch a reference that points nowhere.
    engine = create_engine(sqlite_url(tmp_path))
    try:
        schema.upgrade_engine(engine, "0002")
        with engine.begin() as conn:
            _seed_at_0002(conn)
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute("UPDATE pauses SET infusion_id = 99")
            raw.execute("PRAGMA foreign_keys=ON")

        with pytest.raises(StorageError, match="broken references in pauses"):
            schema.upgrade_engine(engine)

        assert schema.current_revision(engine) == "0002"
        with engine.connect() as conn:
            assert "titration_steps" not in sa.inspect(conn).get_table_names()
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        engine.dispose()
