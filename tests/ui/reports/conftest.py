"""Report fixtures: the stored visit of tests/records/visit.py on a real SQLite file."""

from __future__ import annotations

from tests.interop.conftest import (
    db_url,
    engine,
    library,
    pg_schema_url,
    record,
    sessions,
    visit,
    world,
)

__all__ = ["db_url", "engine", "library", "pg_schema_url", "record", "sessions", "visit",
           "world"]
