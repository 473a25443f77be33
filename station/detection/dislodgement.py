"""Dislodgement: the pressure steps down, fast, with a fast edge, and stays down, flat.

A catheter out of the vein drips at atmospheric pressure: the venous back-pressure
(5-12 mmHg) and most of the catheter's share of R x Q disappear at once. The drop is
a step (the line's time constant is under a second); a movement artifact that lowers
the pressure (arm raised) rises and falls smoothly over seconds to a minute, so it is
either slow to start or not flat. The detector therefore needs:
- a drop of `drop_min_mmhg` + `drop_rq_fraction` x R x Q below the level,
- reached within `onset_max_s` (or 1.5 sample intervals) of the last near-level sample,
- on dense rows (`edge_max_interval_s`), an edge faster than the line's own R x C
  (step_edge.py): a posture step keeps R and relaxes at `edge_tau_max_s` or slower,
  a dislodged tip has a fifth of R;
- then `confirm_s` (and at least 3 samples) with the median of the last 2 s (at least
  3 samples) below the threshold and, after the step's own edge, every sample within
  `flat_spread_mmhg` of the others (`few_samples_spread_mmhg` under six samples); or
  only `confirm_per_onset` x the onset (at least `confirm_min_s`) when the samples
  stay within `fast_flat_spread_mmhg`;
- after a pause, `after_pause_extra_mmhg` more drop against the level before it;
- a level the baseline trusts (not one just learned over a long artifact).
It clears when the pressure is back near the level it left for `clear_s`.
On rows a second or more apart a posture change that lowers the site by more than
the threshold is a step like any other: pressure cannot tell it from a dislodgement
(see docs/detection.md).
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

from station.detection.baseline import LineBaseline
from station.detection.rolling import RollingMedian
from station.detection.sample import Sample
from station.detection.step_edge import EdgeFit, fit_edge

NAME = "dislodgement"
HISTORY_SAMPLES = 100  # 10 s at 10 rows a second: the edge and a few seconds after


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
    # Sooner than confirm_s when the drop came fast and stays very flat (_confirm_for).
    confirm_min_s: float = 5.0
    confirm_per_onset: float = 8.0
    fast_flat_spread_mmhg: float = 3.5
    # The step's edge (step_edge.py): judged when rows come this often or faster.
    edge_max_interval_s: float = 0.5
    edge_after_s: float = 2.0
    edge_tau_max_s: float = 0.3
    edge_tau_per_interval: float = 0.9  # the fit cannot resolve much under a row
    edge_rms_max_mmhg: float = 1.5
    # With the edge test on (dense rows) posture steps are told apart by their edge,
    # so a smaller drop (a low venous pressure at a low rate) may start a candidate.
    dense_drop_min_mmhg: float = 6.0
    # A fast edge (a dislodged tip's) whose candidate an artifact then broke: for this
    # long a later drop may start again without the onset test, with the full confirm_s.
    retry_after_fast_edge_s: float = 60.0


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
        self._confirm_s = self.settings.confirm_s
        self._edge_from_s: float | None = None  # last near-level sample before the drop
        self._edge: EdgeFit | None = None  # the fitted edge of the current candidate
        self._edge_judged = False
        self._explained = False  # the drop in progress was a posture step
        self._first_below_s: float | None = None  # since the last near-level sample
        self._interval_s = 1.0
        self._history: deque[tuple[float, float]] = deque(maxlen=HISTORY_SAMPLES)
        self._retry_until_s = float("-inf")  # after a fast edge (_judge_edge)

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
        self._history.append((t, p))
        self._interval_s = baseline.last_interval_s
        level = baseline.level if self._candidate_since is None else self._reference
        if level is None:
            return
        drop_min = (s.dense_drop_min_mmhg if self._interval_s <= s.edge_max_interval_s
                    else s.drop_min_mmhg)
        threshold = drop_min + s.drop_rq_fraction * baseline.resistance.value * (
            baseline.rate_ml_h)
        if baseline.resumed and self._last_near_s is None:
            # First look after a pause: the patient sat down again, the arm is not
            # where it was; ask for a larger drop before calling it a dislodgement.
            threshold += s.after_pause_extra_mmhg
        if p >= level - 0.5 * threshold:
            self._last_near_s = t
            self._explained = False
            self._first_below_s = None
        elif p < level - threshold and self._first_below_s is None:
            self._first_below_s = t
        if self._candidate_since is None:
            if p < level - threshold and baseline.trusted and not self._explained:
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
        elif not self._edge_judged and t - self._candidate_since >= s.edge_after_s:
            self._judge_edge(t)
        elif self._flat_samples >= 3 and self._confirmed(t - self._candidate_since):
            self.present = True
            self._back_since = None
            self._retry_until_s = float("-inf")
            self.detail = f"pressure {level - p:.0f} mmHg below its level of {level:.0f} mmHg"

    def _start_candidate(self, t: float, level: float, threshold: float,
                         baseline: LineBaseline) -> None:
        window = max(self.settings.onset_max_s, 1.5 * baseline.last_interval_s)
        # The first settled samples of a segment compare with the predicted level:
        # a step that happened while the pump was stopped counts as fast.
        last_near = self._last_near_s
        retry = t <= self._retry_until_s
        if last_near is None or t - last_near <= window or retry:
            self._candidate_since = t
            self._grace_s = max(1.0, 1.01 * baseline.last_interval_s)
            self._reference, self._threshold = level, threshold
            self._low, self._high = float("inf"), float("-inf")
            self._flat_samples = 0
            # A candidate restarted by noise keeps the onset of its first sample below.
            first = t if self._first_below_s is None else self._first_below_s
            onset = None if last_near is None or retry else first - last_near
            self._confirm_s = self._confirm_for(onset)
            # A retry after a fast edge was judged already: its level is not re-fitted.
            self._edge_from_s, self._edge, self._edge_judged = last_near, None, retry

    def _judge_edge(self, t: float) -> None:
        """Once per candidate: a posture step (R kept) is dropped; a fast edge arms the
        retry, so an artifact in progress at the onset does not hide a dislodgement."""
        self._edge_judged = True
        if self._line_time_constant_kept(t):
            # R unchanged: a posture change. Its new level is not a dislodgement
            # until the pressure has been back near the level.
            self._candidate_since = None
            self._explained = True
        elif self._edge_was_fast():
            self._retry_until_s = t + self.settings.retry_after_fast_edge_s

    def _confirmed(self, down_s: float) -> bool:
        """Down and flat long enough: `confirm_s`, or sooner when very flat and fast."""
        s = self.settings
        if down_s >= s.confirm_s:
            return True
        return down_s >= self._confirm_s and self._high - self._low <= s.fast_flat_spread_mmhg

    def _confirm_for(self, onset_s: float | None) -> float:
        """How long the drop must stay down and flat, from how fast it was reached.

        A movement artifact (half a sine of 2-60 s) that falls from half the threshold
        to below it within `onset_s` is short, and so is the time it then spends down
        and flat (within the flat spread): a few times `onset_s` at most. A drop seen
        only across a pause, or at slow sampling, gets the full `confirm_s`.
        """
        s = self.settings
        if onset_s is None:
            return s.confirm_s
        return min(s.confirm_s, max(s.confirm_min_s, s.confirm_per_onset * onset_s))

    def _line_time_constant_kept(self, t: float) -> bool:
        """True when the step's edge relaxes at the line's own time constant.

        Judged only on dense rows (`edge_max_interval_s`) and a good fit: otherwise
        the edge says nothing and the flatness test alone decides.
        """
        s = self.settings
        start = self._edge_from_s
        if start is None or self._interval_s > s.edge_max_interval_s or (
                self._candidate_since is None):
            return False
        window = [(u, q) for u, q in self._history if u >= start - 2.0]
        # A slow edge passes the near-level mark after it began: look a second earlier.
        self._edge = fit_edge(window, start - 1.0, self._candidate_since,
                              t0_step_s=0.5 * self._interval_s)
        edge = self._edge
        longest = max(s.edge_tau_max_s, s.edge_tau_per_interval * self._interval_s)
        return (edge is not None and edge.rms_mmhg <= s.edge_rms_max_mmhg
                and edge.tau_s > longest)

    def _edge_was_fast(self) -> bool:
        """The fitted edge is a dislodged tip's: good fit, shorter than the line's."""
        s, edge = self.settings, self._edge
        longest = max(s.edge_tau_max_s, s.edge_tau_per_interval * self._interval_s)
        return (edge is not None and edge.rms_mmhg <= s.edge_rms_max_mmhg
                and edge.tau_s <= longest)

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
