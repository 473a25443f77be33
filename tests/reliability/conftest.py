"""Reliability fixtures: those of the monitoring tests (SQLite file, simulator, service),
and one chair monitor fed by hand on a manual clock."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.monitoring.conftest import (  # noqa: F401 - fixtures used here
    lockable_file,
    sessions,
    simulator,
    sqlite_file,
    watch,
)
from tests.monitoring.test_chair_monitor import Chair


@pytest.fixture
def chair(sessions: sessionmaker[Session]) -> Chair:  # noqa: F811 - the fixture above
    return Chair(sessions)
