"""Service fixtures: a migrated database (SQLite file by default, PostgreSQL on request)
seeded with a clinic day, a fake clock and the real drug library.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.domain.drug_library import DrugLibrary
from station.services import load_library
from tests.persistence.conftest import engine, pg_schema_url, sessions, sqlite_url
from tests.services.world import World, seed_world

# Storage fixtures reused: a migrated engine and its sessions on this module's ``db_url``,
# and a fresh PostgreSQL schema per test.
__all__ = ["engine", "pg_schema_url", "sessions"]


@pytest.fixture(scope="session")
def library() -> DrugLibrary:
    """The real drug library of resources/drug_library.toml."""
    return load_library()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite file unless a test parametrizes ``db_url`` indirectly with "postgresql"."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        return sqlite_url(tmp_path)
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def world(sessions: sessionmaker[Session], library: DrugLibrary) -> World:
    """A clinic day: nurse, patient with a verified booking at 09:00 UTC, chairs, pumps."""
    return seed_world(sessions, library)


BOTH_BACKENDS = pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
