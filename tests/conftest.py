"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

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


@pytest.fixture(autouse=True)
def _no_dangling_threads() -> Iterator[None]:
    """Fail a test that leaves a thread of its own running (a driver, a writer...)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in leftover:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    still = [t.name for t in leftover if t.is_alive()]
    if still:
        pytest.fail(f"test left threads running: {still}")
