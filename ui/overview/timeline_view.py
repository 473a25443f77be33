"""Today's schedule as a timeline per chair, painted: booked (outline) against actual
(filled, orange when it started more than 15 min late), pauses (hatched), now (a line),
and when each chair is free next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from station.unit.timeline import ChairDay, Slot
from ui.alarms.palette import BLUE, BLUISH_GREEN, ORANGE, VERMILLION

ROW_H = 20
LABEL_W = 150
HEADER_H = 18
LATE = timedelta(minutes=15)


class TimelineView(QWidget):
    """One row per chair from the first booking's hour to the last one's end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: tuple[ChairDay, ...] = ()
        self.now = datetime.now(UTC)
        self.span: tuple[datetime, datetime] = (self.now, self.now + timedelta(hours=1))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Today's schedule per chair")

    def set_days(self, days: tuple[ChairDay, ...], now: datetime) -> None:
        if days == self.days and (now - self.now) < timedelta(minutes=1):
            return
        self.days, self.now = days, now
        self.span = _span(days, now)
        self.setMinimumHeight(HEADER_H + ROW_H * len(days) + 4)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1200, HEADER_H + ROW_H * max(1, len(self.days)) + 4)

    def x_of(self, at: datetime) -> float:
        start, end = self.span
        width = max(1.0, self.width() - LABEL_W - 4)
        return LABEL_W + width * (at - start).total_seconds() / (end - start).total_seconds()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        self._hours(painter)
        for row, day in enumerate(self.days):
            top = HEADER_H + row * ROW_H
            free = day.free_from(self.now).astimezone()
            painter.setPen(QColor("#000000"))
            painter.drawText(QRectF(2, top, LABEL_W - 4, ROW_H),
                             Qt.AlignmentFlag.AlignVCenter,
                             f"{day.label}  free {'now' if free <= self.now else f'{free:%H:%M}'}")
            for slot in day.slots:
                self._slot(painter, slot, top)
        painter.setPen(QPen(QColor(VERMILLION), 2))
        x = self.x_of(self.now)
        painter.drawLine(QPointF(x, HEADER_H - 4), QPointF(x, self.height()))
        painter.end()

    def _hours(self, painter: QPainter) -> None:
        start, end = self.span
        hour = start.astimezone().replace(minute=0, second=0, microsecond=0)
        painter.setPen(QColor("#999999"))
        while hour <= end:
            x = self.x_of(hour)
            painter.drawLine(QPointF(x, HEADER_H - 2), QPointF(x, self.height()))
            painter.drawText(QPointF(x + 2, HEADER_H - 5), f"{hour:%H}")
            hour += timedelta(hours=1)

    def _slot(self, painter: QPainter, slot: Slot, top: float) -> None:
        if slot.status in ("cancelled", "no_show"):
            return
        booked = QRectF(QPointF(self.x_of(slot.booked_start), top + 3),
                        QPointF(self.x_of(slot.booked_end), top + ROW_H - 3))
        painter.setPen(QPen(QColor(BLUE), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(booked)
        if slot.actual_start is not None:
            late = slot.delay is not None and slot.delay > LATE
            actual = QRectF(QPointF(self.x_of(slot.actual_start), top + 6),
                            QPointF(self.x_of(slot.actual_end or self.now), top + ROW_H - 6))
            painter.fillRect(actual, QColor(ORANGE if late else BLUISH_GREEN))
            for start, end in slot.pauses:
                paused = QRectF(QPointF(self.x_of(start), top + 6),
                                QPointF(self.x_of(end or self.now), top + ROW_H - 6))
                painter.fillRect(paused, Qt.BrushStyle.BDiagPattern)
        painter.setPen(QColor("#000000"))
        painter.drawText(booked.adjusted(3, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter,
                         slot.initials)


def _span(days: tuple[ChairDay, ...], now: datetime) -> tuple[datetime, datetime]:
    starts = [now] + [s.actual_start or s.booked_start for d in days for s in d.slots]
    ends = [now] + [s.expected_end(now) for d in days for s in d.slots]
    start = min(starts).replace(minute=0, second=0, microsecond=0)
    return start, max(*ends, start + timedelta(hours=1)) + timedelta(minutes=30)
