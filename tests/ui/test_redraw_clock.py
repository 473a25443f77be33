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


class Plot:
    """A plot double: has new data or not, counts its redraws."""

    def __init__(self) -> None:
        self.needs_redraw = False
        self.redraws = 0

    def refresh(self) -> None:
        self.needs_redraw = False
        self.redraws += 1


def test_a_plot_budget_bounds_each_tick_and_serves_every_plot_in_turn() -> None:
    clock = RedrawClock(plot_budget=2)
    plots = [Plot() for _ in range(4)]
    for plot in plots:
        clock.add_plot(plot)
    for plot in plots:
        plot.needs_redraw = True
    clock.tick()
    assert [p.redraws for p in plots] == [1, 1, 0, 0]
    plots[0].needs_redraw = True  # new data again before the others had their turn
    clock.tick()
    assert [p.redraws for p in plots] == [1, 1, 1, 1]
    clock.tick()
    assert [p.redraws for p in plots] == [2, 1, 1, 1]
    clock.tick()  # nothing new: nothing redrawn
    assert [p.redraws for p in plots] == [2, 1, 1, 1]


def test_without_a_budget_every_changed_plot_is_redrawn(qtbot: QtBot) -> None:
    buffer = SeriesBuffer()
    plot = ChairPlot(buffer)
    qtbot.addWidget(plot)
    clock = RedrawClock()
    clock.add_plot(plot)
    assert plot.needs_redraw  # never drawn yet
    buffer.append(1_790_000_000.0, 50.0, 0.0, 20.0)
    assert plot.needs_redraw
    clock.tick()
    assert not plot.needs_redraw
    clock.remove(plot)
    assert clock.plots == []
