"""Line resistance: pressure rise per unit of flow, learned at every flow step.

R = (P_after - P_before) / (Q_after - Q_before), from the settled levels on both
sides of a titration step. Steps smaller than `min_step_ml_h` say too little; an
estimate far outside the plausible range is dropped, the others are clamped to it.
The estimate is the median of the last few, starting from a nominal value.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class ResistanceSettings:
    nominal_mmhg_per_ml_h: float = 0.06
    min_step_ml_h: float = 10.0
    keep: int = 5
    # A peripheral catheter and giving set: a few hundredths of a mmHg per mL/h. A step
    # estimate far outside is a posture change or an artifact across the step.
    low: float = 0.02
    high: float = 0.15


class ResistanceEstimate:
    """Median of the last few step estimates, mmHg per mL/h."""

    def __init__(self, settings: ResistanceSettings | None = None) -> None:
        self.settings = settings or ResistanceSettings()
        self._recent: deque[float] = deque(maxlen=self.settings.keep)

    @property
    def value(self) -> float:
        if not self._recent:
            return self.settings.nominal_mmhg_per_ml_h
        return statistics.median(self._recent)

    @property
    def learned(self) -> int:
        return len(self._recent)

    def observe_step(self, level_before: float | None, rate_before: float,
                     level_after: float, rate_after: float) -> None:
        """Two settled levels at two flows; ignored when the step is too small."""
        s = self.settings
        if level_before is None or abs(rate_after - rate_before) < s.min_step_ml_h:
            return
        estimate = (level_after - level_before) / (rate_after - rate_before)
        if 0.0 <= estimate <= 3 * s.high:
            self._recent.append(min(max(estimate, s.low), s.high))
