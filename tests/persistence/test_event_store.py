"""The infusion event store: durable appends, queries by infusion and time, append-only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.append_only import AppendOnlyError
from station.persistence.errors import RecordRejectedError
from station.persistence.event_store import EventStore
from station.persistence.events import InfusionEvent, InfusionEventKind, NotDeliveringReason
from station.persistence.people import ActorKind
from tests.persistence.factories import T0, Seed

RECORDED = T0 + timedelta(hours=1)


def _event(seed: Seed, kind: InfusionEventKind, minutes: int, **extra: object) -> InfusionEvent:
    return InfusionEvent(
        kind=kind,
        infusion_id=seed.infusion_id,
        pump_id=seed.pump_id,
        occurred_at=T0 + timedelta(minutes=minutes),
        actor_kind=ActorKind.USER,
        actor_user_id=seed.user_id,
        **extra,
    )


@pytest.fixture
def store(sessions: sessionmaker[Session]) -> EventStore:
    return EventStore(sessions, clock=lambda: RECORDED)


def test_bathroom_break_is_stored_as_stop_and_start(store: EventStore, seed: Seed) -> None:
    stop = _event(
        seed,
        InfusionEventKind.DELIVERY_STOP,
        30,
        not_delivering_reason=NotDeliveringReason.STOPPED_BY_CLINICIAN,
        reason_detail="bathroom break",
        segment_volume_ml=20.0,
        total_volume_ml=20.0,
    )
    start = _event(seed, InfusionEventKind.DELIVERY_START, 36, rate_ml_h=80.0)
    first = _event(seed, InfusionEventKind.DELIVERY_START, 0, rate_ml_h=40.0)
    ids = [store.append(e) for e in (stop, start, first)]

    events = store.for_infusion(seed.infusion_id)

    assert len(set(ids)) == 3
    assert [e.kind for e in events] == [
        InfusionEventKind.DELIVERY_START,
        InfusionEventKind.DELIVERY_STOP,
        InfusionEventKind.DELIVERY_START,
    ]
    assert events[1].reason_detail == "bathroom break"
    assert events[1].not_delivering_reason is NotDeliveringReason.STOPPED_BY_CLINICIAN
    assert all(e.recorded_at == RECORDED for e in events)
    assert events[0].actor_user_id == seed.user_id


def test_query_by_time_window_and_by_pump(store: EventStore, seed: Seed) -> None:
    for minutes in (0, 10, 20, 30):
        store.append(_event(seed, InfusionEventKind.COMMUNICATION_STATUS_CHANGE, minutes))

    window = store.for_infusion(
        seed.infusion_id, since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=30)
    )

    assert [e.occurred_at for e in window] == [T0 + timedelta(minutes=m) for m in (10, 20)]
    assert len(store.for_pump(seed.pump_id)) == 4
    assert store.for_pump(seed.pump_id + 1000) == []


def test_stop_without_reason_is_rejected(store: EventStore, seed: Seed) -> None:
    with pytest.raises(RecordRejectedError):
        store.append(_event(seed, InfusionEventKind.DELIVERY_STOP, 5))
    assert store.for_infusion(seed.infusion_id) == []


def test_stored_events_cannot_be_changed_or_deleted(
    store: EventStore, sessions: sessionmaker[Session], seed: Seed
) -> None:
    event_id = store.append(_event(seed, InfusionEventKind.DELIVERY_START, 0, rate_ml_h=40.0))

    with sessions() as session, pytest.raises(AppendOnlyError, match="UPDATE"):
        stored = session.get_one(InfusionEvent, event_id)
        stored.rate_ml_h = 400.0
        session.commit()
    with sessions() as session, pytest.raises(AppendOnlyError, match="DELETE"):
        session.delete(session.get_one(InfusionEvent, event_id))
        session.commit()
    with sessions() as session, pytest.raises(AppendOnlyError, match="bulk UPDATE"):
        session.execute(sa.update(InfusionEvent).values(rate_ml_h=1.0))
    with sessions() as session, pytest.raises(AppendOnlyError, match="bulk DELETE"):
        session.execute(sa.delete(InfusionEvent))

    (kept,) = store.for_infusion(seed.infusion_id)
    assert kept.rate_ml_h == 40.0


def test_default_clock_stamps_aware_utc_now(sessions: sessionmaker[Session], seed: Seed) -> None:
    store = EventStore(sessions)
    store.append(_event(seed, InfusionEventKind.COUNTERS_CLEARED, 0))
    (event,) = store.for_infusion(seed.infusion_id)
    assert event.recorded_at.utcoffset() == timedelta(0)
    assert abs(event.recorded_at - datetime.now(event.recorded_at.tzinfo)) < timedelta(minutes=5)
