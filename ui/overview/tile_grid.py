"""The grid of chair tiles: one widget painting every tile (no widget per chair)."""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC, datetime

from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from station.unit.tiles import ChairTile
from ui.overview.tile_painter import TilePainter, frame_bounds

TILE_W = 180
TILE_H = 124
GAP = 6
# Above this many changed tiles one rectangle is cheaper to paint than a region of many:
# every draw is clipped to the region, and a 48-rectangle clip made a paint 2x slower.
MAX_PARTIAL = 8


class TileGrid(QWidget):
    """Paints the tiles it is given, repainting only those that changed; a click on one
    emits `chair_activated(label)`."""

    chair_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: tuple[ChairTile, ...] = ()
        self.selected: str | None = None
        self.now = datetime.now(UTC)
        self.paints = 0
        self.tiles_painted = 0  # by every paint so far, for tests and probes
        self.paint_s: deque[float] = deque(maxlen=1000)  # the latest paints' durations
        big = QFont(self.font())
        big.setBold(True)
        big.setPointSizeF(self.font().pointSizeF() * 1.15)
        self.painter = TilePainter(big, QFont(self.font()))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Chairs of the unit")

    def set_tiles(self, tiles: tuple[ChairTile, ...], now: datetime) -> None:
        """Show `tiles`; only the tiles that differ from those shown are repainted (a tile
        carries its words at `now`, so a new minute is a changed tile)."""
        old, self.tiles, self.now = self.tiles, tiles, now
        self.painter.forget_except({tile.label for tile in tiles})
        if len(old) != len(tiles):
            self.updateGeometry()
            self.update()
            return
        changed = [i for i, (before, after) in enumerate(zip(old, tiles, strict=True))
                   if before != after]
        if len(changed) > MAX_PARTIAL:
            self.update()
            return
        for index in changed:
            self.update(frame_bounds(self.tile_rect(index)))

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
        region = event.region()
        for index, tile in enumerate(self.tiles):
            rect = self.tile_rect(index)
            if region.intersects(rect.toAlignedRect()):
                self.painter.paint(painter, rect, tile, selected=tile.label == self.selected)
                self.tiles_painted += 1
        painter.end()
        self.paints += 1
        self.paint_s.append(time.perf_counter() - started)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        label = self.label_at(event.position().x(), event.position().y())
        if label is not None:
            for index, tile in enumerate(self.tiles):
                if tile.label in (self.selected, label):
                    self.update(frame_bounds(self.tile_rect(index)))
            self.selected = label
            self.chair_activated.emit(label)

    def label_at(self, x: float, y: float) -> str | None:
        for index, tile in enumerate(self.tiles):
            if self.tile_rect(index).contains(x, y):
                return tile.label
        return None
