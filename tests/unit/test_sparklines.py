"""The kept telemetry behind the sparklines, on both backends: after the first read only
new chunks are read, and the tails always equal a read of everything from scratch."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import TelemetrySample, TelemetryWriter
from station.unit.sparklines import SPARK_POINTS, TailCache, TelemetryTail
from tests.unit.conftest import ManualUtc
from tests.unit.world import seed_unit, write_telemetry

HISTORY_S = 600.0


def from_scratch(sessions: sessionmaker[Session], infusion_id: int, now: datetime
                 ) -> dict[int, TelemetryTail]:
    with sessions() as session:
        return TailCache(HISTORY_S).tails(session, [infusion_id], now)


def test_each_refresh_equals_a_full_read_through_new_late_and_expired_samples(
        unit_sessions: sessionmaker[Session], utc: ManualUtc) -> None:
    unit = seed_unit(unit_sessions, utc.now)
    iid = unit.infusion_id
    cache = TailCache(HISTORY_S)

    def tails_now() -> dict[int, TelemetryTail]:
        with unit_sessions() as session:
            kept = cache.tails(session, [iid], utc.now)
        assert kept == from_scratch(unit_sessions, iid, utc.now)
        return kept

    assert tails_now() == {}  # nothing stored yet
    write_telemetry(unit_sessions, iid, utc.now, 120, rate_ml_h=80.0)
    first = tails_now()
    assert first[iid].rate_ml_h == pytest.approx(80.0)
    for step in range(3):  # a second at a time, as the station flushes
        utc.advance(1.0)
        write_telemetry(unit_sessions, iid, utc.now, 1, rate_ml_h=90.0 + step)
        assert tails_now()[iid].rate_ml_h == pytest.approx(90.0 + step)
    # A backlog written late, with its original times, lands in its place.
    writer = TelemetryWriter(unit_sessions)
    for k in range(5):
        writer.add(TelemetrySample(iid, utc.now - timedelta(seconds=200 - k), 33.0, 1.0))
    writer.close()
    late = tails_now()[iid]
    assert 33.0 in late.history and late.rate_ml_h == pytest.approx(92.0)
    # The window slides past every sample: the last one before it fills the line.
    utc.advance(HISTORY_S + 10)
    slid = tails_now()[iid]
    assert slid.history == (92.0,) * SPARK_POINTS


def test_after_the_first_read_only_the_new_chunks_are_read(
        unit_sessions: sessionmaker[Session], utc: ManualUtc) -> None:
    unit = seed_unit(unit_sessions, utc.now)
    iid = unit.infusion_id
    cache = TailCache(HISTORY_S)
    write_telemetry(unit_sessions, iid, utc.now, 30)
    with unit_sessions() as session:
        cache.tails(session, [iid], utc.now)
    utc.advance(1.0)
    write_telemetry(unit_sessions, iid, utc.now, 1)
    fetched: list[int] = []
    original = Session.execute

    def counting(self: Session, *args: object, **kwargs: object) -> object:
        result = original(self, *args, **kwargs)  # type: ignore[arg-type]
        rows = result.all()  # type: ignore[attr-defined]
        fetched.append(len(rows))
        return iter(rows)
    with unit_sessions() as session, pytest.MonkeyPatch.context() as patch:
        patch.setattr(Session, "execute", counting)
        cache.tails(session, [iid], utc.now)
    assert fetched == [1]
