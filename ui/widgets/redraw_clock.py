"""One timer that redraws every view about 10 times a second, whatever the sample rate.

Cheap views (numerics, banners, the alarm list) are refreshed at every tick. Plots can
be registered with a budget: at most `plot_budget` plots that have something new are
redrawn per tick, taken in turn, so a tick's cost stays bounded however many chairs
got a sample at the same moment (a plot then waits at most one tick per `plot_budget`
plots ahead of it, 100 ms each).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

REDRAW_INTERVAL_MS = 100


class Refreshable(Protocol):
    def refresh(self) -> None: ...


class Budgeted(Protocol):
    @property
    def needs_redraw(self) -> bool: ...

    def refresh(self) -> None: ...


class RedrawClock(QObject):
    """Calls `refresh()` on the registered views at every tick.

    Signals:
        ticked(): after every view due this tick was refreshed.
    """

    ticked = Signal()

    def __init__(self, interval_ms: int = REDRAW_INTERVAL_MS, parent: QObject | None = None,
                 *, plot_budget: int | None = None) -> None:
        super().__init__(parent)
        if plot_budget is not None and plot_budget < 1:
            raise ValueError("plot_budget must be at least 1")
        self.views: list[Refreshable] = []
        self.plots: list[Budgeted] = []
        self.plot_budget = plot_budget
        self._next_plot = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    def add(self, view: Refreshable) -> None:
        self.views.append(view)

    def add_plot(self, plot: Budgeted) -> None:
        """A plot redrawn within the budget (every tick when there is no budget)."""
        self.plots.append(plot)

    def remove(self, view: Refreshable) -> None:
        if view in self.views:
            self.views.remove(view)
        else:
            self.plots.remove(view)  # type: ignore[arg-type]
            self._next_plot = 0

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        for view in self.views:
            view.refresh()
        self._refresh_plots()
        self.ticked.emit()

    def _refresh_plots(self) -> None:
        count = len(self.plots)
        budget = count if self.plot_budget is None else self.plot_budget
        start = self._next_plot
        for step in range(count):
            if budget == 0:
                return
            index = (start + step) % count
            plot = self.plots[index]
            if plot.needs_redraw:
                plot.refresh()
                budget -= 1
                # The next tick starts after the last plot served: every plot gets a turn.
                self._next_plot = (index + 1) % count
