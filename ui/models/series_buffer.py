"""The history of one chair's infusion, in numpy arrays the plots draw without copying.

Qt-free on purpose (it could move to the station core): samples go into preallocated
arrays that double when full, so a six-hour infusion at 1 Hz costs a handful of
reallocations, not one per sample. A lost link becomes one row of NaN, which pyqtgraph
draws as a break in the line (`connect="finite"`): a gap is never interpolated. Pauses
and event markers are kept beside the samples. `revision` goes up on every change so a
view redraws only when something changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from devices.driver.types import Sample

FloatArray = npt.NDArray[np.float64]
_COLUMNS = ("t", "rate", "volume", "pressure")


class MarkerKind(StrEnum):
    """The lanes of the event strip under the plots."""

    TITRATION = "titration step"
    SIDE_EFFECT = "side effect"
    VITALS = "vital signs"
    ALARM = "alarm"


@dataclass(frozen=True)
class Marker:
    """One event on the time line: `label` is short (on the plot), `detail` the hover."""

    t: float  # UTC epoch seconds
    kind: MarkerKind
    label: str
    detail: str = ""


@dataclass(frozen=True)
class PauseSpan:
    """A pause of delivery; `end` None while it lasts."""

    start: float
    end: float | None
    reason: str


def epoch(moment: datetime) -> float:
    """UTC epoch seconds of an aware datetime (the time axis of every buffer)."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware UTC")
    return moment.timestamp()


class SeriesBuffer:
    """Rate, volume and pressure against time for one infusion, plus pauses and markers.

    `gap_after_s`: two samples further apart than this are separated by a gap even when
    nobody reported the link lost (polls are 1 s apart; three missed polls is a gap).
    """

    def __init__(self, capacity: int = 4096, *, gap_after_s: float = 3.0) -> None:
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self._data = np.full((len(_COLUMNS), capacity), np.nan)
        self._n = 0
        self.gap_after_s = gap_after_s
        self._gap_pending: float | None = None
        self.markers: list[Marker] = []
        self.pauses: list[PauseSpan] = []
        self.revision = 0
        self.dropped = 0  # samples older than the last one (a wall clock that went back)
        self.pressure_reported = False
        self.last_sample: Sample | None = None
        self.peaks = {"rate": 0.0, "volume": 0.0, "pressure": 0.0}  # running maxima

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        return int(self._data.shape[1])

    # Views into the live arrays (no copy); valid until the next append.
    @property
    def t(self) -> FloatArray:
        return self._data[0, : self._n]

    @property
    def rate(self) -> FloatArray:
        return self._data[1, : self._n]

    @property
    def volume(self) -> FloatArray:
        return self._data[2, : self._n]

    @property
    def pressure(self) -> FloatArray:
        return self._data[3, : self._n]

    @property
    def last_t(self) -> float | None:
        return float(self._data[0, self._n - 1]) if self._n else None

    def append(self, t: float, rate_ml_h: float, volume_ml: float,
               pressure_mmhg: float | None) -> bool:
        """Add one poll; False (and counted in `dropped`) if it is older than the last."""
        last = self.last_t
        if last is not None and t <= last:
            self.dropped += 1
            return False
        if last is not None:
            if self._gap_pending is not None:
                self._put_gap(min(max(self._gap_pending, last), t))
            elif t - last > self.gap_after_s:
                self._put_gap(last + min(1.0, (t - last) / 2))
        self._gap_pending = None
        pressure = math.nan if pressure_mmhg is None else pressure_mmhg
        self.pressure_reported = self.pressure_reported or pressure_mmhg is not None
        self._put(t, rate_ml_h, volume_ml, pressure)
        for name, value in (("rate", rate_ml_h), ("volume", volume_ml), ("pressure", pressure)):
            self.peaks[name] = max(self.peaks[name], value)
        return True

    def append_sample(self, sample: Sample) -> bool:
        """Add a driver `Sample` at the UTC time the driver saw it."""
        added = self.append(epoch(sample.at.utc), sample.rate_ml_h, sample.volume_ml,
                            sample.pressure_mmhg)
        if added:
            self.last_sample = sample
        return added

    def mark_gap(self, t: float) -> None:
        """The link was lost at `t`: the next sample starts a new stretch of line."""
        self._gap_pending = t

    def add_marker(self, marker: Marker) -> None:
        self.markers.append(marker)
        self.revision += 1

    def start_pause(self, t: float, reason: str) -> None:
        self.pauses.append(PauseSpan(t, None, reason))
        self.revision += 1

    def end_pause(self, t: float) -> None:
        """End the pause in progress; ValueError if none is."""
        if not self.pauses or self.pauses[-1].end is not None:
            raise ValueError("no pause in progress")
        last = self.pauses[-1]
        self.pauses[-1] = PauseSpan(last.start, max(t, last.start), last.reason)
        self.revision += 1

    def _put_gap(self, t: float) -> None:
        self._put(t, math.nan, math.nan, math.nan)

    def _put(self, t: float, rate: float, volume: float, pressure: float) -> None:
        if self._n == self.capacity:
            grown = np.full((len(_COLUMNS), self.capacity * 2), np.nan)
            grown[:, : self._n] = self._data
            self._data = grown
        self._data[:, self._n] = (t, rate, volume, pressure)
        self._n += 1
        self.revision += 1
