"""Large numerics of one chair: rate, volume of the order, time left and end, pressure.

A thin view over the chair's `SeriesBuffer` (its latest sample) and the order's volume;
`refresh()` from the redraw clock recomputes the text (time left moves with the clock
even between samples) and touches only the labels whose text changed.
`set_compact(True)` (a short screen) uses a smaller font on one line per value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ui.models.numerics_text import NumericsText, numerics_text
from ui.models.series_buffer import SeriesBuffer

FIELDS = (("rate", "Rate"), ("volume", "Volume infused"), ("remaining", "Time remaining"),
          ("expected_end", "Expected end"), ("pressure", "Line pressure"),
          ("status", "Pump"))
_STALE = "color: #777777;"
_LIVE = "color: #111111;"
VALUE_POINTS = 22
COMPACT_VALUE_POINTS = 16


def _utc_now() -> datetime:
    return datetime.now(UTC)


class NumericsPanel(QWidget):
    """Caption over a large value for each field of `FIELDS`."""

    def __init__(self, buffer: SeriesBuffer, *, vtbi_ml: float | None = None,
                 now: Callable[[], datetime] = _utc_now, tz: tzinfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buffer = buffer
        self.vtbi_ml = vtbi_ml
        self.planned_end: datetime | None = None
        self.link_up = True
        self._now = now
        self._tz = tz
        self.shown: NumericsText | None = None
        self.values: dict[str, QLabel] = {}
        self.compact = True  # flipped by set_compact below, which sets the fonts
        self._grid = QGridLayout(self)
        for column, (name, caption) in enumerate(FIELDS):
            self._grid.addWidget(QLabel(caption), 0, column)
            value = QLabel()
            value.setAccessibleName(caption)
            self._grid.addWidget(value, 1, column)
            self.values[name] = value
        self.set_compact(False)
        self.refresh()

    def set_compact(self, compact: bool) -> None:
        """Smaller values, each on one line (True), or large values that may wrap."""
        if compact == self.compact:
            return
        self.compact = compact
        big = QFont(self.font())
        big.setPointSize(COMPACT_VALUE_POINTS if compact else VALUE_POINTS)
        big.setBold(True)
        # Large values must not run into each other.
        self._grid.setHorizontalSpacing(16 if compact else 28)
        self._grid.setVerticalSpacing(0 if compact else 6)
        if compact:
            self._grid.setContentsMargins(8, 2, 8, 2)
        else:
            self._grid.setContentsMargins(9, 9, 9, 9)
        for value in self.values.values():
            value.setFont(big)
            value.setWordWrap(not compact)
            value.setMinimumHeight(0 if compact else 44)
        # The pump's state may be a sentence ("Link lost: values from ..."): it may wrap,
        # the numbers beside it keep one line each.
        self.values["status"].setWordWrap(True)

    def set_order(self, vtbi_ml: float | None, planned_end: datetime | None = None) -> None:
        self.vtbi_ml = vtbi_ml
        self.planned_end = planned_end
        self.refresh()

    def set_link_up(self, up: bool) -> None:
        self.link_up = up
        self.refresh()

    def refresh(self) -> None:
        text = numerics_text(self.buffer.last_sample, vtbi_ml=self.vtbi_ml, now=self._now(),
                             link_up=self.link_up, planned_end=self.planned_end, tz=self._tz)
        if text == self.shown:
            return
        for name, label in self.values.items():
            value = getattr(text, name)
            if label.text() != value:
                label.setText(value)
            if self.shown is None or self.shown.stale != text.stale:
                label.setStyleSheet(_STALE if text.stale else _LIVE)
        self.shown = text
