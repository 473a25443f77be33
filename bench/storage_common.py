"""Shared set-up for the storage benchmarks: databases, infusions, machine description."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.database import create_engine, make_sessionmaker
from station.persistence.delivery import Infusion
from station.persistence.orders import Order, VascularAccess
from station.persistence.people import Patient
from station.persistence.records import Records
from station.persistence.scheduling import Appointment, Chair
from station.persistence.schema import upgrade_engine

DAY0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DEFAULT_PG = "postgresql+psycopg://station_test:station_test@127.0.0.1:5432/station_test"


def pg_base_url() -> str:
    """The PostgreSQL server to benchmark against (STATION_TEST_PG_URL or the local one)."""
    return os.environ.get("STATION_TEST_PG_URL", DEFAULT_PG)


def database_url(backend: str, name: str, fresh: bool) -> str:
    """A SQLite file under /tmp or a PostgreSQL schema called ``name``."""
    if backend == "sqlite":
        path = Path("/tmp") / f"{name}.sqlite"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = sa.create_engine(pg_base_url())
    with admin.begin() as conn:
        if fresh:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
    admin.dispose()
    url = make_url(pg_base_url()).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False)


def open_migrated(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and sessions on a database migrated to head."""
    engine = create_engine(url)
    upgrade_engine(engine)
    return engine, make_sessionmaker(engine)


def create_infusions(sessions: sessionmaker[Session], count: int) -> list[int]:
    """``count`` infusions of one patient, each with its own appointment and order."""
    patient = Patient(
        mrn="BENCH", family_name="Bench", given_name="Mark", date_of_birth=date(1970, 1, 1)
    )
    chair = Chair(label="BENCH")
    infusions = []
    for i in range(count):
        appointment = Appointment(
            patient=patient,
            chair=chair,
            start_at=DAY0 + timedelta(days=i // 24),
            expected_duration_min=360,
        )
        order = Order(
            patient=patient,
            appointment=appointment,
            ordered_at=DAY0,
            drug="ocrelizumab",
            dose_amount=600,
            dose_unit="mg",
            diluent="NaCl 0.9 %",
            volume_ml=500,
            access=VascularAccess.PERIPHERAL,
            titration_protocol="ocrevus-later",
            observation_min=60,
            site_check_interval_min=120,
        )
        infusions.append(Infusion(order=order, appointment=appointment))
    Records(sessions).add(patient, chair, *infusions)
    return [i.id for i in infusions]


def telemetry_bytes(engine: Engine, url: str) -> tuple[int, int]:
    """(bytes of the telemetry table with its index, bytes of the whole database)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            whole = Path(make_url(url).database or "").stat().st_size
            table = conn.exec_driver_sql(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN "
                "('telemetry_chunks', 'ix_telemetry_chunks_infusion_t0')"
            ).scalar()
            return int(table or 0), whole
        table = conn.execute(
            sa.text("SELECT pg_total_relation_size('telemetry_chunks')")
        ).scalar_one()
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        whole = conn.execute(
            sa.text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :s AND c.relkind = 'r'"
            ),
            {"s": schema},
        ).scalar_one()
        return int(table), int(whole)


def vacuum_full(engine: Engine) -> None:
    """PostgreSQL: rewrite the telemetry table without dead rows (what autovacuum
    converges to when the writer runs in real time rather than fast-forwarded)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM FULL ANALYZE telemetry_chunks")


def machine() -> str:
    """nproc, memory and CPU model, for the figures' caption."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = subprocess.run(["free", "-h"], check=False, capture_output=True, text=True).stdout.split()
    total = mem[mem.index("Mem:") + 1] if "Mem:" in mem else "?"
    return f"{os.cpu_count()} CPUs ({cpu}), {total} RAM, Python {platform.python_version()}"
