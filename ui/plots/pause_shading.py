"""Pauses of delivery as shaded regions across a chair's plots, with the reason on hover."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg

from ui.alarms.palette import PLOT
from ui.models.series_buffer import PauseSpan


class PauseShading:
    """One grey LinearRegionItem per pause in every plot; the open pause grows to `now`."""

    def __init__(self, plots: Sequence[pg.PlotItem]) -> None:
        self._plots = list(plots)
        self.regions: list[list[pg.LinearRegionItem]] = []  # per pause, one per plot
        self.labels: list[pg.TextItem] = []  # "Paused: reason" in the first plot

    def update(self, pauses: Sequence[PauseSpan], now: float | None) -> None:
        """Add regions for new pauses and move the ends of those that changed."""
        while len(self.regions) < len(pauses):
            self.regions.append(self._new_regions(pauses[len(self.regions)]))
        top = self._plots[0].viewRange()[1][1]
        for pause, regions, label in zip(pauses, self.regions, self.labels, strict=True):
            end = pause.end if pause.end is not None else max(now or pause.start, pause.start)
            for region in regions:
                if region.getRegion() != (pause.start, end):
                    region.setRegion((pause.start, end))
            if label.pos().y() != top:
                label.setPos(pause.start, top)

    def _new_regions(self, pause: PauseSpan) -> list[pg.LinearRegionItem]:
        made = []
        for plot in self._plots:
            region = pg.LinearRegionItem(values=(pause.start, pause.end or pause.start),
                                         movable=False, brush=pg.mkBrush(PLOT.pause),
                                         pen=pg.mkPen(None))
            region.setZValue(-10)
            region.setToolTip(f"Paused: {pause.reason}")
            plot.addItem(region, ignoreBounds=True)
            made.append(region)
        # Said in words too, so the shading never carries the meaning alone.
        label = pg.TextItem(f"Paused: {pause.reason}", color=PLOT.foreground, anchor=(0, 0))
        self._plots[0].addItem(label, ignoreBounds=True)
        self.labels.append(label)
        return made
