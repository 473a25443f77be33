"""The tile grid repaints only what changed: a changed tile's own rectangle, and the
static layer of a tile (frame, chair, patient, drug, nurse) only when one of those
changes. Counted (paint events, painted tiles, layers drawn), never timed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from station.unit.tiles import ChairFacts, ChairTile, tile_at
from ui.overview.tile_grid import TileGrid
from ui.overview.tile_painter import frame_bounds

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def infusing(n: int, rate: float = 100.0, drug: str = "ocrelizumab") -> ChairTile:
    facts = ChairFacts(chair_id=n, label=f"C{n + 1:02d}", pod="A", nurse="Nurse A",
                       station="ws-1", patient_initials="J.D.", drug=drug, infusion_id=n,
                       infusion_status="running", started_at=NOW - timedelta(minutes=30),
                       vtbi_ml=500.0, rate_ml_h=rate, volume_ml=100.0,
                       rate_history=(90.0, 95.0, rate), read_at=NOW)
    return tile_at(facts, NOW, None)


class PaintedRegions(QObject):
    """The bounding rectangle of every paint event the grid gets."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if isinstance(event, QPaintEvent):
            self.rects.append(event.region().boundingRect())
        return False


@pytest.fixture
def grid(qtbot: QtBot) -> Iterator[TileGrid]:
    widget = TileGrid()
    qtbot.addWidget(widget)
    widget.resize(1920, 1080)
    widget.set_tiles(tuple(infusing(n) for n in range(48)), NOW)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.tiles_painted >= 48)
    yield widget


def paint_after(qtbot: QtBot, grid: TileGrid, tiles: tuple[ChairTile, ...]) -> PaintedRegions:
    regions = PaintedRegions()
    grid.installEventFilter(regions)
    paints = grid.paints
    grid.set_tiles(tiles, NOW)
    qtbot.waitUntil(lambda: grid.paints > paints)
    grid.removeEventFilter(regions)
    return regions


def bounds(grid: TileGrid, index: int) -> QRect:
    return frame_bounds(grid.tile_rect(index)).intersected(grid.rect())


def test_a_changed_tile_repaints_only_its_own_rectangle(qtbot: QtBot, grid: TileGrid) -> None:
    tiles = list(grid.tiles)
    tiles[10] = infusing(10, rate=120.0)
    painted = grid.tiles_painted
    regions = paint_after(qtbot, grid, tuple(tiles))
    assert regions.rects == [bounds(grid, 10)]
    assert grid.tiles_painted - painted == 1


def test_the_static_layer_is_reused_while_only_the_rate_changes(qtbot: QtBot,
                                                                grid: TileGrid) -> None:
    assert grid.painter.static_renders == 48
    paint_after(qtbot, grid, tuple(infusing(n, rate=130.0) for n in range(48)))
    assert grid.painter.static_renders == 48  # every tile repainted, no layer redrawn
    changed = tuple(replace(t, facts=replace(t.facts, drug="rituximab")) if n == 3 else t
                    for n, t in enumerate(grid.tiles))
    paint_after(qtbot, grid, changed)
    assert grid.painter.static_renders == 49
    fresh = TileGrid()
    qtbot.addWidget(fresh)
    fresh.resize(grid.size())
    fresh.set_tiles(changed, NOW)
    assert fresh.grab().toImage() == grid.grab().toImage()  # nothing stale is shown


def test_a_click_repaints_the_tiles_selected_before_and_now(qtbot: QtBot,
                                                            grid: TileGrid) -> None:
    regions = PaintedRegions()
    grid.installEventFilter(regions)
    for index in (0, 5):
        paints = grid.paints
        centre = grid.tile_rect(index).center()
        QTest.mouseClick(grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(int(centre.x()), int(centre.y())))
        qtbot.waitUntil(lambda p=paints: grid.paints > p)
    grid.removeEventFilter(regions)
    first, second = (bounds(grid, i) for i in (0, 5))
    assert regions.rects == [first, first.united(second)]
    assert grid.selected == "C06"
