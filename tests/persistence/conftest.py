"""Storage fixtures: a migrated database on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.database import create_engine, make_sessionmaker
from station.persistence.schema import upgrade_engine
from tests.persistence.factories import Seed, seed_records

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def sqlite_url(directory: Path) -> str:
    """A URL for a fresh SQLite file in ``directory``."""
    return f"sqlite:///{directory / 'station.sqlite'}"


@pytest.fixture
def pg_schema_url(pg_url: str) -> Iterator[str]:
    """The PostgreSQL server with a fresh schema first on the search path; dropped after."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend (PostgreSQL tests are marked ``postgres``)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    eng = create_engine(db_url)
    upgrade_engine(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the migrated database."""
    return make_sessionmaker(engine)


@pytest.fixture
def seed(sessions: sessionmaker[Session]) -> Seed:
    """One patient with an appointment, order, pump and infusion to hang records on."""
    return seed_records(sessions)
