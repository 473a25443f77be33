"""Occlusion developing: pressure climbing far above the level, before the pump's limit.

With the line closed the pump fills only the line's compliance C, so the pressure
climbs at Q / C (at 0.002 mL/mmHg: 2.8 mmHg/s at 20 mL/h, 42 mmHg/s at 300 mL/h)
towards the pump's own limit (typically 300-1000 mmHg). Movement artifacts also push
the pressure up, by tens of mmHg for seconds to a minute. So the detector raises when
the pressure is `rise_mmhg` above the segment's level (above the largest artifact)
and still near the highest value of the excursion (an artifact past its peak falls
back); it clears when the pressure has been back within `clear_mmhg` of the level
for `clear_s`.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.detection.baseline import LineBaseline
from station.detection.sample import Sample

NAME = "occlusion"


@dataclass(frozen=True)
class OcclusionSettings:
    rise_mmhg: float = 60.0
    start_mmhg: float = 12.0
    max_drawdown_fraction: float = 0.25
    no_level_mmhg: float = 150.0  # absolute threshold before any level is known
    clear_mmhg: float = 20.0
    clear_s: float = 10.0


class OcclusionDetector:
    """Streaming occlusion detector for one line."""

    name = NAME

    def __init__(self, settings: OcclusionSettings | None = None) -> None:
        self.settings = settings or OcclusionSettings()
        self.present = False
        self.detail = ""
        self._peak: float | None = None
        self._reference: float | None = None
        self._below_since: float | None = None

    def pump_stalled(self) -> None:
        """The pump's own stall alarm: an occlusion, whatever the pressure said."""
        if not self.present:
            self.present = True
            self.detail = "pump stalled (A?S) before the station saw the rise"

    def update(self, sample: Sample, baseline: LineBaseline) -> bool:
        p = sample.pressure_mmhg
        if p is None:
            return self.present
        if self.present:
            self._maybe_clear(sample.time_s, p, baseline)
        elif sample.infusing and baseline.settled:
            self._watch(p, baseline)
        else:
            self._peak = None
        return self.present

    def _watch(self, p: float, baseline: LineBaseline) -> None:
        s = self.settings
        level = baseline.level
        if level is None:
            if p >= s.no_level_mmhg:
                self._raise(p, p - s.rise_mmhg, "pressure over the absolute limit")
            return
        excess = p - level
        if excess < s.start_mmhg:
            self._peak = None
            return
        self._peak = p if self._peak is None else max(self._peak, p)
        drawdown = self._peak - p
        if excess >= s.rise_mmhg and drawdown <= s.max_drawdown_fraction * excess:
            self._raise(p, level, f"{excess:.0f} mmHg above the level of {level:.0f} mmHg")

    def _raise(self, p: float, reference: float, detail: str) -> None:
        self.present = True
        self.detail = detail
        self._reference = reference
        self._below_since = None

    def _maybe_clear(self, t: float, p: float, baseline: LineBaseline) -> None:
        reference = self._reference if self._reference is not None else baseline.level
        if reference is None or p > reference + self.settings.clear_mmhg:
            self._below_since = None
            return
        if self._below_since is None:
            self._below_since = t
        if t - self._below_since >= self.settings.clear_s:
            self.present = False
            self._peak = None
