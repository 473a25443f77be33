"""Times are stored in UTC: naive datetimes are refused, aware ones come back in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.base import NaiveDatetimeError
from station.persistence.people import User
from station.persistence.records import Records

CEST = timezone(timedelta(hours=2))


def test_naive_datetime_is_refused_and_nothing_is_stored(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(NaiveDatetimeError, match="naive datetime"):
        Records(sessions).add(User(username="u", display_name="U", created_at=datetime(2026, 1, 1)))
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_aware_datetime_in_another_zone_comes_back_as_the_same_instant_in_utc(
    sessions: sessionmaker[Session],
) -> None:
    local = datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=CEST)
    user = User(username="u", display_name="U", created_at=local)
    Records(sessions).add(user)

    loaded = Records(sessions).get(User, user.id)

    assert loaded is not None
    assert loaded.created_at == local
    assert loaded.created_at.tzinfo is UTC
    assert loaded.created_at.hour == 7 and loaded.created_at.microsecond == 123456


def test_database_holds_utc_wall_time(sessions: sessionmaker[Session]) -> None:
    # Another program reading the database must see UTC, not the writer's local time.
    Records(sessions).add(
        User(username="u", display_name="U", created_at=datetime(2026, 7, 1, 9, 0, tzinfo=CEST))
    )
    with sessions() as session:
        dialect = session.get_bind().dialect.name
        expr = (
            sa.text("SELECT created_at FROM users")
            if dialect == "sqlite"
            else sa.text("SELECT to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') FROM users")
        )
        raw = str(session.execute(expr).scalar_one())
    assert "07:00" in raw
