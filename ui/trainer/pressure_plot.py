"""Each pump's sensed pressure against simulated time, from the console's polls."""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

# Okabe-Ito, one per pump (colour-blind safe); pumps beyond repeat.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
KEEP_POINTS = 4000  # about 17 min of polls at 4 a second; older points are dropped


class PressurePlot(QWidget):
    """`add(pump, time_s, mmhg)` on each poll; `refresh()` redraws what changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Pressure plot")
        self.widget = pg.PlotWidget(background="w")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget)
        item = self.widget.getPlotItem()
        item.setLabel("left", "Pressure", units="mmHg")
        item.setLabel("bottom", "Simulated time", units="s")
        item.showGrid(x=True, y=True, alpha=0.3)
        item.addLegend(offset=(10, 10))
        self._points: dict[int, deque[tuple[float, float]]] = {}
        self._curves: dict[int, pg.PlotDataItem] = {}
        self._dirty = False

    def set_pumps(self, pumps: list[int]) -> None:
        item = self.widget.getPlotItem()
        for curve in self._curves.values():
            item.removeItem(curve)
        self._points = {p: deque(maxlen=KEEP_POINTS) for p in pumps}
        self._curves = {
            p: item.plot([], [], name=f"pump {p}",
                         pen=pg.mkPen(COLOURS[(p - 1) % len(COLOURS)], width=2))
            for p in pumps}
        self._dirty = True

    def add(self, pump: int, time_s: float, mmhg: float) -> None:
        points = self._points.get(pump)
        if points is None:
            return
        if points and time_s <= points[-1][0]:
            return  # a repeated poll: nothing new
        points.append((time_s, mmhg))
        self._dirty = True

    def series(self, pump: int) -> tuple[np.ndarray, np.ndarray]:
        points = self._points.get(pump) or deque()
        data = np.array(points, dtype=float).reshape(-1, 2)
        return data[:, 0], data[:, 1]

    @property
    def needs_redraw(self) -> bool:
        return self._dirty

    def refresh(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        for pump, curve in self._curves.items():
            times, values = self.series(pump)
            curve.setData(times, values)
