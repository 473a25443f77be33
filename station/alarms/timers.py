"""Clinical reminders that raise alarms in stages: pause overrun, titration, checks.

A `StagedTimer` runs from `start()`; at each stage's time it raises that stage's
condition at that stage's priority. When a stage names a different condition from the
one before (titration due -> overdue), the earlier one is cleared. `remaining_s` is the
countdown the screen shows before the next stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from station.alarms.clock import AlarmClock
from station.alarms.manager import ChairAlarms
from station.alarms.priority import Priority


@dataclass(frozen=True)
class Stage:
    after_s: float
    condition: str
    priority: Priority | None = None  # None: the table's priority


class StagedTimer:
    """One running reminder at one chair."""

    def __init__(self, chair: ChairAlarms, clock: AlarmClock, stages: Sequence[Stage]) -> None:
        times = [s.after_s for s in stages]
        if not stages or times != sorted(times) or times[0] < 0:
            raise ValueError("stages must be non-empty with non-negative, rising times")
        self._chair = chair
        self._clock = clock
        self.stages = tuple(stages)
        self._started: float | None = None
        self._reached = 0  # number of stages already raised

    @property
    def running(self) -> bool:
        return self._started is not None

    def start(self) -> None:
        """Start (or restart) from now; any alarm it raised before is cleared."""
        self.stop()
        self._started = self._clock.monotonic()

    def stop(self) -> None:
        """The reminder is answered (pause ended, step taken, check done)."""
        for name in {s.condition for s in self.stages[: self._reached]}:
            self._chair.clear_condition(name)
        self._started = None
        self._reached = 0

    def remaining_s(self) -> float | None:
        """Seconds to the next stage; None when stopped or past the last stage."""
        if self._started is None or self._reached >= len(self.stages):
            return None
        due = self._started + self.stages[self._reached].after_s
        return max(0.0, due - self._clock.monotonic())

    def tick(self) -> None:
        if self._started is None:
            return
        elapsed = self._clock.monotonic() - self._started
        while self._reached < len(self.stages) and elapsed >= self.stages[self._reached].after_s:
            stage = self.stages[self._reached]
            if self._reached and self.stages[self._reached - 1].condition != stage.condition:
                self._chair.clear_condition(self.stages[self._reached - 1].condition)
            self._chair.raise_condition(stage.condition, priority=stage.priority,
                                        detail=f"after {stage.after_s:.0f} s")
            self._reached += 1


def pause_overrun_stages(medium_after_s: float = 600.0,
                         high_after_s: float = 1200.0) -> list[Stage]:
    """Defaults of the issue: medium at 10 min, high at 20 min (per drug or unit)."""
    return [Stage(medium_after_s, "pause_overrun", Priority.MEDIUM),
            Stage(high_after_s, "pause_overrun", Priority.HIGH)]


def titration_stages(step_after_s: float, overdue_grace_s: float = 300.0) -> list[Stage]:
    """Step due at `step_after_s`, overdue `overdue_grace_s` later."""
    return [Stage(step_after_s, "titration_step_due"),
            Stage(step_after_s + overdue_grace_s, "titration_step_overdue")]
