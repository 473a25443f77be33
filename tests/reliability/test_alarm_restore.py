"""Alarm states rebuilt from the stored log, on a manual clock and a real SQLite file:
a chair monitor stores them, a new one (the restarted station) takes them up."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import LinkState, LinkStateChanged
from station.alarms import Priority, TransitionKind
from station.monitoring import ChairMonitor, MonitorRecorder, MonitorSettings, PumpEndpoint
from tests.monitoring.test_chair_monitor import PUMP, Chair
from tests.monitoring.world import seed_running_infusion, stored_alarms, stored_kinds


def restarted(first: Chair, sessions: sessionmaker[Session]) -> ChairMonitor:
    """A second monitor of the same chair, as a restarted station builds it."""
    first.clock.advance(30.0)
    recorder = MonitorRecorder(sessions, utc_now=first.clock.utc_now,
                               monotonic=first.clock.monotonic)
    monitor = ChairMonitor(PumpEndpoint(PUMP, "/dev/pts/9"), recorder, first.clock,
                           MonitorSettings())
    monitor.begin()
    return monitor


def test_paused_audio_comes_back_with_its_remaining_time_and_closed_alarms_do_not(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    nurse = str(seed_running_infusion(sessions).user_id)
    chair.monitor.begin()
    chair.connect()
    chair.sample(air=True, battery=10)  # air in line (high, latched), low battery (medium)
    chair.monitor.pause_audio(nurse, 120.0)
    chair.sample(air=False, battery=10)
    chair.monitor.handle(LinkStateChanged(PUMP, chair.stamp(), LinkState.UP, LinkState.LOST,
                                          "silent"))
    chair.connect(LinkState.LOST)  # link_lost raised and closed: not to come back

    monitor = restarted(chair, sessions)  # 30 s later: 90 s of the pause are left
    views = {a.condition: a for a in monitor.snapshot().alarms}
    assert set(views) == {"air_in_line", "low_battery"}
    assert (views["air_in_line"].state, views["air_in_line"].latched) == ("latched", True)
    assert views["low_battery"].state == "audio_paused"
    assert monitor.alarms.pause_remaining_s() == 90.0
    chair.clock.advance(90.0)
    update = monitor.tick()
    assert update is not None
    # (and link_lost: no sample for 90 s)
    assert {(t.condition, t.kind, t.priority) for t in update.transitions} >= {
        ("low_battery", TransitionKind.AUDIO_RESUMED, Priority.MEDIUM),
        ("air_in_line", TransitionKind.AUDIO_RESUMED, Priority.HIGH)}
    # Stored on the alarm row raised before the restart; nothing raised twice.
    [battery] = stored_alarms(sessions, "low_battery")
    assert stored_kinds(sessions, battery.id)[-2:] == ["audio_paused", "audio_resumed"]
    assert len(stored_alarms(sessions, "air_in_line")) == 1


def test_a_reset_after_the_restart_goes_to_the_stored_alarm(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    nurse = str(seed_running_infusion(sessions).user_id)
    chair.monitor.begin()
    chair.connect()
    chair.sample(air=True)
    chair.sample(air=False)

    monitor = restarted(chair, sessions)
    monitor.reset("air_in_line", nurse)
    assert "air_in_line" not in {a.condition for a in monitor.snapshot().alarms}
    [air] = stored_alarms(sessions, "air_in_line")
    assert stored_kinds(sessions, air.id) == ["raised", "condition_ended", "reset"]
    assert restarted(chair, sessions).snapshot().alarms == ()

