"""A chair with a manual clock and an in-memory sink."""

from __future__ import annotations

import itertools

import pytest

from station.alarms import ChairAlarms, ManualClock, MemorySink


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
def chair(clock: ManualClock, sink: MemorySink) -> ChairAlarms:
    counter = itertools.count(1)
    return ChairAlarms("chair-1", sink, clock, new_id=lambda: f"a{next(counter)}")
