"""Settings of the driver for one pump, with the defaults the issue asks for."""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.driver.reconnect import Backoff
from devices.driver.session import SessionTiming


@dataclass(frozen=True)
class DriverConfig:
    """How one pump is driven.

    `safe_mode_timeout_s` arms the pump's watchdog (None: stay in Basic mode); if the
    station stops talking for that long the pump stops and latches alarm `T`.
    `link_timeout_s` is how long without a valid reply before the link is reported lost;
    the clinical limit for reporting it is 10 s. `pressure_interval_s` (None: off)
    reads the line pressure alone (`XPR`, extension pumps only) this often between
    full polls, as `PressureReading` events: the line detectors need about 10 reads a
    second to see a step's edge, the stored telemetry does not.
    """

    address: int = 0
    poll_interval_s: float = 1.0
    pressure_interval_s: float | None = None
    link_timeout_s: float = 5.0
    safe_mode_timeout_s: int | None = 15
    timing: SessionTiming = field(default_factory=SessionTiming)
    handshake_attempts: int = 3
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0

    def __post_init__(self) -> None:
        if not 0 <= self.address <= 99:
            raise ValueError("address is 0-99")
        if self.poll_interval_s <= 0 or self.link_timeout_s <= 0:
            raise ValueError("intervals must be positive")
        if self.pressure_interval_s is not None and not (
                0 < self.pressure_interval_s < self.poll_interval_s):
            raise ValueError("the pressure interval must be positive and under the poll's")
        if self.safe_mode_timeout_s is not None and not 1 <= self.safe_mode_timeout_s <= 255:
            raise ValueError("the Safe-mode watchdog is 1-255 s")
        if self.link_timeout_s <= self.timing.reply_timeout_s:
            raise ValueError("the link timeout must be longer than the reply timeout")

    @property
    def heartbeat_interval_s(self) -> float:
        """Longest gap between two packets: the poll interval, and short enough that a
        live pump answers several times per link timeout and watchdog period."""
        limits = [self.poll_interval_s, self.link_timeout_s / 3]
        if self.safe_mode_timeout_s is not None:
            limits.append(self.safe_mode_timeout_s / 3)
        return min(limits)

    @property
    def stale_after_s(self) -> float:
        """Replies but no sample for this long: polls keep failing, the link is useless."""
        return self.link_timeout_s + self.poll_interval_s

    def backoff(self) -> Backoff:
        return Backoff(initial_s=self.backoff_initial_s, max_s=self.backoff_max_s)
