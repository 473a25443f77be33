"""The unit feed on both backends: tiles from the database, refreshed per notification."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import Priority
from station.unit.feed import FeedSettings, UnitFeed
from station.unit.leases import LeaseBook
from station.unit.sources import change_source
from station.unit.tiles import STATION_SILENT, TileState
from tests.unit.conftest import ManualUtc
from tests.unit.world import Unit, raise_alarm, record_step, seed_unit, write_telemetry


@dataclass
class ManualMonotonic:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


class Watched:
    """A running feed and the chair sets of its refreshes."""

    def __init__(self, feed: UnitFeed) -> None:
        self.feed = feed
        self.refreshed: queue.Queue[frozenset[str]] = queue.Queue()
        feed.subscribe(self.refreshed.put)

    def next_refresh(self, containing: str | None = None,
                     timeout_s: float = 10.0) -> frozenset[str]:
        while True:
            labels = self.refreshed.get(timeout=timeout_s)
            if containing is None or containing in labels:
                return labels


@dataclass
class Started:
    unit: Unit
    watched: Watched
    mono: ManualMonotonic
    station: LeaseBook


@pytest.fixture
def started(unit_engine: Engine, unit_sessions: sessionmaker[Session], db_url: str,
            utc: ManualUtc) -> Iterator[Started]:
    unit = seed_unit(unit_sessions, utc.now)
    write_telemetry(unit_sessions, unit.infusion_id, utc.now, 120)
    station = LeaseBook(unit_sessions, "ws-1", utc_now=utc)
    station.register()
    station.acquire(["C1", "C2", "C3"])
    mono = ManualMonotonic()
    feed = UnitFeed(unit_sessions, change_source(unit_engine, db_url), utc_now=utc,
                    monotonic=mono, settings=FeedSettings(stale_after_s=15.0, history_s=600))
    watched = Watched(feed)
    feed.start()
    watched.next_refresh("C1")
    yield Started(unit, watched, mono, station)
    feed.stop()


def test_the_first_read_shows_every_chair(started: Started) -> None:
    c1, c2, c3 = started.watched.feed.tiles()
    assert (c1.label, c1.state, c1.words) == ("C1", TileState.INFUSING, "infusing 100 mL/h")
    facts = c1.facts
    assert (facts.patient_initials, facts.drug, facts.nurse, facts.pod, facts.station) == (
        "J.D.", "ocrelizumab", "Nurse A", "A", "ws-1")
    assert facts.rate_history[-1] == pytest.approx(100.0)
    assert facts.rate_history[0] == 0.0  # nothing ten minutes ago: the sparkline says so
    assert facts.progress == pytest.approx((50.0 + 119 * 100 / 3600) / 500)
    assert facts.expected_end is not None
    assert c2.state is TileState.EMPTY and c2.facts.next_appointment is not None
    assert c2.words.startswith("empty, next J.R. at ")
    assert (c3.state, c3.facts.pod, c3.facts.nurse) == (TileState.EMPTY, "B", "")


def test_an_alarm_refreshes_its_chair_only_and_lists_by_priority_then_age(
        started: Started, unit_sessions: sessionmaker[Session], utc: ManualUtc) -> None:
    ids = started.unit.chair_ids
    low = raise_alarm(unit_sessions, "volume_near_end", "low", utc.now, chair_id=ids["C3"])
    assert started.watched.next_refresh("C3") == frozenset({"C3"})
    raise_alarm(unit_sessions, "occlusion", "high", utc.now + timedelta(seconds=5),
                infusion_id=started.unit.infusion_id)  # no chair row: found by infusion
    assert started.watched.next_refresh("C1") == frozenset({"C1"})
    old_high = raise_alarm(unit_sessions, "air_in_line", "high", utc.now, chair_id=ids["C2"])
    started.watched.next_refresh("C2")
    listed = [(a.chair_label, a.condition) for a in started.watched.feed.alarm_list()]
    assert listed == [("C2", "air_in_line"), ("C1", "occlusion"), ("C3", "volume_near_end")]
    tile = {t.label: t for t in started.watched.feed.tiles()}["C1"]
    assert (tile.state, tile.words) == (TileState.ALARM, "alarm (high): occlusion")

    record_step(unit_sessions, old_high, "acknowledged", utc.now)
    started.watched.next_refresh("C2")
    assert started.watched.feed.alarm_list()[0].state == "acknowledged"
    record_step(unit_sessions, low, "condition_ended", utc.now, "low")
    started.watched.next_refresh("C3")
    assert "C3" not in {a.chair_label for a in started.watched.feed.alarm_list()}


def test_telemetry_refreshes_the_sparkline(started: Started, unit_sessions: sessionmaker[Session],
                                           utc: ManualUtc) -> None:
    write_telemetry(unit_sessions, started.unit.infusion_id, utc.now + timedelta(seconds=5),
                    5, rate_ml_h=80.0)
    assert started.watched.next_refresh("C1") == frozenset({"C1"})
    facts = started.watched.feed.facts("C1")
    assert facts.rate_ml_h == pytest.approx(80.0)


def test_a_silent_stations_chairs_are_stale_until_it_is_heard(
        started: Started, utc: ManualUtc) -> None:
    feed = started.watched.feed
    started.mono.now += 16.0
    utc.advance(16.0)
    tiles = feed.tiles()
    assert {t.state for t in tiles} == {TileState.STALE}
    assert tiles[0].words == "stale: station ws-1 not heard from for 16 s"
    silent = [a for a in feed.alarm_list() if a.condition == STATION_SILENT]
    assert len(silent) == 3 and silent[0].priority is Priority.MEDIUM and silent[0].technical
    started.station.heartbeat()
    started.watched.next_refresh()
    assert feed.tiles()[0].state is TileState.INFUSING


def test_a_running_infusion_without_a_station_is_stale(started: Started) -> None:
    started.station.release(["C1"])
    started.watched.next_refresh("C1")
    c1, c2, _ = started.watched.feed.tiles()
    assert c1.words == "stale: no station is monitoring this chair"
    assert c2.state is TileState.EMPTY  # nothing runs there: nothing to watch
