"""The redraw clock refreshes every view at about 10 Hz and stops cleanly."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.models.series_buffer import SeriesBuffer
from ui.plots.chair_plot import ChairPlot
from ui.widgets.redraw_clock import REDRAW_INTERVAL_MS, RedrawClock


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def refresh(self) -> None:
        self.calls += 1


def test_ticks_refresh_every_view_independently_of_samples(qtbot: QtBot) -> None:
    buffer = SeriesBuffer()
    plot = ChairPlot(buffer, occlusion_limit_mmhg=300.0)
    qtbot.addWidget(plot)
    counting = Counting()
    clock = RedrawClock()
    clock.add(plot)
    clock.add(counting)
    assert clock.timer.interval() == REDRAW_INTERVAL_MS == 100
    buffer.append(1_790_000_000.0, 50.0, 0.0, 20.0)
    clock.start()
    with qtbot.waitSignal(clock.ticked, timeout=2000):
        pass
    with qtbot.waitSignal(clock.ticked, timeout=2000):
        pass
    clock.stop()
    assert counting.calls >= 2
    assert len(plot.rate_curve.getOriginalDataset()[0]) == 1  # drawn by a tick
    calls = counting.calls
    clock.remove(counting)
    clock.tick()
    assert counting.calls == calls
    assert not clock.timer.isActive()
