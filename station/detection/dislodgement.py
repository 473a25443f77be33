"""Dislodgement: the pressure steps down and stays down, flat.

A catheter out of the vein drips at atmospheric pressure: the venous back-pressure
(5-12 mmHg) and most of the catheter's share of R x Q disappear at once. The drop is
a step (the line's time constant is under a second); a movement artifact that lowers
the pressure (arm raised) rises and falls smoothly over seconds to a minute, so it is
either slow to start or not flat. The detector therefore needs:
- a drop of `drop_min_mmhg` + `drop_rq_fraction` x R x Q below the level,
- reached within `onset_max_s` (or 1.5 sample intervals) of the last near-level sample,
- then `confirm_s` (and at least 3 samples) with the median of the last 2 s (at least
  3 samples) below the threshold and, after the step's own edge, every sample within
  `flat_spread_mmhg` of the others (`few_samples_spread_mmhg` under six samples);
- after a pause, `after_pause_extra_mmhg` more drop against the level before it;
- a level the baseline trusts (not one just learned over a long artifact).
It clears when the pressure is back near the level it left for `clear_s`.
A posture change that lowers the site by more than the threshold is a step too:
pressure alone cannot tell it from a dislodgement (see docs/detection.md).
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

from station.detection.baseline import LineBaseline
from station.detection.rolling import RollingMedian
from station.detection.sample import Sample

NAME = "dislodgement"


@dataclass(frozen=True)
class DislodgementSettings:
    drop_min_mmhg: float = 6.0
    drop_rq_fraction: float = 0.25
    onset_max_s: float = 4.0
    confirm_s: float = 15.0
    flat_spread_mmhg: float = 6.0
    few_samples_spread_mmhg: float = 4.0  # under 6 flat samples
    after_pause_extra_mmhg: float = 4.0
    clear_s: float = 20.0


class DislodgementDetector:
    """Streaming dislodgement detector for one line."""

    name = NAME

    def __init__(self, settings: DislodgementSettings | None = None) -> None:
        self.settings = settings or DislodgementSettings()
        self.present = False
        self.detail = ""
        self._last_near_s: float | None = None
        self._candidate_since: float | None = None
        self._reference: float | None = None
        self._threshold = 0.0
        self._low = float("inf")
        self._high = float("-inf")
        self._back_since: float | None = None
        self._recent: deque[float] = deque(maxlen=3)
        self._short = RollingMedian(2.0)  # at fast sampling, 3 samples are too few
        self._grace_s = 2.0
        self._flat_samples = 0

    def update(self, sample: Sample, baseline: LineBaseline) -> bool:
        p = sample.pressure_mmhg
        if p is None or not sample.infusing or not baseline.settled:
            self._candidate_since = None
            if baseline.segment_changed:
                self._last_near_s = None
            return self.present
        if self.present:
            self._maybe_clear(sample.time_s, p)
        else:
            self._watch(sample.time_s, p, baseline)
        return self.present

    def _watch(self, t: float, p: float, baseline: LineBaseline) -> None:
        s = self.settings
        self._recent.append(p)
        self._short.push(t, p)
        level = baseline.level if self._candidate_since is None else self._reference
        if level is None:
            return
        threshold = s.drop_min_mmhg + s.drop_rq_fraction * baseline.resistance.value * (
            baseline.rate_ml_h)
        if baseline.resumed and self._last_near_s is None:
            # First look after a pause: the patient sat down again, the arm is not
            # where it was; ask for a larger drop before calling it a dislodgement.
            threshold += s.after_pause_extra_mmhg
        if p >= level - 0.5 * threshold:
            self._last_near_s = t
        if self._candidate_since is None:
            if p < level - threshold and baseline.trusted:
                self._start_candidate(t, level, threshold, baseline)
            return
        # Noise decides nothing on its own: the last few samples' median must go back.
        short = self._short.median() if len(self._short) >= 3 else None
        if (short if short is not None else statistics.median(self._recent)) > level - threshold:
            self._candidate_since = None
            return
        if t - self._candidate_since >= self._grace_s:  # past the step's own edge
            self._low, self._high = min(self._low, p), max(self._high, p)
            self._flat_samples += 1
        # Few samples (slow sampling) must be flatter: three points at the bottom of a
        # slow artifact are within a few mmHg of each other.
        allowed = s.flat_spread_mmhg if self._flat_samples >= 6 else s.few_samples_spread_mmhg
        if self._high - self._low > allowed:
            self._candidate_since = None  # not flat: an artifact, not a step
        elif t - self._candidate_since >= s.confirm_s and self._flat_samples >= 3:
            self.present = True
            self._back_since = None
            self.detail = f"pressure {level - p:.0f} mmHg below its level of {level:.0f} mmHg"

    def _start_candidate(self, t: float, level: float, threshold: float,
                         baseline: LineBaseline) -> None:
        window = max(self.settings.onset_max_s, 1.5 * baseline.last_interval_s)
        # The first settled samples of a segment compare with the predicted level:
        # a step that happened while the pump was stopped counts as fast.
        last_near = self._last_near_s
        if last_near is None or t - last_near <= window:
            self._candidate_since = t
            self._grace_s = max(1.0, 1.01 * baseline.last_interval_s)
            self._reference, self._threshold = level, threshold
            self._low, self._high = float("inf"), float("-inf")
            self._flat_samples = 0

    def _maybe_clear(self, t: float, p: float) -> None:
        if self._reference is None or p < self._reference - 0.5 * self._threshold:
            self._back_since = None
            return
        if self._back_since is None:
            self._back_since = t
        if t - self._back_since >= self.settings.clear_s:
            self.present = False
            self._candidate_since = None
            # The pressure is back at its level now: a drop from here on is a new onset.
            self._last_near_s = t
