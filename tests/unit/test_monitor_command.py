"""`infusion-station monitor` in a unit: a chair another live station holds is refused."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from station.monitoring import run_monitor
from station.persistence import make_sessionmaker
from station.unit.leases import LeaseBook, leases
from tests.monitoring.conftest import migrated
from tests.support.simulator_process import wait_until


def real_utc() -> datetime:
    return datetime.now(UTC)


def test_a_chair_held_by_a_live_station_is_refused_and_nothing_is_polled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'unit.sqlite'}"
    engine = migrated(url)
    sessions = make_sessionmaker(engine)
    other = LeaseBook(sessions, "ws-other", utc_now=real_utc)
    other.register()
    other.acquire(["C1"])
    monkeypatch.setenv("INFUSION_STATION_NAME", "ws-me")
    err = io.StringIO()
    assert run_monitor(["C2=/nonexistent/tty0", "C1=/nonexistent/tty1"], url, 0.0,
                       out=io.StringIO(), err=err) == 2
    assert "chair C1 is monitored by station 'ws-other'" in err.getvalue()
    assert "monitoring" not in err.getvalue()
    assert {k: v.station for k, v in leases(sessions).items()} == {"C1": "ws-other"}
    engine.dispose()


def test_an_orderly_stop_gives_the_chairs_back(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'unit.sqlite'}"
    engine = migrated(url)
    sessions = make_sessionmaker(engine)
    monkeypatch.setenv("INFUSION_STATION_NAME", "ws-me")
    stop = threading.Event()

    def run() -> None:
        run_monitor(["C1=/nonexistent/tty0"], url, None, out=io.StringIO(),
                    err=io.StringIO(), stop=stop)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        # The lease is taken before the pumps are polled (an I/O wait).
        seen = wait_until(lambda: {k: v.station for k, v in leases(sessions).items()}, 20.0)
    finally:
        stop.set()
        thread.join(30)
    assert seen == {"C1": "ws-me"}
    assert leases(sessions) == {}
    engine.dispose()
