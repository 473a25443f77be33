"""One chair's alarms: no duplicates, latching, pause, break-through, reset, sound."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from station.alarms import (
    AlarmError,
    Cause,
    CauseCode,
    ChairAlarms,
    ManualClock,
    MemorySink,
    Priority,
    TransitionKind,
    station_sound,
)

K = TransitionKind


def test_raising_twice_keeps_one_alarm(chair: ChairAlarms, sink: MemorySink) -> None:
    first = chair.raise_condition("occlusion")
    second = chair.raise_condition("occlusion")
    assert first is second
    assert [a.condition for a in chair.alarms()] == ["occlusion"]
    assert sink.kinds() == [K.RAISED]


def test_non_latched_alarm_closes_when_its_condition_ends(
    chair: ChairAlarms, sink: MemorySink
) -> None:
    chair.raise_condition("occlusion")
    chair.clear_condition("occlusion")
    assert chair.alarms() == []
    assert sink.kinds() == [K.RAISED, K.CONDITION_ENDED]
    assert chair.sound_now() is None


def test_latched_alarm_waits_for_a_reset_with_who_and_cause(
    chair: ChairAlarms, sink: MemorySink, clock: ManualClock
) -> None:
    chair.raise_condition("pump_stall")
    with pytest.raises(AlarmError, match="only fixing the cause"):
        chair.reset("pump_stall", "nurse-7")
    clock.advance(30)
    chair.clear_condition("pump_stall")
    alarm = chair.alarm("pump_stall")
    assert alarm is not None and alarm.state == "latched"
    assert chair.sound_now() is Priority.HIGH  # a latched signal goes on until reset
    chair.reset("pump_stall", "nurse-7", Cause(CauseCode.LINE_CLAMPED, "clamp left shut"))
    assert chair.alarm("pump_stall") is None
    reset = sink.transitions[-1]
    assert (reset.kind, reset.actor, reset.cause) == (
        K.RESET, "nurse-7", Cause(CauseCode.LINE_CLAMPED, "clamp left shut"))
    assert reset.at == clock.utc_now() and reset.at.tzinfo is UTC


def test_latched_alarm_whose_condition_returns_is_active_again(
    chair: ChairAlarms, sink: MemorySink
) -> None:
    chair.raise_condition("dislodgement")
    chair.clear_condition("dislodgement")
    chair.raise_condition("dislodgement")
    alarm = chair.alarm("dislodgement")
    assert alarm is not None and alarm.state == "active"
    assert sink.kinds() == [K.RAISED, K.CONDITION_ENDED, K.CONDITION_RETURNED]


def test_audio_pause_runs_out_and_sounds_again_if_the_condition_persists(
    chair: ChairAlarms, clock: ManualClock, sink: MemorySink
) -> None:
    chair.raise_condition("occlusion")
    chair.pause_audio("nurse-7")
    assert chair.sound_now() is None
    assert chair.pause_remaining_s() == 120.0
    paused = sink.transitions[-1]
    assert paused.kind is K.AUDIO_PAUSED
    assert paused.pause_until == clock.utc_now() + timedelta(seconds=120)
    clock.advance(119)
    chair.tick()
    assert chair.sound_now() is None and chair.pause_remaining_s() == 1.0
    clock.advance(1)
    chair.tick()
    assert chair.sound_now() is Priority.MEDIUM
    assert sink.kinds()[-1] is K.AUDIO_RESUMED


def test_higher_priority_breaks_through_a_pause_lower_waits(
    chair: ChairAlarms, clock: ManualClock
) -> None:
    chair.raise_condition("occlusion")  # medium
    chair.pause_audio("nurse-7")
    clock.advance(30)
    chair.raise_condition("volume_near_end")  # low: joins the pause
    assert chair.sound_now() is None
    low = chair.alarm("volume_near_end")
    assert low is not None and low.pause_remaining_s() == 90.0
    chair.raise_condition("pump_stall")  # high: breaks through
    assert chair.sound_now() is Priority.HIGH


def test_escalating_a_paused_alarm_makes_it_sound(chair: ChairAlarms, sink: MemorySink) -> None:
    chair.raise_condition("pause_overrun", priority=Priority.MEDIUM)
    chair.pause_audio("nurse-7")
    chair.raise_condition("pause_overrun", priority=Priority.HIGH)
    alarm = chair.alarm("pause_overrun")
    assert alarm is not None and alarm.priority is Priority.HIGH
    assert chair.sound_now() is Priority.HIGH
    assert sink.kinds()[-1] is K.ESCALATED


def test_acknowledged_medium_stays_quiet_until_it_ends(
    chair: ChairAlarms, clock: ManualClock
) -> None:
    chair.raise_condition("link_lost")
    chair.acknowledge("link_lost", "nurse-7")
    clock.advance(3600)
    chair.tick()
    assert chair.sound_now() is None
    alarm = chair.alarm("link_lost")
    assert alarm is not None and alarm.state == "acknowledged"


def test_acknowledged_high_alarm_sounds_again_while_it_persists(
    chair: ChairAlarms, clock: ManualClock, sink: MemorySink
) -> None:
    chair.raise_condition("air_in_line")
    chair.acknowledge("air_in_line", "nurse-7")
    assert chair.sound_now() is None
    clock.advance(300)
    chair.tick()
    assert chair.sound_now() is Priority.HIGH
    assert sink.kinds("air_in_line")[-2:] == [K.ACKNOWLEDGED, K.AUDIO_RESUMED]


def test_high_audio_pause_cannot_be_longer_than_the_maximum(chair: ChairAlarms) -> None:
    chair.raise_condition("pump_stall")
    with pytest.raises(AlarmError, match="audio pause"):
        chair.pause_audio("nurse-7", duration_s=10_000)
    assert chair.sound_now() is Priority.HIGH


def test_unanswered_alarm_escalates_one_step_per_period(
    chair: ChairAlarms, clock: ManualClock, sink: MemorySink
) -> None:
    chair.raise_condition("occlusion")  # medium, escalates after 60 s
    clock.advance(59)
    chair.tick()
    assert chair.sound_now() is Priority.MEDIUM
    clock.advance(1)
    chair.tick()
    assert chair.sound_now() is Priority.HIGH
    clock.advance(60)
    chair.tick()
    escalations = [t for t in sink.transitions if t.kind is K.ESCALATED]
    assert [e.priority for e in escalations] == [Priority.HIGH, Priority.HIGH]
    assert "charge nurse" in escalations[-1].detail
    clock.advance(600)
    chair.tick()
    assert sum(t.kind is K.ESCALATED for t in sink.transitions) == 2


def test_answered_alarm_does_not_escalate(chair: ChairAlarms, clock: ManualClock) -> None:
    chair.raise_condition("occlusion")
    chair.acknowledge("occlusion", "nurse-7")
    clock.advance(3600)
    chair.tick()
    alarm = chair.alarm("occlusion")
    assert alarm is not None and alarm.priority is Priority.MEDIUM


def test_advisory_is_shown_but_never_sounds(chair: ChairAlarms) -> None:
    chair.raise_condition("observation_over")
    assert [a.condition for a in chair.alarms()] == ["observation_over"]
    assert chair.sound_now() is None


def test_alarms_are_listed_most_urgent_first(chair: ChairAlarms, clock: ManualClock) -> None:
    chair.raise_condition("site_check_due")
    clock.advance(1)
    chair.raise_condition("pump_stall")
    clock.advance(1)
    chair.raise_condition("link_lost")
    assert [a.condition for a in chair.alarms()] == ["pump_stall", "link_lost", "site_check_due"]


def test_cause_can_be_recorded_after_the_fact(chair: ChairAlarms, sink: MemorySink) -> None:
    alarm = chair.raise_condition("occlusion")
    chair.clear_condition("occlusion")
    alarm.record_cause("nurse-7", Cause(CauseCode.PATIENT_MOVEMENT, "arm bent"))
    assert sink.transitions[-1].kind is K.CAUSE_RECORDED
    assert sink.transitions[-1].actor == "nurse-7"


def test_unknown_condition_is_refused(chair: ChairAlarms) -> None:
    with pytest.raises(ValueError, match="unknown alarm condition"):
        chair.raise_condition("coffee_cold")


def test_station_sound_is_the_loudest_over_all_chairs(
    clock: ManualClock, sink: MemorySink
) -> None:
    a, b = ChairAlarms("c1", sink, clock), ChairAlarms("c2", sink, clock)
    assert station_sound([a, b]) is None
    a.raise_condition("volume_near_end")
    b.raise_condition("occlusion")
    assert station_sound([a, b]) is Priority.MEDIUM
