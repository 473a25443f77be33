"""One chair's tile, painted: state in colour, symbol and words; a rate sparkline;
progress and expected end; patient, drug, nurse. No widgets, no plot items.

The parts that change seldom (frame, band, chair, patient, drug, nurse) are drawn once
into a pixmap per tile and reused until they change; only the words, the end line, the
sparkline and the progress bar are drawn on every paint (they follow the rate)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap, QPolygonF

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
BAND_H = 28.0
LEFT = Qt.AlignmentFlag.AlignLeft
_SPARK_PEN = QPen(QColor("#0072B2"), 0)
_PROGRESS_BACK = QColor("#E0E0E0")
_PROGRESS_DONE = QColor("#0072B2")

StaticKey = tuple[object, ...]


def band_colour(tile: ChairTile) -> str:
    """An alarm's priority colour wins over the state's."""
    if tile.state is TileState.ALARM and tile.top_priority is not None:
        return STYLES[tile.top_priority].background
    return STATE_COLOURS[tile.state]


def frame_bounds(rect: QRectF) -> QRect:
    """The pixels a tile's paint can touch (a selected tile's 2 px frame reaches out 1)."""
    return rect.adjusted(-1, -1, 1, 1).toAlignedRect()


class TilePainter:
    """Paints tiles with fonts and metrics made once; keeps each tile's static layer."""

    def __init__(self, big: QFont, small: QFont) -> None:
        self.big, self.small = big, small
        self.metrics = QFontMetrics(small)
        self.line_h = self.metrics.height()
        self.static_renders = 0  # static layers drawn (not reused), for tests and probes
        self._layers: dict[str, tuple[StaticKey, QPixmap]] = {}
        self._elided: dict[tuple[str, int], str] = {}

    def forget_except(self, labels: set[str]) -> None:
        """Drop the layers of chairs no longer shown."""
        for label in self._layers.keys() - labels:
            del self._layers[label]

    def paint(self, painter: QPainter, rect: QRectF, tile: ChairTile, *,
              selected: bool = False) -> None:
        # At the device's pixel ratio, so a layer is as sharp as the screen.
        layer = self._static_layer(rect, tile, selected, painter.device().devicePixelRatioF())
        painter.drawPixmap(frame_bounds(rect).topLeft(), layer)
        painter.setPen(QColor("#000000"))
        painter.setFont(self.small)
        self._line(painter, self._line_rect(rect, 0), tile.words)
        self._line(painter, self._line_rect(rect, 2), _end_line(tile))
        below = self._line_rect(rect, 4).top()  # the four lines of text
        spark = QRectF(rect.left() + PADDING, below + 2, rect.width() - 2 * PADDING,
                       max(8.0, rect.bottom() - below - 14))
        _sparkline(painter, spark, tile.facts.rate_history)
        _progress(painter, QRectF(rect.left() + PADDING, rect.bottom() - 9,
                                  rect.width() - 2 * PADDING, 5), tile.facts.progress)

    def _static_layer(self, rect: QRectF, tile: ChairTile, selected: bool,
                      ratio: float) -> QPixmap:
        facts = tile.facts
        key: StaticKey = (rect.x(), rect.y(), rect.width(), rect.height(), ratio, selected,
                          tile.state, band_colour(tile), facts.label, facts.patient_initials,
                          facts.drug, _people_line(tile))
        cached = self._layers.get(facts.label)
        if cached is not None and cached[0] == key:
            return cached[1]
        bounds = frame_bounds(rect)
        layer = QPixmap(bounds.size() * ratio)
        layer.setDevicePixelRatio(ratio)
        # Transparent around the frame, where the grid's background shows. (An opaque
        # layer inside the frame, with the frame drawn directly, was slower.)
        layer.fill(Qt.GlobalColor.transparent)
        painter = QPainter(layer)
        # Same coordinates as on the widget, so the pixels are the same as drawn there.
        painter.translate(-QPoint(bounds.topLeft()))
        self._paint_static(painter, rect, tile, selected)
        painter.end()
        self._layers[facts.label] = (key, layer)
        self.static_renders += 1
        return layer

    def _paint_static(self, painter: QPainter, rect: QRectF, tile: ChairTile,
                      selected: bool) -> None:
        facts = tile.facts
        painter.setPen(QPen(QColor("#000000" if selected else "#777777"), 2 if selected else 1))
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRect(rect)
        band = QRectF(rect.left(), rect.top(), rect.width(), BAND_H)
        painter.fillRect(band.adjusted(1, 1, -1, 0), QColor(band_colour(tile)))
        painter.setPen(QColor("#000000"))
        painter.setFont(self.big)
        inner = band.adjusted(PADDING, 0, -PADDING, 0)
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | LEFT,
                         f"{tile.state.symbol} {facts.label}")
        painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         facts.patient_initials)
        painter.setFont(self.small)
        self._line(painter, self._line_rect(rect, 1), facts.drug)
        self._line(painter, self._line_rect(rect, 3), _people_line(tile))

    def _line_rect(self, rect: QRectF, line: int) -> QRectF:
        top = rect.top() + BAND_H + 2 + line * self.line_h
        return QRectF(rect.left() + PADDING, top, rect.width() - 2 * PADDING, self.line_h)

    def _line(self, painter: QPainter, rect: QRectF, text: str) -> None:
        if not text:
            return
        width = int(rect.width())
        elided = self._elided.get((text, width))
        if elided is None:
            if len(self._elided) > 4096:
                self._elided.clear()  # words with minutes in them: bounded, not a leak
            elided = self.metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            self._elided[text, width] = elided
        painter.drawText(rect, LEFT, elided)


def _end_line(tile: ChairTile) -> str:
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
    painter.setPen(_SPARK_PEN)
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
    painter.setBrush(_PROGRESS_BACK)
    painter.drawRect(rect)
    if progress is not None:
        painter.setBrush(_PROGRESS_DONE)
        painter.drawRect(QRectF(rect.left(), rect.top(), rect.width() * progress,
                                rect.height()))
