"""The lost-link watch, pump status letters and the condition table."""

from __future__ import annotations

import pytest

from station.alarms import CONDITIONS, ChairAlarms, ManualClock, MemorySink, Priority
from station.alarms.conditions import with_overrides
from station.alarms.link_watch import LinkWatch
from station.alarms.pump_status import apply_pump_status, condition_for_status


def test_lost_link_is_raised_within_ten_seconds_and_ends_on_reply(
    chair: ChairAlarms, clock: ManualClock
) -> None:
    watch = LinkWatch(chair, clock)
    worst = 0.0
    for _ in range(100):  # ticks once a second, as the service does
        clock.advance(1.0)
        watch.tick()
        if chair.alarm("link_lost") is not None:
            worst = clock.monotonic()
            break
    assert 0 < worst <= 10.0
    watch.heard()
    assert chair.alarm("link_lost") is None


def test_link_timeout_over_the_requirement_is_refused(
    chair: ChairAlarms, clock: ManualClock
) -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        LinkWatch(chair, clock, timeout_s=12)


@pytest.mark.parametrize(("status", "condition"), [
    ("A?S", "pump_stall"), ("A?R", "pump_reset"), ("A?T", "safe_mode_timeout"),
    ("A?E", "pump_program_error"), ("I", None), ("S", None),
])
def test_pump_alarm_letters(status: str, condition: str | None) -> None:
    assert condition_for_status(status) == condition


def test_invented_alarm_letter_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown pump alarm"):
        condition_for_status("A?Z")


def test_pump_stall_latches_past_the_pump_prompt(chair: ChairAlarms, sink: MemorySink) -> None:
    apply_pump_status(chair, "A?S")
    apply_pump_status(chair, "A?S")
    apply_pump_status(chair, "S")
    alarm = chair.alarm("pump_stall")
    assert alarm is not None and alarm.state == "latched"
    assert len(sink.transitions) == 2


def test_every_condition_has_texts_and_high_ones_latch_or_end_by_themselves() -> None:
    for spec in CONDITIONS.values():
        assert spec.what_happened.endswith(".") and spec.what_to_do.endswith(".")
    latched_high = {n for n, s in CONDITIONS.items() if s.priority is Priority.HIGH and s.latched}
    assert {"pump_stall", "air_in_line", "safe_mode_timeout"} <= latched_high


def test_overrides_change_a_row_and_refuse_typos() -> None:
    table = with_overrides(CONDITIONS, {"infiltration": {"priority": Priority.ADVISORY}})
    assert table["infiltration"].priority is Priority.ADVISORY
    assert CONDITIONS["infiltration"].priority is Priority.MEDIUM
    with pytest.raises(ValueError, match="cannot override"):
        with_overrides(CONDITIONS, {"infiltration": {"priorty": Priority.LOW}})
    with pytest.raises(ValueError, match="unknown alarm condition"):
        with_overrides(CONDITIONS, {"infiltrashun": {}})
