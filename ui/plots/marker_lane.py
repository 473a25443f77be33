"""The event strip under a chair's plots: one lane per marker kind, detail on hover.

On a short screen (1366x768 with an alarm) the four lanes merge into one: the markers
keep their symbols, colours and hover text, so the kind is still told apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyqtgraph as pg

from ui.alarms.palette import PLOT
from ui.models.series_buffer import Marker, MarkerKind

# Lane order from the bottom up; symbols differ so a lane never relies on colour alone.
LANES: dict[MarkerKind, tuple[int, str, str]] = {
    MarkerKind.ALARM: (0, "d", PLOT.alarm),
    MarkerKind.VITALS: (1, "o", PLOT.vitals),
    MarkerKind.SIDE_EFFECT: (2, "star", PLOT.side_effect),
    MarkerKind.TITRATION: (3, "t1", PLOT.titration),
}
LANE_LABELS = {
    MarkerKind.ALARM: "Alarms",
    MarkerKind.VITALS: "Vitals",
    MarkerKind.SIDE_EFFECT: "Side effects",
    MarkerKind.TITRATION: "Titration",
}


def _tip(x: float, y: float, data: Any) -> str:
    # pyqtgraph calls this with the hovered spot; `data` is the marker's hover text.
    return str(data)


def hover_text(marker: Marker) -> str:
    """What a nurse reads when hovering a marker: time, kind, label and detail."""
    clock = datetime.fromtimestamp(marker.t).strftime("%H:%M:%S")  # local time, display only
    lines = [f"{clock}  {LANE_LABELS[marker.kind]}: {marker.label}"]
    if marker.detail:
        lines.append(marker.detail)
    return "\n".join(lines)


class MarkerLane:
    """Scatter items in a PlotItem, created once, refilled when the markers change."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.scatters: dict[MarkerKind, pg.ScatterPlotItem] = {}
        for kind, (_, symbol, colour) in LANES.items():
            scatter = pg.ScatterPlotItem(symbol=symbol, size=14, brush=pg.mkBrush(colour),
                                         pen=pg.mkPen(PLOT.foreground, width=1),
                                         hoverable=True, tip=_tip,
                                         hoverSize=18, name=LANE_LABELS[kind])
            plot.addItem(scatter)
            self.scatters[kind] = scatter
        plot.setMouseEnabled(x=True, y=False)
        self.merged = True  # flipped by set_merged below, which sets the axis
        self._shown = 0
        self._markers: Sequence[Marker] = ()
        self.set_merged(False)

    def set_merged(self, merged: bool) -> None:
        """One lane for every kind (True) or one lane per kind (False)."""
        if merged == self.merged:
            return
        self.merged = merged
        lanes = 1 if merged else len(LANES)
        self.plot.setYRange(-0.6, lanes - 0.4, padding=0)
        self.plot.getAxis("left").setTicks(
            [[(0, "Events")] if merged else
             [(lane, LANE_LABELS[kind]) for kind, (lane, _, _) in LANES.items()]])
        self._fill(self._markers)

    def update(self, markers: Sequence[Marker]) -> None:
        """Refill the lanes if markers were added since the last call."""
        if len(markers) == self._shown:
            return
        self._fill(markers)

    def _fill(self, markers: Sequence[Marker]) -> None:
        self._markers = markers
        self._shown = len(markers)
        for kind, scatter in self.scatters.items():
            mine = [m for m in markers if m.kind is kind]
            lane = 0 if self.merged else LANES[kind][0]
            scatter.setData(x=np.array([m.t for m in mine], dtype=float),
                            y=np.full(len(mine), float(lane)),
                            data=[hover_text(m) for m in mine])
