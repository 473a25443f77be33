"""Infiltration: the line's back-pressure creeps up with the volume given.

Fluid collecting in tissue stiffens the tissue around the catheter tip: the pressure
needed to push the flow rises with every mL that goes in (and the resistance with
it), while in a vein it does not change with volume. So the detector follows the
pressure level against the volume infused, not against time, within one flow segment:
- the level is a median over `level_s` seconds (at least `min_level_samples` samples);
  a window whose raw spread is over `excursion_mmhg` holds an artifact or a step and
  restarts the series;
- it keeps a (volume, level) point every window / `points` mL, the window being
  `window_ml`, or more when that is less than `min_levels` level windows of flow;
- over a full window it fits a line. It raises when the slope is at least
  `slope_min_mmhg_per_ml`, `z_min` standard errors above zero, the rise at least
  `rise_min_mmhg`, and the line fits clearly better than a step (two flat levels):
  a posture change is a step, an infiltration a ramp in volume.
It clears when the pump stops (a new site needs the flow stopped).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from station.detection.baseline import LineBaseline
from station.detection.rolling import RollingMedian
from station.detection.sample import Sample

NAME = "infiltration"
Points = list[tuple[float, float]]


@dataclass(frozen=True)
class InfiltrationSettings:
    window_ml: float = 3.0
    points: int = 24
    max_points: int = 64
    min_points: int = 10
    min_span_ml: float = 1.0
    max_climb_ml: float = 8.0  # the climb is judged over at most this much flow
    min_span_s: float = 90.0  # longer than the rise of any movement artifact
    slope_min_mmhg_per_ml: float = 0.25
    rise_min_mmhg: float = 2.0
    # At 5 rows a second or more (the station's 10 reads a second) a level window
    # holds dozens of samples over several strokes: the ripple averages out instead of
    # aliasing into a slow wave, and a smaller rise is told from noise.
    dense_interval_s: float = 0.2
    dense_rise_min_mmhg: float = 1.5
    z_min: float = 4.0
    step_ratio: float = 0.7  # line SSE must be under this share of the best step's SSE
    level_s_min: float = 5.0
    level_s_max: float = 60.0
    min_level_samples: int = 12
    min_levels: int = 4
    excursion_mmhg: float = 5.5  # raw spread in the level window; noise is about 4
    # The fastest creep tissue gives: a steeper climb is an artifact's plateau; it is
    # also what a creep adds to the spread of the level window.
    creep_max_mmhg_per_ml: float = 3.0


def _fit(points: Points) -> tuple[float, float, float]:
    """Least-squares line: slope, residual sum of squares, sum of squares of volume."""
    n = len(points)
    mean_v = sum(v for v, _ in points) / n
    mean_p = sum(p for _, p in points) / n
    sxx = sum((v - mean_v) ** 2 for v, _ in points)
    sxy = sum((v - mean_v) * (p - mean_p) for v, p in points)
    slope = sxy / sxx if sxx > 0 else 0.0
    sse = sum((p - mean_p - slope * (v - mean_v)) ** 2 for v, p in points)
    return slope, sse, sxx


def _best_step(points: Points, gap: int) -> tuple[float, int, float]:
    """The best two-level step: residual (scaled to all points), cut index, height.

    `gap` points after the cut are the step's smeared edge and are left out.
    """
    levels = [p for _, p in points]
    best, best_cut, height = math.inf, 0, 0.0
    for cut in range(2, len(levels) - gap - 1):
        left, right = levels[:cut], levels[cut + gap:]
        ml, mr = sum(left) / len(left), sum(right) / len(right)
        sse = sum((x - ml) ** 2 for x in left) + sum((x - mr) ** 2 for x in right)
        scaled = sse * len(levels) / (len(left) + len(right))
        if scaled < best:
            best, best_cut, height = scaled, cut + gap, mr - ml
    return best, best_cut, height


class InfiltrationDetector:
    """Streaming infiltration detector for one line."""

    name = NAME

    def __init__(self, settings: InfiltrationSettings | None = None) -> None:
        self.settings = settings or InfiltrationSettings()
        self.present = False
        self.detail = ""
        self._points: deque[tuple[float, float]] = deque()
        self._level = RollingMedian(self.settings.level_s_min)
        self._window_ml = self.settings.window_ml
        self._next_point_ml = 0.0
        self._gap = 1
        self._level_ml = 1.0
        self._rate_ml_h = 0.0
        self._max_climb_ml = self.settings.max_climb_ml
        self._creep_allowance = 0.0
        self._min_span_s = self.settings.min_span_s
        self._rise_min_mmhg = self.settings.rise_min_mmhg

    def update(self, sample: Sample, baseline: LineBaseline) -> bool:
        p = sample.pressure_mmhg
        if baseline.segment_changed:
            self._restart(sample.rate_ml_h, baseline.last_interval_s)
            if not sample.infusing:
                # Re-siting the cannula needs the pump stopped: only then can the
                # condition be over. Judging the slope instead made it flap.
                self.present = False
        if p is None or not sample.infusing or not baseline.settled:
            return self.present
        self._level.push(sample.time_s, p)
        # From the rows as they come (a segment's first interval is not known yet).
        dense = baseline.last_interval_s <= self.settings.dense_interval_s
        self._rise_min_mmhg = (self.settings.dense_rise_min_mmhg if dense
                               else self.settings.rise_min_mmhg)
        if self._level.spread() > self.settings.excursion_mmhg + self._creep_allowance:
            # An artifact or a step in the level window: no point from it. The points
            # before it stay; a step that stays is caught by the step test.
            return self.present
        if sample.volume_ml < self._next_point_ml or self._level.span_s() < (
                0.8 * self._level.window_s):
            return self.present
        level = self._level.median()
        if level is None:
            return self.present
        self._next_point_ml = sample.volume_ml + self._window_ml / self.settings.points
        self._points.append((sample.volume_ml, level))
        while self._points[0][0] < sample.volume_ml - self._max_climb_ml:
            self._points.popleft()  # an old trough would dilute a new climb
        if len(self._points) > self.settings.max_points:
            # Bounded work: keep every other point of the older half.
            older = list(self._points)[: len(self._points) // 2][::2]
            newer = list(self._points)[len(self._points) // 2:]
            self._points = deque(older + newer)
        self._judge()
        return self.present

    def _judge(self) -> None:
        s = self.settings
        pts = list(self._points)
        if self.present:
            return
        # Judge the climb since the lowest level of the series: after the drop an
        # infiltration starts with, or after a posture step down.
        low = min(range(len(pts)), key=lambda i: pts[i][1])
        # The last `gap` levels may hold a step still being smeared by the median:
        # judge without them, so that a step is always seen with both of its sides.
        climb = pts[low: len(pts) - self._gap]
        span = climb[-1][0] - climb[0][0] if climb else 0.0
        if (len(climb) < s.min_points or span < s.min_span_ml
                or span < self._min_span_s * self._rate_ml_h / 3600.0):
            return
        slope, sse, sxx = _fit(climb)
        step_sse, cut, height = _best_step(climb, self._gap)
        if height > 0 and step_sse < s.step_ratio * sse:
            # A step up (posture) explains the climb better than a ramp: start after it.
            for _ in range(low + cut):
                self._points.popleft()
            return
        # Neighbouring levels share samples: count only independent level windows.
        n_eff = max(3.0, min(len(climb), span / self._level_ml))
        sigma = math.sqrt(sse / max(len(climb) - 2, 1))
        stderr = sigma / math.sqrt(sxx * n_eff / len(climb)) if sxx > 0 else math.inf
        if (s.slope_min_mmhg_per_ml <= slope <= s.creep_max_mmhg_per_ml
                and slope * span >= self._rise_min_mmhg
                and slope >= s.z_min * stderr and sse <= s.step_ratio * step_sse):
            self.present = True
            self.detail = f"pressure rising {slope:.2f} mmHg per mL infused"

    def _restart(self, rate_ml_h: float, interval_s: float) -> None:
        s = self.settings
        level_s = min(max(s.level_s_min, s.min_level_samples * interval_s), s.level_s_max)
        self._level = RollingMedian(level_s)
        # The window must hold several independent levels: at high rates or slow
        # sampling it is more than window_ml.
        self._window_ml = max(s.window_ml, s.min_levels * level_s * rate_ml_h / 3600.0)
        point_s = 3600.0 * self._window_ml / s.points / rate_ml_h if rate_ml_h > 0 else 1.0
        self._gap = max(1, math.ceil(level_s / point_s))
        self._level_ml = max(level_s * rate_ml_h / 3600.0, 1e-6)
        self._rate_ml_h = rate_ml_h
        self._max_climb_ml = max(s.max_climb_ml, 2 * self._window_ml)
        # A fast creep itself widens the spread of the level window: allow for it.
        self._creep_allowance = s.creep_max_mmhg_per_ml * level_s * rate_ml_h / 3600.0
        self._points.clear()
        self._next_point_ml = 0.0
