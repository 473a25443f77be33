"""Large numerics of one chair: rate, volume of the order, time left and end, pressure.

A thin view over the chair's `SeriesBuffer` (its latest sample) and the order's volume;
`refresh()` from the redraw clock recomputes the text (time left moves with the clock
even between samples) and touches only the labels whose text changed.
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
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(28)  # large values must not run into each other
        big = QFont()
        big.setPointSize(22)
        big.setBold(True)
        for column, (name, caption) in enumerate(FIELDS):
            grid.addWidget(QLabel(caption), 0, column)
            value = QLabel()
            value.setFont(big)
            value.setWordWrap(True)
            value.setAccessibleName(caption)
            value.setMinimumHeight(44)
            grid.addWidget(value, 1, column)
            self.values[name] = value
        self.refresh()

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
