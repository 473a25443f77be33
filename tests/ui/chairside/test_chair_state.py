"""The chair's state in words and colour: what a nurse must see first comes first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from devices.driver import LinkState
from station.alarms import Priority
from station.monitoring import AlarmView, ChairSnapshot, ClinicalSchedule
from station.persistence.delivery import InfusionStatus
from station.persistence.scheduling import AppointmentStatus
from ui.chairside.chair_state import STATE_COLOURS, ChairState, chair_state
from ui.chairside.roster import ChairPatient

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SNAPSHOT = ChairSnapshot("C1", "pty", LinkState.UP, None, 1, None, (), None, None)
PATIENT = ChairPatient(1, AppointmentStatus.INFUSING, NOW, 240, "M1", "DOE, Jo",
                       date(1970, 1, 1), (), "drug", "1 mg", 100.0, "drug", 1,
                       InfusionStatus.RUNNING, None)


def alarm(condition: str, priority: Priority) -> AlarmView:
    return AlarmView("a", condition, priority, "active", False, "x", "y")


def test_a_lost_link_outranks_everything() -> None:
    lost = replace(SNAPSHOT, link_state=LinkState.LOST,
                   alarms=(alarm("pump_stall", Priority.HIGH),))
    assert chair_state(lost, PATIENT, NOW).state is ChairState.LINK_LOST


def test_an_urgent_alarm_is_named_but_a_low_one_is_not() -> None:
    stalled = replace(SNAPSHOT, alarms=(alarm("pump_stall", Priority.HIGH),))
    assert chair_state(stalled, PATIENT, NOW).text == "Alarm: Pump stall"
    low = replace(SNAPSHOT, alarms=(alarm("low_battery", Priority.LOW),))
    assert chair_state(low, PATIENT, NOW).state is ChairState.INFUSING


def test_a_pause_shows_its_elapsed_time() -> None:
    paused = replace(PATIENT, paused_since=NOW - timedelta(minutes=12, seconds=4))
    assert chair_state(SNAPSHOT, paused, NOW).text == "Paused 12:04"


def test_a_pause_counts_down_to_its_overrun_alarm() -> None:
    paused = replace(PATIENT, paused_since=NOW - timedelta(minutes=2))
    timed = replace(SNAPSHOT, schedule=ClinicalSchedule(
        paused_at=paused.paused_since, pause_medium_at=NOW + timedelta(minutes=8)))
    assert chair_state(timed, paused, NOW).text == "Paused 2:00, alarm in 8:00"
    later = NOW + timedelta(minutes=8, seconds=1)  # the alarm itself takes over then
    assert chair_state(timed, paused, later).text == "Paused 10:01"


def test_the_observation_counts_down_from_completion_to_its_end() -> None:
    observing = replace(PATIENT, appointment_status=AppointmentStatus.OBSERVATION,
                        infusion_status=InfusionStatus.COMPLETED)
    ends = NOW + timedelta(minutes=42, seconds=17)
    timed = replace(SNAPSHOT, schedule=ClinicalSchedule(
        completed_at=NOW - timedelta(minutes=17, seconds=43), observation_ends_at=ends))
    state = chair_state(timed, observing, NOW)
    assert (state.state, state.text) == (ChairState.OBSERVATION,
                                         "Observation 42:17 left (until 10:42)")
    assert chair_state(timed, observing, ends).text == "Observation over: check, then discharge"
    assert chair_state(SNAPSHOT, observing, NOW).text == "Observation after the infusion"


def test_appointment_phases() -> None:
    assert chair_state(SNAPSHOT, None, NOW).state is ChairState.NO_PATIENT
    booked = replace(PATIENT, appointment_status=AppointmentStatus.BOOKED, infusion_id=None,
                     infusion_status=None)
    assert chair_state(SNAPSHOT, booked, NOW).state is ChairState.WAITING
    observing = replace(PATIENT, appointment_status=AppointmentStatus.OBSERVATION,
                        infusion_status=InfusionStatus.COMPLETED)
    assert chair_state(SNAPSHOT, observing, NOW).state is ChairState.OBSERVATION
    done = replace(observing, appointment_status=AppointmentStatus.COMPLETED)
    assert chair_state(SNAPSHOT, done, NOW).state is ChairState.COMPLETE


def test_every_state_has_its_own_colour() -> None:
    colours = [STATE_COLOURS[s][0] for s in ChairState if s is not ChairState.NO_PATIENT]
    assert len(set(colours)) == len(colours)
