"""The grid of chair tiles: one widget painting every tile (no widget per chair)."""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC, datetime

from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from station.unit.tiles import ChairTile
from ui.overview.tile_painter import paint_tile

TILE_W = 180
TILE_H = 124
GAP = 6


class TileGrid(QWidget):
    """Paints the tiles it is given; a click on one emits `chair_activated(label)`."""

    chair_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: tuple[ChairTile, ...] = ()
        self.selected: str | None = None
        self.now = datetime.now(UTC)
        self.paints = 0
        self.paint_s: deque[float] = deque(maxlen=1000)  # the latest paints' durations
        self._big = QFont(self.font())
        self._big.setBold(True)
        self._big.setPointSizeF(self.font().pointSizeF() * 1.15)
        self._small = QFont(self.font())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Chairs of the unit")

    def set_tiles(self, tiles: tuple[ChairTile, ...], now: datetime) -> None:
        if tiles == self.tiles and (now - self.now).total_seconds() < 30:
            return  # nothing to show that is new (words change by the minute)
        self.tiles, self.now = tiles, now
        self.updateGeometry()
        self.update()

    def columns(self) -> int:
        return max(1, (self.width() + GAP) // (TILE_W + GAP))

    def tile_rect(self, index: int) -> QRectF:
        cols = self.columns()
        row, col = divmod(index, cols)
        width = (self.width() - GAP * (cols - 1)) / cols
        return QRectF(col * (width + GAP), row * (TILE_H + GAP), width, TILE_H)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(7 * (TILE_W + GAP), 7 * (TILE_H + GAP))  # 48 chairs at 1920x1080

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        started = time.perf_counter()
        painter = QPainter(self)
        clip = QRectF(event.rect())
        for index, tile in enumerate(self.tiles):
            rect = self.tile_rect(index)
            if rect.intersects(clip):
                paint_tile(painter, rect, tile, (self._big, self._small), self.now,
                           selected=tile.label == self.selected)
        painter.end()
        self.paints += 1
        self.paint_s.append(time.perf_counter() - started)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        label = self.label_at(event.position().x(), event.position().y())
        if label is not None:
            self.selected = label
            self.update()
            self.chair_activated.emit(label)

    def label_at(self, x: float, y: float) -> str | None:
        for index, tile in enumerate(self.tiles):
            if self.tile_rect(index).contains(x, y):
                return tile.label
        return None
