"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

import pytest

# Tests never need a real screen; a developer can still override this.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a real PostgreSQL server for the tests; under CI=true its absence fails."""
    url = os.environ.get("STATION_TEST_PG_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but STATION_TEST_PG_URL is not set: .ci/run starts the server")
        pytest.skip("no PostgreSQL server configured (set STATION_TEST_PG_URL)")
    return url
