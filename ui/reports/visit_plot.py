"""The rate, volume and pressure plot of a visit, drawn with QPainter for the PDF.

Three panels share one time axis; pauses are shaded across all of them; a marker lane
above shows delivery events, titration steps, side effects, vital signs and alarms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

from station.records.visit_record import VisitRecord

RATE, VOLUME, PRESSURE = "#0072B2", "#009E73", "#E69F00"
ALARM, REACTION, EVENT, MUTED = "#D55E00", "#CC79A7", "#000000", "#777777"
MAX_POINTS = 1500
LANE = 34.0


def _font(painter: QPainter, size: float, bold: bool = False) -> None:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(size)
    font.setBold(bold)
    painter.setFont(font)


class _Axis:
    def __init__(self, t0: float, t1: float, left: float, width: float) -> None:
        self.t0, self.span = t0, max(t1 - t0, 1.0)
        self.left, self.width = left, width

    def x(self, t: float) -> float:
        return self.left + (t - self.t0) / self.span * self.width


def _seconds(at: datetime) -> float:
    return at.timestamp()


def draw_visit_plot(painter: QPainter, rect: QRectF, record: VisitRecord, tz: tzinfo) -> None:
    """Draw the plot into ``rect`` (points)."""
    series = record.telemetry
    times = series.times_us.astype(np.float64) / 1e6
    starts = [_seconds(s.started_at) for s in record.segments]
    ends = [_seconds(s.ended_at) for s in record.segments if s.ended_at]
    t0 = min([*times[:1].tolist(), *starts], default=0.0)
    t1 = max([*times[-1:].tolist(), *ends], default=t0 + 60)
    label_w = 44.0
    axis = _Axis(t0, t1, rect.left() + label_w, rect.width() - label_w - 6)
    step = max(1, math.ceil(len(times) / MAX_POINTS))
    plot_top = rect.top() + LANE
    panel_h = (rect.height() - LANE - 18) / 3
    every = times[::step]
    panels = [
        _Trace("Rate mL/h", every, np.asarray(series.rate_ml_h[::step], np.float64), RATE),
        _Trace("Volume mL", every, np.asarray(series.volume_ml[::step], np.float64), VOLUME),
        _Trace("Pressure mmHg", every, np.asarray(series.pressure_mmhg[::step], np.float64),
               PRESSURE)]
    for i, trace in enumerate(panels):
        box = QRectF(axis.left, plot_top + i * panel_h, axis.width, panel_h - 6)
        _shade_pauses(painter, box, axis, record)
        _panel(painter, box, trace, axis)
    _time_ticks(painter, axis, QRectF(axis.left, plot_top, axis.width, 3 * panel_h - 6), tz)
    _markers(painter, axis, QRectF(axis.left, rect.top(), axis.width, LANE - 2), record)


def _shade_pauses(painter: QPainter, box: QRectF, axis: _Axis, record: VisitRecord) -> None:
    for pause in record.pauses:
        end = pause.ended_at or record.infusion.ended_at
        if end is None:
            continue
        x0, x1 = axis.x(_seconds(pause.started_at)), axis.x(_seconds(end))
        painter.fillRect(QRectF(x0, box.top(), max(x1 - x0, 1), box.height()),
                         QColor(187, 187, 187, 110))


@dataclass(frozen=True)
class _Trace:
    label: str
    times: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]
    colour: str


def _panel(painter: QPainter, box: QRectF, trace: _Trace, axis: _Axis) -> None:
    label, times, values, colour = trace.label, trace.times, trace.values, trace.colour
    painter.setPen(QPen(QColor(MUTED), 0.5))
    painter.drawRect(box)
    finite = values[np.isfinite(values)]
    top = float(finite.max()) * 1.1 if finite.size and finite.max() > 0 else 1.0
    _font(painter, 6.5)
    painter.setPen(QColor(colour))
    painter.drawText(QRectF(box.left() - 44, box.top(), 42, 20),
                     Qt.AlignmentFlag.AlignRight | Qt.TextFlag.TextWordWrap, label)
    painter.setPen(QColor(MUTED))
    painter.drawText(QRectF(box.left() - 44, box.bottom() - 9, 42, 9),
                     Qt.AlignmentFlag.AlignRight, "0")
    painter.drawText(QRectF(box.left() - 44, box.top() + 18, 42, 9),
                     Qt.AlignmentFlag.AlignRight, f"{top:.0f}")
    path = QPainterPath()
    drawing = False
    for t, v in zip(times.tolist(), values.tolist(), strict=True):
        if not math.isfinite(v):
            drawing = False
            continue
        point = QPointF(axis.x(t), box.bottom() - v / top * box.height())
        if drawing:
            path.lineTo(point)
        else:
            path.moveTo(point)
            drawing = True
    painter.setPen(QPen(QColor(colour), 1.1))
    painter.drawPath(path)


def _time_ticks(painter: QPainter, axis: _Axis, area: QRectF, tz: tzinfo) -> None:
    minutes = axis.span / 60
    every = next((m for m in (5, 10, 15, 30, 60, 120) if minutes / m <= 10), 240)
    start = datetime.fromtimestamp(axis.t0, tz).replace(second=0, microsecond=0)
    tick = start + timedelta(minutes=(-start.minute) % every)
    _font(painter, 6.5)
    while tick.timestamp() <= axis.t0 + axis.span:
        x = axis.x(tick.timestamp())
        painter.setPen(QPen(QColor(220, 220, 220), 0.4, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.setPen(QColor(MUTED))
        painter.drawText(QRectF(x - 20, area.bottom() + 2, 40, 10), Qt.AlignmentFlag.AlignCenter,
                         tick.strftime("%H:%M"))
        tick += timedelta(minutes=every)


def _markers(painter: QPainter, axis: _Axis, lane: QRectF, record: VisitRecord) -> None:
    """Events on the bottom row of the lane, observations and alarms above them."""
    rows: list[tuple[datetime, str, str, int]] = []
    for e in record.events:
        symbol = {"delivery_start": "▶", "delivery_stop": "■",
                  "delivery_complete": "●"}.get(e.kind, "◆")
        rows.append((e.occurred_at, symbol, EVENT, 2))
    rows += [(t.at, f"S{t.step}" if t.step else "½", RATE, 2) for t in record.titration]
    rows += [(s.observed_at, f"SE{s.grade}", REACTION, 1) for s in record.side_effects]
    rows += [(v.observed_at, "V", VOLUME, 1) for v in record.vitals]
    rows += [(a.raised_at, "▲" + a.priority[:1].upper(), ALARM, 0) for a in record.alarms]
    _font(painter, 6.5, bold=True)
    row_h = lane.height() / 3
    last_x: dict[int, float] = {}
    for at, text, colour, row in sorted(rows, key=lambda r: (r[3], r[0])):
        x = axis.x(_seconds(at))
        nudge = 9.0 if row in last_x and x - last_x[row] < 9 else 0.0
        last_x[row] = x + nudge
        painter.setPen(QColor(colour))
        painter.drawText(QRectF(x + nudge - 10, lane.top() + row * row_h, 20, row_h),
                         Qt.AlignmentFlag.AlignCenter, text)
        painter.setPen(QPen(QColor(colour), 0.3, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(x, lane.top() + (row + 1) * row_h), QPointF(x, lane.bottom()))


LEGEND: Sequence[tuple[str, str]] = (
    ("▶ ■ ●", "delivery start, stop, complete"), ("S2 ½", "titration step, rate halved"),
    ("SE2", "side effect, CTCAE grade"), ("V", "vital signs"),
    ("▲H", "alarm and priority"), ("grey", "paused"))
