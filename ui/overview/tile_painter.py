"""One chair's tile, painted: state in colour, symbol and words; a rate sparkline;
progress and expected end; patient, drug, nurse. No widgets, no plot items: a 48-chair
repaint is a few milliseconds."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF

from station.unit.tiles import ChairTile, TileState
from ui.alarms.palette import (
    BLUISH_GREEN,
    GREY,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    STYLES,
    VERMILLION,
)

STATE_COLOURS = {
    TileState.STALE: REDDISH_PURPLE,
    TileState.LINK_LOST: ORANGE,
    TileState.ALARM: VERMILLION,
    TileState.PAUSED: SKY_BLUE,
    TileState.INFUSING: BLUISH_GREEN,
    TileState.OBSERVATION: "#9FD8C8",
    TileState.COMPLETE: "#CFE8DF",
    TileState.EMPTY: GREY,
}
PADDING = 6.0


def band_colour(tile: ChairTile) -> str:
    """An alarm's priority colour wins over the state's."""
    if tile.state is TileState.ALARM and tile.top_priority is not None:
        return STYLES[tile.top_priority].background
    return STATE_COLOURS[tile.state]


def paint_tile(painter: QPainter, rect: QRectF, tile: ChairTile, fonts: tuple[QFont, QFont],
               now: datetime, *, selected: bool = False) -> None:
    big, small = fonts
    facts = tile.facts
    painter.setPen(QPen(QColor("#000000" if selected else "#777777"), 2 if selected else 1))
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawRect(rect)
    band = QRectF(rect.left(), rect.top(), rect.width(), 28)
    painter.fillRect(band.adjusted(1, 1, -1, 0), QColor(band_colour(tile)))
    painter.setPen(QColor("#000000"))
    painter.setFont(big)
    inner = band.adjusted(PADDING, 0, -PADDING, 0)
    painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                     f"{tile.state.symbol} {facts.label}")
    painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                     facts.patient_initials)
    painter.setFont(small)
    line_h = painter.fontMetrics().height()
    y = band.bottom() + 2
    text_rect = QRectF(rect.left() + PADDING, y, rect.width() - 2 * PADDING, line_h)
    for text in (tile.words, _drug_line(tile), _end_line(tile, now), _people_line(tile)):
        if text:
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft,
                             painter.fontMetrics().elidedText(
                                 text, Qt.TextElideMode.ElideRight, int(text_rect.width())))
        text_rect.translate(0, line_h)
    spark = QRectF(rect.left() + PADDING, text_rect.top() + 2, rect.width() - 2 * PADDING,
                   max(8.0, rect.bottom() - text_rect.top() - 14))
    _sparkline(painter, spark, facts.rate_history)
    _progress(painter, QRectF(rect.left() + PADDING, rect.bottom() - 9,
                              rect.width() - 2 * PADDING, 5), facts.progress)


def _drug_line(tile: ChairTile) -> str:
    return tile.facts.drug


def _end_line(tile: ChairTile, now: datetime) -> str:
    facts = tile.facts
    parts = []
    if facts.progress is not None:
        parts.append(f"{facts.progress:.0%}")
    end = facts.expected_end
    if end is not None:
        parts.append(f"ends {end.astimezone():%H:%M}")
    return "  ".join(parts)


def _people_line(tile: ChairTile) -> str:
    facts = tile.facts
    return "  ".join(p for p in (facts.nurse, f"pod {facts.pod}" if facts.pod else "",
                                 facts.station or "") if p)


def _sparkline(painter: QPainter, rect: QRectF, history: tuple[float, ...]) -> None:
    if len(history) < 2 or rect.height() < 4:
        return
    # A cosmetic one-pixel line without antialiasing: a tenth of the cost of a smooth
    # 1.5 px one, and a tile's history changes once a refresh, so its points are cached.
    painter.setPen(QPen(QColor("#0072B2"), 0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPolyline(_points(history, rect.left(), rect.bottom(), rect.width(),
                                 rect.height()))


@lru_cache(maxsize=256)
def _points(history: tuple[float, ...], left: float, bottom: float, width: float,
            height: float) -> QPolygonF:
    top = max(*history, 1.0)
    step = width / (len(history) - 1)
    return QPolygonF([QPointF(left + i * step, bottom - (value / top) * height)
                      for i, value in enumerate(history)])


def _progress(painter: QPainter, rect: QRectF, progress: float | None) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#E0E0E0"))
    painter.drawRect(rect)
    if progress is not None:
        painter.setBrush(QColor("#0072B2"))
        painter.drawRect(QRectF(rect.left(), rect.top(), rect.width() * progress,
                                rect.height()))
