"""Reliability fixtures: those of the monitoring tests (SQLite file, simulator, service)."""

from tests.monitoring.conftest import (  # noqa: F401 - fixtures used here
    sessions,
    simulator,
    sqlite_file,
    watch,
)
