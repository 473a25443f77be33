"""A writer process for the durability test: appends events, prints each stored id.

Usage: python -m tests.persistence.event_writer_process URL PUMP_ID
It prints "ready", then one id per line right after ``append`` returns, for ever.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from station.persistence.database import create_engine, make_sessionmaker
from station.persistence.event_store import EventStore
from station.persistence.events import InfusionEvent, InfusionEventKind
from station.persistence.people import ActorKind


def main(url: str, pump_id: int) -> None:
    store = EventStore(make_sessionmaker(create_engine(url)))
    print("ready", flush=True)
    while True:
        event_id = store.append(
            InfusionEvent(
                kind=InfusionEventKind.COMMUNICATION_STATUS_CHANGE,
                pump_id=pump_id,
                occurred_at=datetime.now(UTC),
                pump_online=True,
                actor_kind=ActorKind.PUMP,
            )
        )
        print(event_id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
