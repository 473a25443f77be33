"""Migration 0008 gives station-wide alarms the station that raised them, on both
backends: alarms stored before keep every value and no station; the downgrade takes
the column off and keeps the rows and their transitions."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from station.persistence import schema
from station.persistence.database import create_engine

RAISED_AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
# The tables as 0007 knows them (the models have the new column).
ALARMS = sa.table("alarms", sa.column("id"), sa.column("code"), sa.column("priority"),
                  sa.column("category"), sa.column("latching"), sa.column("raised_at"),
                  sa.column("cause"), sa.column("actor_kind"))
TRANSITIONS = sa.table("alarm_transitions", sa.column("id"), sa.column("alarm_id"),
                       sa.column("kind"), sa.column("priority"), sa.column("at"),
                       sa.column("cause"), sa.column("detail"), sa.column("actor_kind"))


def alarm(code: str) -> dict[str, object]:
    return {"code": code, "priority": "high", "category": "technical", "latching": False,
            "raised_at": RAISED_AT, "cause": "The database refuses writes.",
            "actor_kind": "station"}


def columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("alarms")}


def test_alarms_get_a_station_and_lose_it_again_with_their_rows_intact(db_url: str) -> None:
    engine = create_engine(db_url)
    schema.upgrade_engine(engine, "0007")
    with engine.begin() as conn:
        conn.execute(sa.insert(ALARMS), [alarm("storage_unavailable")])
        alarm_id = conn.scalar(sa.select(ALARMS.c.id))
        conn.execute(sa.insert(TRANSITIONS), [{
            "alarm_id": alarm_id, "kind": "raised", "priority": "high", "at": RAISED_AT,
            "cause": "", "detail": "", "actor_kind": "station"}])
    assert "station" not in columns(engine)

    schema.upgrade_engine(engine)
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT code, station FROM alarms")).all() == [
            ("storage_unavailable", None)]
        conn.execute(sa.text(
            "INSERT INTO alarms (code, priority, category, latching, raised_at, cause,"
            " actor_kind, station) VALUES ('sound_device_missing', 'high', 'technical',"
            " :no, :at, '', 'station', 'ws-1')"), {"no": False, "at": RAISED_AT})

    schema.downgrade_engine(engine, "0007")
    assert "station" not in columns(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.select(ALARMS.c.code).order_by(ALARMS.c.id)).scalars().all() \
            == ["storage_unavailable", "sound_device_missing"]
        assert conn.execute(sa.select(TRANSITIONS.c.alarm_id)).scalars().all() == [alarm_id]
    schema.upgrade_engine(engine)
    assert "station" in columns(engine)
    engine.dispose()
