"""The pump's battery: on mains it stays charged; on battery it drains."""

from __future__ import annotations

from dataclasses import dataclass

DRAIN_RUNNING_PERCENT_PER_H = 20.0
DRAIN_IDLE_PERCENT_PER_H = 2.0


@dataclass
class Battery:
    """Charge in percent; drains only while `on_mains` is False."""

    percent: float = 100.0
    on_mains: bool = True
    drain_running_percent_per_h: float = DRAIN_RUNNING_PERCENT_PER_H
    drain_idle_percent_per_h: float = DRAIN_IDLE_PERCENT_PER_H

    def advance(self, dt_s: float, running: bool) -> None:
        if self.on_mains:
            return
        rate = self.drain_running_percent_per_h if running else self.drain_idle_percent_per_h
        self.percent = max(0.0, self.percent - rate * dt_s / 3600.0)

    @property
    def empty(self) -> bool:
        return self.percent <= 0.0

    def run_on_battery(self, level_percent: float, drain_percent_per_h: float) -> None:
        """The mains is lost (the low-battery fault)."""
        self.on_mains = False
        self.percent = level_percent
        self.drain_running_percent_per_h = drain_percent_per_h

    def plug_in(self) -> None:
        """Mains restored: charging is instantaneous in this model."""
        self.on_mains = True
        self.percent = 100.0
        self.drain_running_percent_per_h = DRAIN_RUNNING_PERCENT_PER_H
