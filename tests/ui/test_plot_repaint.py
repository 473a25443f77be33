"""A real pyqtgraph plot repaints under the pinned PySide6.

PySide6 6.12.0 with pyqtgraph 0.14.0 on Python 3.11 aborts the whole process
("none_dealloc" in AxisItem.drawPicture) on the first repaint. This test paints a
plot with axes, so an upgrade that brings that back fails here, not at a chair.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pytestqt.qtbot import QtBot


def test_plot_with_axes_repaints(qtbot: QtBot) -> None:
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(640, 360)
    curve = widget.plot(pen="y")
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    t = np.arange(600, dtype=float)
    curve.setData(t, np.sin(t / 30.0) * 50 + 100)
    widget.show()
    qtbot.waitExposed(widget)

    image = widget.grab().toImage()

    assert image.width() == widget.width()
    # The curve itself was painted: its yellow pen shows up in the image.
    yellow = {
        (x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).getRgb()[:3] == (255, 255, 0)
    }
    assert len(yellow) > 100
