"""The demo books today's chairs even when it starts just before or after midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from station.persistence import make_sessionmaker, open_database
from station.persistence.scheduling import Appointment
from ui.chairside.demo_schedule import seed_demo_day

CLINIC = timezone(timedelta(hours=1))
PUMPS = [("C1", "SIM-1"), ("C2", "SIM-2"), ("C3", "SIM-3"), ("C4", "SIM-4")]


@pytest.mark.parametrize("local_time", ["23:55", "00:05"])
def test_every_demo_booking_is_on_the_clinic_day_it_starts(tmp_path: Path,
                                                           local_time: str) -> None:
    hour, minute = map(int, local_time.split(":"))
    now = datetime(2026, 12, 7, hour, minute, tzinfo=CLINIC).astimezone(UTC)
    engine = open_database(f"sqlite:///{tmp_path / 'training.sqlite'}")
    try:
        sessions = make_sessionmaker(engine)
        seed_demo_day(sessions, PUMPS, now=now, tz=CLINIC, clock=lambda: now)
        with sessions() as session:
            starts = session.scalars(sa.select(Appointment.start_at)).all()
    finally:
        engine.dispose()
    assert len(starts) == len(PUMPS)
    days = {start.replace(tzinfo=start.tzinfo or UTC).astimezone(CLINIC).date()
            for start in starts}
    assert days == {now.astimezone(CLINIC).date()}
