"""Interop fixtures: the service world on a real SQLite file and the stored visit."""

from __future__ import annotations

import pytest

from station.records import VisitRecord, load_visit_record
from tests.records.conftest import db_url, engine, library, pg_schema_url, sessions, visit, world
from tests.records.visit import BuiltVisit
from tests.services.world import World

__all__ = ["db_url", "engine", "library", "pg_schema_url", "sessions", "visit", "world"]


@pytest.fixture
def record(world: World, visit: BuiltVisit) -> VisitRecord:
    """The stored visit read back as a record."""
    return load_visit_record(world.sessions, visit.infusion_id)
