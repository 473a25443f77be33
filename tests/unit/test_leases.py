"""Chair leases on both backends: one station per chair, takeover after silence."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.unit.leases import ChairInUseError, LeaseBook, leases
from tests.unit.conftest import ManualUtc


def book(sessions: sessionmaker[Session], name: str, utc: ManualUtc) -> LeaseBook:
    station = LeaseBook(sessions, name, utc_now=utc, lease_timeout_s=30.0)
    station.register()
    return station


def test_a_second_station_is_refused_a_chair_in_use_with_the_holders_name(
        unit_sessions: sessionmaker[Session], utc: ManualUtc) -> None:
    first = book(unit_sessions, "ws-1", utc)
    second = book(unit_sessions, "ws-2", utc)
    first.acquire(["C1", "C2"])
    utc.advance(5)
    with pytest.raises(ChairInUseError, match=r"chair C2 is monitored by station 'ws-1'"):
        second.acquire(["C3", "C2"])
    # All or none: C3 was not taken either.
    assert {k: v.station for k, v in leases(unit_sessions).items()} == {
        "C1": "ws-1", "C2": "ws-1"}
    first.acquire(["C1"])  # the holder may take its own chair again


def test_a_silent_stations_chair_is_taken_over_after_the_timeout_and_it_learns_so(
        unit_sessions: sessionmaker[Session], utc: ManualUtc) -> None:
    first = book(unit_sessions, "ws-1", utc)
    second = book(unit_sessions, "ws-2", utc)
    first.acquire(["C1", "C2"])
    utc.advance(29)
    with pytest.raises(ChairInUseError):
        second.acquire(["C1"])
    assert first.heartbeat() == {"C1", "C2"}
    utc.advance(29)
    with pytest.raises(ChairInUseError):  # the heartbeat kept it alive
        second.acquire(["C1"])
    utc.advance(2)  # 31 s of silence
    second.acquire(["C1"])
    assert first.heartbeat() == {"C2"}
    assert leases(unit_sessions)["C1"].station == "ws-2"


def test_release_gives_the_chairs_back(unit_sessions: sessionmaker[Session],
                                       utc: ManualUtc) -> None:
    first = book(unit_sessions, "ws-1", utc)
    first.acquire(["C1", "C2"])
    first.release(["C1"])
    book(unit_sessions, "ws-2", utc).acquire(["C1"])
    first.release()
    assert {k: v.station for k, v in leases(unit_sessions).items()} == {"C1": "ws-2"}
