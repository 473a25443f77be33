"""Live plots of one chair over the whole infusion: rate, volume, pressure, events.

A thin view over a `SeriesBuffer`: every item is created once in the constructor and
`refresh()`, called by the station's redraw timer (about 10 per second, independent of
the 1 Hz samples), hands the buffer's arrays to `setData` only when the buffer changed.
Curves use peak downsampling and clip-to-view, and `connect="finite"` so the NaN row
the buffer writes at a lost link is drawn as a gap.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.alarms.palette import PLOT
from ui.models.series_buffer import SeriesBuffer
from ui.plots.marker_lane import MarkerLane
from ui.plots.pause_shading import PauseShading

TOUCH_PX = 44
DEFAULT_SPAN_S = 30 * 60.0  # follow live starts by showing the last half hour
# Follow live scrolls by pages, not by samples: the view moves when the newest sample
# reaches the right edge, leaving this fraction of the span free ahead of it. Between
# page turns the axes stay put, so a redraw repaints the curves and nothing else.
PAGE_AHEAD = 0.10
# Vertical ranges also grow in steps, to this multiple of the highest value seen.
HEADROOM = 1.25
# Below this height the four marker lanes merge into one, so the three value panes keep
# room for their axis titles (1366x768 with an alarm banner showing).
COMPACT_BELOW_PX = 420
EVENT_LANES_PX = 120
EVENT_LANE_MERGED_PX = 52


def line_width(device_pixel_ratio: float) -> int:
    """Curve width in device pixels: pyqtgraph's pens are cosmetic, so a 1 px line would
    turn into a hairline on a high-DPI screen; keep it one logical pixel wide."""
    return max(1, round(device_pixel_ratio))


def _reference_line(plot: pg.PlotItem, value: float, text: str, colour: str,
                    width: int = 1) -> pg.InfiniteLine:
    """A dashed horizontal line with its meaning written on it (a limit, a target)."""
    line = pg.InfiniteLine(
        pos=value, angle=0, movable=False,
        pen=pg.mkPen(colour, width=width, style=Qt.PenStyle.DashLine), label=text,
        labelOpts={"position": 0.05, "color": colour, "anchors": [(0, 1), (0, 1)]})
    plot.addItem(line)
    return line


def _grown_top(current_top: float, peak: float, floor: float) -> float | None:
    """The new top of a value axis if `peak` no longer fits under `current_top`."""
    wanted = max(peak, floor)
    if wanted <= current_top <= max(wanted * HEADROOM * 2, floor):
        return None
    return wanted * HEADROOM


def _curve(plot: pg.PlotItem, colour: str, name: str, width: float = 1.0,
           **options: object) -> pg.PlotDataItem:
    curve = plot.plot(pen=pg.mkPen(colour, width=width), name=name, connect="finite",
                      **options)
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    # Peak mode keeps the min and max of each block, so one block per pixel column loses
    # nothing visible; the default (5 per pixel) draws five times the segments.
    # pyqtgraph 0.14 has no setter for this option.
    curve.opts["autoDownsampleFactor"] = 1.0
    # The dynamic range limit guards against values far outside the view (1e6 times its
    # height); ours are bounded pump readings, and the check scans every point of the
    # infusion on each new sample.
    curve.setDynamicRangeLimit(None)
    return curve


class ChairPlot(QWidget):
    """Rate (steps), volume, line pressure with the occlusion limit, pauses and markers.

    Signals:
        follow_live_changed(bool): follow-live mode switched (by the button or by a pan).
    """

    follow_live_changed = Signal(bool)

    def __init__(self, buffer: SeriesBuffer, *, occlusion_limit_mmhg: float | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buffer = buffer
        self.occlusion_limit_mmhg = occlusion_limit_mmhg
        self._seen_revision = -1
        self._follow = True
        self._whole = False  # following with the whole infusion in view
        self._span_s = DEFAULT_SPAN_S
        self.vtbi_ml: float | None = None
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(PLOT.background)
        self.graphics.setAccessibleName("Infusion plots: rate, volume, line pressure, events")
        self.rate_plot = self._add_plot(0, "Rate", "mL/h")
        self.volume_plot = self._add_plot(1, "Volume", "mL")
        self.pressure_plot = self._add_plot(2, "Pressure", "mmHg")
        self._titles = ((self.rate_plot, "Rate", "mL/h"), (self.volume_plot, "Volume", "mL"),
                        (self.pressure_plot, "Pressure", "mmHg"))
        self.event_plot = self._add_plot(3, "", "", date_axis=True)
        self.graphics.ci.layout.setRowStretchFactor(3, 0)
        self.event_plot.setFixedHeight(EVENT_LANES_PX)
        self.rate_curve = _curve(self.rate_plot, PLOT.rate, "rate", stepMode="right")
        self.volume_curve = _curve(self.volume_plot, PLOT.volume, "volume")
        self.pressure_curve = _curve(self.pressure_plot, PLOT.pressure, "pressure")
        self._curve_colours = ((self.rate_curve, PLOT.rate), (self.volume_curve, PLOT.volume),
                               (self.pressure_curve, PLOT.pressure))
        self.line_width = 1
        self.limit_line = (None if occlusion_limit_mmhg is None else _reference_line(
            self.pressure_plot, occlusion_limit_mmhg,
            f"occlusion limit {occlusion_limit_mmhg:.0f} mmHg", PLOT.limit, width=2))
        self.vtbi_line: pg.InfiniteLine | None = None
        self.no_pressure_text = pg.TextItem("Pressure: not reported by this pump",
                                            color=PLOT.foreground, anchor=(0.5, 0.5))
        self.no_pressure_text.setVisible(False)
        self.pressure_plot.addItem(self.no_pressure_text, ignoreBounds=True)
        self.pauses = PauseShading([self.rate_plot, self.volume_plot, self.pressure_plot])
        self.markers = MarkerLane(self.event_plot)
        self.follow_button = self._button("Follow live", "Keep the latest data in view",
                                          checkable=True)
        self.follow_button.setChecked(True)
        self.follow_button.toggled.connect(self.set_follow_live)
        self.whole_button = self._button("Whole infusion", "Show the infusion from its start")
        self.whole_button.clicked.connect(self.show_whole_infusion)
        self._lay_out()
        for plot in (self.rate_plot, self.volume_plot, self.pressure_plot, self.event_plot):
            plot.vb.sigRangeChangedManually.connect(self._on_manual_range)

    # -- public ---------------------------------------------------------------------

    @property
    def follow_live(self) -> bool:
        return self._follow

    def set_follow_live(self, follow: bool) -> None:
        self._whole = self._whole and follow
        if follow == self._follow:
            return
        self._follow = follow
        self.follow_button.setChecked(follow)
        if follow:
            self._pin_to_latest()
        self.follow_live_changed.emit(follow)

    def show_whole_infusion(self) -> None:
        """Zoom out to everything from the first sample, and keep it so as it grows."""
        self._fit_whole_span()
        self.set_follow_live(True)
        self._whole = True
        self._pin_to_latest()

    def set_volume_to_be_infused(self, vtbi_ml: float | None) -> None:
        """Draw the order's volume on the volume plot (None: remove it)."""
        self.vtbi_ml = vtbi_ml
        if self.vtbi_line is not None:
            self.volume_plot.removeItem(self.vtbi_line)
            self.vtbi_line = None
        if vtbi_ml is not None:
            self.vtbi_line = _reference_line(self.volume_plot, vtbi_ml,
                                             f"to be infused {vtbi_ml:g} mL", PLOT.foreground)
        self._fit_values()

    @property
    def needs_redraw(self) -> bool:
        """Whether the buffer changed since the last refresh."""
        return self.buffer.revision != self._seen_revision

    def refresh(self) -> None:
        """Redraw what changed since the last call; cheap when nothing did."""
        if not self.needs_redraw:
            return
        self._seen_revision = self.buffer.revision
        buf = self.buffer
        self.rate_curve.setData(buf.t, buf.rate)
        self.volume_curve.setData(buf.t, buf.volume)
        if buf.pressure_reported:
            self.pressure_curve.setData(buf.t, buf.pressure)
        self._fit_values()  # first: the pause labels sit at the top of the rate range
        self.pauses.update(buf.pauses, now=buf.last_t)
        self.markers.update(buf.markers)
        if self._follow:
            self._follow_latest()
        self._show_pressure_state(buf.pressure_reported)  # last: centred in the new view

    @property
    def compact(self) -> bool:
        """Whether the marker lanes are merged into one (a short plot)."""
        return self.markers.merged

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        # Only the event plot's share of our height changes: no resize loop.
        compact = event.size().height() < COMPACT_BELOW_PX
        if compact != self.markers.merged:
            self.markers.set_merged(compact)
            self.event_plot.setFixedHeight(EVENT_LANE_MERGED_PX if compact else EVENT_LANES_PX)
            # A short pane cannot hold "Pressure (mmHg)" on one vertical line: two lines
            # fit beside the ticks, so the titles no longer run into each other.
            for plot, title, unit in self._titles:
                plot.setLabel("left", f"{title}<br>" if compact else title, units=unit)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        width = line_width(self.devicePixelRatioF())
        if width != self.line_width:
            self.line_width = width
            for curve, colour in self._curve_colours:
                curve.setPen(pg.mkPen(colour, width=width))

    # -- building -------------------------------------------------------------------

    def _add_plot(self, row: int, title: str, unit: str, *,
                  date_axis: bool = False) -> pg.PlotItem:
        axis = {"bottom": pg.DateAxisItem()} if date_axis else {}
        plot = self.graphics.addPlot(row=row, col=0, axisItems=axis)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.disableAutoRange()  # ranges are set from the buffer's maxima, in steps
        plot.setMouseEnabled(x=True, y=False)  # zoom and pan move through time only
        for name in ("left", "bottom"):
            axis_item = plot.getAxis(name)
            axis_item.setPen(PLOT.foreground)
            axis_item.setTextPen(PLOT.foreground)
            axis_item.enableAutoSIPrefix(False)  # "mL/h", never "kmL/h"
        plot.getAxis("left").setWidth(80)
        if title:
            plot.setLabel("left", title, units=unit)
        if not date_axis:
            plot.hideAxis("bottom")  # one time axis, under the event lane
        if row > 0:
            plot.setXLink(self.rate_plot)
        return plot

    def _button(self, text: str, help_text: str, *, checkable: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setCheckable(checkable)
        button.setMinimumSize(TOUCH_PX * 3, TOUCH_PX)
        button.setAccessibleName(text)
        button.setToolTip(help_text)
        return button

    def _lay_out(self) -> None:
        # The view buttons in a widget of their own: a chair panel may move them into a
        # row it already has, giving their height to the plots.
        self.controls = QWidget()
        bar = QHBoxLayout(self.controls)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.follow_button)
        bar.addWidget(self.whole_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.controls)
        layout.addWidget(self.graphics, 1)
        self.setMinimumSize(480, 360)

    # -- behaviour ------------------------------------------------------------------

    def _pin_to_latest(self) -> None:
        end = self.buffer.last_t
        if end is None:
            return
        ahead = self._span_s * PAGE_AHEAD
        self.rate_plot.setXRange(end + ahead - self._span_s, end + ahead, padding=0)

    def _follow_latest(self) -> None:
        end = self.buffer.last_t
        if end is None:
            return
        (x0, x1), _ = self.rate_plot.viewRange()
        if not x0 <= end <= x1:
            if self._whole:
                self._fit_whole_span()
            self._pin_to_latest()

    def _fit_whole_span(self) -> None:
        t = self.buffer.t
        if len(t):
            duration = float(t[-1] - t[0])
            self._span_s = max(duration * 1.02 / (1.0 - PAGE_AHEAD), 60.0)

    def _fit_values(self) -> None:
        peaks = self.buffer.peaks
        limit = self.occlusion_limit_mmhg or 0.0
        for plot, peak, floor in ((self.rate_plot, peaks["rate"], 10.0),
                                  (self.volume_plot, peaks["volume"],
                                   max(self.vtbi_ml or 0.0, 10.0)),
                                  (self.pressure_plot, peaks["pressure"], max(limit, 50.0))):
            top = _grown_top(plot.viewRange()[1][1], peak, floor)
            if top is not None:
                plot.setYRange(0.0, top, padding=0)

    def _show_pressure_state(self, reported: bool) -> None:
        self.pressure_curve.setVisible(reported)
        self.no_pressure_text.setVisible(not reported and len(self.buffer) > 0)
        if not reported and len(self.buffer):
            (x0, x1), (y0, y1) = self.pressure_plot.viewRange()
            self.no_pressure_text.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    def _on_manual_range(self) -> None:
        # A nurse zoomed or panned: stop following, keep the width for when it resumes.
        (x0, x1), _ = self.rate_plot.viewRange()
        self._span_s = float(np.clip(x1 - x0, 60.0, 48 * 3600.0))
        self.set_follow_live(False)
