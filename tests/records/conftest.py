"""Record fixtures: the service world (real SQLite file, fake clock) and one whole visit."""

from __future__ import annotations

import pytest

from tests.persistence.conftest import engine, pg_schema_url, sessions
from tests.records.visit import BuiltVisit, build_visit
from tests.services.conftest import db_url, library, world
from tests.services.world import World

__all__ = ["db_url", "engine", "library", "pg_schema_url", "sessions", "world"]


@pytest.fixture
def visit(world: World) -> BuiltVisit:
    """The visit of tests/records/visit.py, stored."""
    return build_visit(world)
