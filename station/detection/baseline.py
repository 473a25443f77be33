"""The pressure baseline of one line: segments, settling, artifact gating, re-learning.

A segment is a stretch at one flow (a titration step, a pause at zero flow). For
`settle_s` after a segment starts the line is still filling or draining (RC time
constant) and samples are not used. Then:
- while the baseline is learned (`learn_s`), every sample is taken, and the level is
  the one predicted from the previous segment and the resistance (so that a detector
  has a reference across a rate change); a spread wider than noise over the last few
  seconds (`learn_spread_mmhg`: an artifact) starts the learning again;
- afterwards a sample further than `gate_mmhg` from the level is an excursion and is
  kept out of the level: movement artifacts last seconds to a minute;
- an excursion that lasts longer than `relearn_after_s` (longer than any artifact) is
  a new level (posture, a fault the detectors have had time to see): re-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.detection.resistance import ResistanceEstimate
from station.detection.rolling import RollingMedian
from station.detection.sample import Sample


@dataclass(frozen=True)
class BaselineSettings:
    settle_s: float = 8.0
    learn_s: float = 20.0
    level_window_s: float = 30.0
    fast_window_s: float = 8.0
    gate_mmhg: float = 4.0
    learn_spread_mmhg: float = 6.0  # raw spread of noise and ripple is about 4
    relearn_after_s: float = 75.0
    rate_change_ml_h: float = 0.5  # smaller changes are the same segment


class LineBaseline:
    """Tracks the level of the line pressure per flow segment."""

    def __init__(self, settings: BaselineSettings | None = None,
                 resistance: ResistanceEstimate | None = None) -> None:
        self.settings = settings or BaselineSettings()
        self.resistance = resistance or ResistanceEstimate()
        self._slow = RollingMedian(self.settings.level_window_s)
        self._fast = RollingMedian(self.settings.fast_window_s)
        self.rate_ml_h = 0.0
        self.segment_start_s: float | None = None
        self.segment_changed = False  # true on the first sample of a new segment
        self.resumed = False  # this segment restarted the flow after a pause
        self._predicted: float | None = None
        self._last_level: float | None = None  # the level of the previous segment
        self._previous_rate = 0.0
        self._off_since: float | None = None
        self._learning_until = 0.0
        self.last_interval_s = 1.0
        self._now = 0.0
        self._distrust_until = 0.0
        self._check_prediction = False

    @property
    def settled(self) -> bool:
        return self._elapsed >= self.settings.settle_s

    @property
    def learning(self) -> bool:
        return self._now < self._learning_until

    @property
    def level(self) -> float | None:
        """The reference pressure for this segment, mmHg (None: nothing known yet)."""
        if self.learning or len(self._slow) == 0:
            return self._predicted if self._predicted is not None else self._slow.median()
        return self._slow.median()

    @property
    def trusted(self) -> bool:
        """False while a freshly learned level disagrees with the predicted one.

        A long artifact can fill the whole learning time; until the level has held for
        `relearn_after_s`, a detector that fires on a drop below it should not.
        """
        return self._now >= self._distrust_until

    @property
    def fast_level(self) -> float | None:
        """Median of the last few seconds, artifacts included."""
        return self._fast.median()

    def update(self, sample: Sample) -> None:
        s = self.settings
        if self.segment_start_s is not None:
            self.last_interval_s = max(sample.time_s - self._now, 1e-3)
        self._now = sample.time_s
        rate = sample.rate_ml_h if sample.infusing else 0.0
        self.segment_changed = (self.segment_start_s is None
                                or abs(rate - self.rate_ml_h) > s.rate_change_ml_h)
        if self.segment_changed:
            self._new_segment(rate)
        p = sample.pressure_mmhg
        if p is None or not self.settled:
            return
        self._fast.push(sample.time_s, p)
        if self.learning:
            if self._fast.spread() > s.learn_spread_mmhg:
                # An artifact while learning: start again rather than learn the artifact.
                self._slow.clear()
                self._learning_until = sample.time_s + s.learn_s
            self._slow.push(sample.time_s, p)
            return
        if self._check_prediction:
            self._check_prediction = False
            level, predicted = self._slow.median(), self._predicted
            if level is not None and predicted is not None and abs(
                    level - predicted) > s.gate_mmhg:
                self._distrust_until = sample.time_s + s.relearn_after_s
        self._gate(sample.time_s, p)

    def _gate(self, t: float, p: float) -> None:
        s = self.settings
        level = self._slow.median()
        if level is None or abs(p - level) <= s.gate_mmhg:
            self._slow.push(t, p)
        fast = self._fast.median()
        if level is None or fast is None or abs(fast - level) <= s.gate_mmhg:
            self._off_since = None
            return
        if self._off_since is None:
            self._off_since = t
        elif t - self._off_since >= s.relearn_after_s:
            self._slow.clear()
            self._predicted = fast
            self._learning_until = t + s.learn_s
            self._off_since = None

    def _measured_level(self) -> float | None:
        """The level from this segment's own samples, when there are enough of them."""
        if self.learning or self._slow.span_s() < self.settings.fast_window_s:
            return None
        return self._slow.median()

    def _new_segment(self, rate: float) -> None:
        measured = self._measured_level()
        if measured is not None and self.rate_ml_h > 0:
            self.resistance.observe_step(self._last_level, self._previous_rate,
                                         measured, self.rate_ml_h)
            self._last_level, self._previous_rate = measured, self.rate_ml_h
        self._predicted = self._predict(rate)
        self.resumed = rate > 0 and self.rate_ml_h <= 0 and self.segment_start_s is not None
        self.rate_ml_h = rate
        self.segment_start_s = self._now
        self._learning_until = self._now + self.settings.settle_s + self.settings.learn_s
        self._check_prediction = True
        self._slow.clear()
        self._fast.clear()
        self._off_since = None

    def _predict(self, rate: float) -> float | None:
        """The level expected at `rate`: the last infusing level moved by R x dQ.

        Pauses are skipped: while the patient walks to the bathroom the site height
        changes, so the level at zero flow says little about the level on return.
        """
        if rate <= 0:
            return None
        if self.rate_ml_h > 0 and self.level is not None:
            base, base_rate = self.level, self.rate_ml_h
        elif self._last_level is not None:
            base, base_rate = self._last_level, self._previous_rate
        else:
            return None
        return base + self.resistance.value * (rate - base_rate)

    @property
    def _elapsed(self) -> float:
        return 0.0 if self.segment_start_s is None else self._now - self.segment_start_s
