"""Fast pressure reads between full polls reach the line detectors, not the storage.

A chair on a manual clock is fed what the driver sends with the station's defaults: a
full `Sample` every second and a `PressureReading` (`XPR` alone) every 0.1 s in
between, with the pressure of the simulator's own line model. At 10 reads a second the
dislodgement detector sees the step's edge; at one a second it cannot.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from devices.driver import PressureReading, Sample
from devices.protocol import Prompt
from station.detection.sample import Sample as LineSample
from station.monitoring import MonitorSettings
from station.monitoring.config import STATION_PRESSURE_INTERVAL_S
from tests.detection.simulated import dislodge, lower_site, simulated_rows
from tests.monitoring.test_chair_monitor import PUMP, Chair
from tests.monitoring.world import seed_running_infusion

POLL_EVERY = 10  # rows of 0.1 s per full poll


def feed(chair: Chair, rows: list[LineSample], *, fast_reads: bool) -> float | None:
    """Rows as driver events on the chair's clock; when dislodgement was first open."""
    chair.connect()
    start = chair.clock.monotonic()
    for index, row in enumerate(rows):
        chair.clock.advance(start + row.time_s - chair.clock.monotonic())
        assert row.pressure_mmhg is not None
        if index % POLL_EVERY == 0:
            chair.monitor.handle(Sample(PUMP, chair.stamp(), Prompt.INFUSING, row.rate_ml_h,
                                        row.volume_ml, row.pressure_mmhg))
        elif fast_reads:
            chair.monitor.handle_pressure(PressureReading(PUMP, chair.stamp(), Prompt.INFUSING,
                                                          row.pressure_mmhg))
        if "dislodgement" in chair.open_conditions():
            return row.time_s
    return None


def test_the_station_reads_the_pressure_ten_times_a_second_by_default() -> None:
    assert MonitorSettings().driver.pressure_interval_s == STATION_PRESSURE_INTERVAL_S == 0.1


def test_arm_lowered_is_a_false_dislodgement_at_one_poll_a_second_and_not_with_fast_reads(
        sessions: sessionmaker[Session]) -> None:
    rows = simulated_rows(400, 0.1, 100.0, {200.03: lower_site(12.0)}, seed=3)
    assert feed(Chair(sessions), rows, fast_reads=False) is not None  # why the reads exist
    assert feed(Chair(sessions), rows, fast_reads=True) is None


def test_dislodgement_is_raised_within_10_s_from_the_fast_reads(
        sessions: sessionmaker[Session]) -> None:
    rows = simulated_rows(400, 0.1, 150.0, {200.43: dislodge}, seed=5)
    raised = feed(Chair(sessions), rows, fast_reads=True)
    assert raised is not None and 200.4 <= raised <= 208


def test_fast_reads_are_not_stored_and_publish_nothing_without_an_alarm_change(
        sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(sessions)
    chair = Chair(sessions)
    chair.connect()
    chair.monitor.rebind()
    chair.sample()
    stored = chair.recorder.telemetry_pending
    for _ in range(9):
        chair.clock.advance(0.1)
        update = chair.monitor.handle_pressure(
            PressureReading(PUMP, chair.stamp(), Prompt.INFUSING, 15.2))
        assert update is None
    assert chair.recorder.telemetry_pending == stored
    chair.clock.advance(0.1)
    chair.sample()
    assert chair.recorder.telemetry_pending == stored + 1
