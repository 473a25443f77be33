"""A training station's wall clock: the simulator's time, at the simulator's speed.

The trainer speeds a scenario up (1x to 60x) while it runs. The pumps' physics follow
the simulator's clock; so must the station's clinical timers (a break's overrun, a
titration step due), which compare the stored record's times with the wall clock. The
training station therefore takes its wall clock (the services' and the monitoring's
`utc_now`) from the simulator: it asks the simulator's control socket for its time and
speed (`SimulatorTime.sync`, every `refresh_s` on `SimulatorTimeFollower`'s thread) and
runs on from there at that speed. Monotonic time stays real: the link budget and the
pollers time the wire, which the speed-up does not change.

Stored times of a training database are therefore simulated times; a real station never
uses this clock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from devices.driver import DriverConfig
from station.monitoring.config import MonitorSettings

log = logging.getLogger(__name__)

DEFAULT_REFRESH_S = 0.25
ReadSimulator = Callable[[], tuple[float, float]]
"""The simulator's (time in simulated seconds, speed); may raise OSError. The station
core never imports the simulator: the composition root passes
`functools.partial(devices.simulator.control.read_clock, control_socket)`."""


def settings_at_speed(speed: float) -> MonitorSettings:
    """Monitoring a simulator at `speed`: polled faster (about one sample per pump
    second), its line detectors on the pump's seconds."""
    if speed <= 1:
        return MonitorSettings()
    poll = max(0.1, 1.0 / speed)
    return MonitorSettings(driver=DriverConfig(poll_interval_s=poll), detection_time_scale=speed)


class SimulatorTime:
    """`utc_now()` at the simulator's pace; `sync()` reads its time and speed again.

    Between syncs the time runs on at the last speed read; after a slow-down it holds
    until the simulator catches up, so it never runs backwards.
    """

    def __init__(self, read: ReadSimulator, *, start_utc: datetime | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        origin = start_utc or datetime.now(UTC)
        if origin.tzinfo is None:
            raise ValueError("start_utc must be timezone-aware")
        self._read = read
        self._monotonic = monotonic
        self._lock = threading.Lock()
        asked = monotonic()
        sim_s, speed = read()
        self._origin = origin - timedelta(seconds=sim_s)  # simulated second 0, as UTC
        self._base_sim_s, self._speed = sim_s, speed
        self._base_mono = (asked + monotonic()) / 2
        self._floor_s = sim_s

    @property
    def speed(self) -> float:
        with self._lock:
            return self._speed

    def sync(self) -> None:
        """Read the simulator's clock now (OSError when it does not answer)."""
        asked = self._monotonic()
        sim_s, speed = self._read()
        answered = self._monotonic()
        with self._lock:
            self._floor_s = self._seconds_locked()
            # The simulator read its clock about halfway through the exchange.
            self._base_sim_s, self._speed = sim_s, speed
            self._base_mono = (asked + answered) / 2

    def sim_seconds(self) -> float:
        """The simulator's time now, in its seconds."""
        with self._lock:
            now = self._seconds_locked()
            self._floor_s = now
            return now

    def _seconds_locked(self) -> float:
        running = self._base_sim_s + (self._monotonic() - self._base_mono) * self._speed
        return max(running, self._floor_s)

    def utc_now(self) -> datetime:
        """The training station's wall time (aware UTC)."""
        return self._origin + timedelta(seconds=self.sim_seconds())

    def utc_at(self, sim_s: float) -> datetime:
        """The wall time the station gives simulated second `sim_s`."""
        return self._origin + timedelta(seconds=sim_s)

    def sim_seconds_at(self, at: datetime) -> float:
        """The simulated second of a time this clock gave."""
        return (at - self._origin).total_seconds()


class SimulatorTimeFollower:
    """Keeps a `SimulatorTime` in step: `sync()` every `refresh_s` on its own thread.

    A simulator that does not answer is logged once; the clock runs on at the last speed.
    """

    def __init__(self, clock: SimulatorTime, refresh_s: float = DEFAULT_REFRESH_S) -> None:
        if refresh_s <= 0:
            raise ValueError("refresh_s must be positive")
        self.clock = clock
        self._refresh_s = refresh_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulator-time", daemon=True)

    def start(self) -> SimulatorTimeFollower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5.0)

    def __enter__(self) -> SimulatorTimeFollower:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(self._refresh_s):
            try:
                self.clock.sync()
            except (OSError, ValueError, KeyError) as exc:
                if not failing:
                    log.warning("the simulator's clock cannot be read (%s); the training "
                                "station's time runs on at %gx", exc, self.clock.speed)
                failing = True
            else:
                failing = False
