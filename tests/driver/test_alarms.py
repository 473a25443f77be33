"""AlarmTracker: one event per occurrence, never a missed one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devices.driver.alarms import AlarmTracker
from devices.driver.types import AlarmSource, PumpAlarm
from devices.protocol import AlarmCode, parse_reply

AUTO, POLL, COMMAND = AlarmSource.AUTO, AlarmSource.POLL, AlarmSource.COMMAND


class FixedClock:
    def monotonic(self) -> float:
        return 12.5

    def utc_now(self) -> datetime:
        return datetime(2026, 11, 24, 23, 0, tzinfo=UTC)


def events_for(replies: list[tuple[str, AlarmSource]]) -> list[tuple[AlarmCode, bool]]:
    emitted: list[PumpAlarm] = []
    tracker = AlarmTracker("chair-1", FixedClock(), emitted.append)
    for text, source in replies:
        tracker.observe(parse_reply(text), source)
    return [(e.code, e.acknowledged_at_pump) for e in emitted]


S, R = AlarmCode.STALL, AlarmCode.RESET


@pytest.mark.parametrize(("replies", "expected"), [
    # auto-alarm, then the poll that acknowledges it: one occurrence
    ([("00A?S", AUTO), ("00A?S", POLL), ("00S", POLL)], [(S, False)]),
    # found by polling: the poll acknowledged it
    ([("00S", POLL), ("00A?S", POLL), ("00S", POLL)], [(S, True)]),
    # two stalls, an ordinary reply between them: two occurrences
    ([("00A?S", POLL), ("00S", POLL), ("00A?S", POLL)], [(S, True), (S, True)]),
    # two auto-alarms: the pump sends one per alarm
    ([("00A?R", AUTO), ("00A?R", AUTO), ("00A?R", POLL)], [(R, False), (R, False)]),
    # a refused command does not acknowledge; the next valid one does, same occurrence
    ([("00A?S?", COMMAND), ("00A?S", POLL)], [(S, False)]),
    # an unasked ordinary reply (a late one) ends nothing
    ([("00A?S", AUTO), ("00S", AUTO), ("00A?S", POLL)], [(S, False)]),
    # a different alarm is a different occurrence
    ([("00A?S", AUTO), ("00A?T", POLL)], [(S, False), (AlarmCode.SAFE_TIMEOUT, True)]),
])
def test_one_event_per_occurrence(replies: list[tuple[str, AlarmSource]],
                                  expected: list[tuple[AlarmCode, bool]]) -> None:
    assert events_for(replies) == expected


def test_event_carries_both_times_and_the_source() -> None:
    emitted: list[PumpAlarm] = []
    AlarmTracker("chair-1", FixedClock(), emitted.append).observe(parse_reply("00A?S"), AUTO)
    (alarm,) = emitted
    assert (alarm.pump_id, alarm.source, alarm.at.monotonic) == ("chair-1", AUTO, 12.5)
    assert alarm.at.utc.tzinfo is UTC
