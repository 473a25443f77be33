"""A4 pages drawn with QPainter on a QPdfWriter: headings, key-value blocks, tables,
page breaks, a footer with page numbers, and the TRAINING watermark on every page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter

from station.records.training import TRAINING_MARK, TRAINING_NOTICE

# At 72 dpi one device unit is one point: layout in points.
DPI = 72
MARGIN = 36.0
TEXT = 8.5


class PdfDocument:
    """Draws top to bottom; ``ensure(height)`` starts a new page when the rest is short."""

    def __init__(self, path: Path, title: str, *, training: bool) -> None:
        self._writer = QPdfWriter(str(path))
        self._writer.setResolution(DPI)
        self._writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                               QPageLayout.Orientation.Portrait,
                                               QMarginsF(0, 0, 0, 0)))
        self._writer.setTitle(f"{TRAINING_MARK} - {title}" if training else title)
        self._writer.setCreator("infusion-station")
        self._training = training
        self._title = title
        self.painter = QPainter(self._writer)
        rect = self._writer.pageLayout().paintRectPoints()
        self.width = rect.width() - 2 * MARGIN
        self._bottom = rect.height() - MARGIN - 14
        self._page_height = rect.height()
        self._page = 1
        self.y = MARGIN
        self._start_page()

    @property
    def left(self) -> float:
        return MARGIN

    def font(self, size: float = TEXT, *, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setPointSizeF(size)
        font.setBold(bold)
        self.painter.setFont(font)
        return font

    def _metrics(self, font: QFont) -> QFontMetricsF:
        # Measured on the PDF, not the screen: their resolutions differ.
        return QFontMetricsF(font, self._writer)

    def ensure(self, height: float) -> None:
        if self.y + height > self._bottom:
            self._footer()
            self._writer.newPage()
            self._page += 1
            self.y = MARGIN
            self._start_page()

    def heading(self, text: str, size: float = 11.0) -> None:
        self.ensure(size * 2 + 30)
        self.y += 6
        self.font(size, bold=True)
        self.painter.setPen(QColor("#000000"))
        self.painter.drawText(QRectF(MARGIN, self.y, self.width, size * 1.6),
                              Qt.AlignmentFlag.AlignLeft, text)
        self.y += size * 1.6

    def line(self, text: str, *, bold: bool = False) -> None:
        metrics = self._metrics(self.font(TEXT, bold=bold))
        rect = metrics.boundingRect(QRectF(0, 0, self.width, 1000),
                                    Qt.TextFlag.TextWordWrap, text)
        self.ensure(rect.height())
        self.painter.drawText(QRectF(MARGIN, self.y, self.width, rect.height()),
                              Qt.TextFlag.TextWordWrap, text)
        self.y += rect.height() + 1

    def pairs(self, items: Sequence[tuple[str, str]], columns: int = 2,
              label: float = 0.36) -> None:
        """Label: value pairs in ``columns`` columns; ``label`` is the label's share."""
        col_w = self.width / columns
        label_w, value_w = col_w * label, col_w * (1 - label)
        metrics = self._metrics(self.font())
        row_h = metrics.height() + 2
        for start in range(0, len(items), columns):
            self.ensure(row_h)
            for i, (name, value) in enumerate(items[start:start + columns]):
                x = MARGIN + i * col_w
                self.font(bold=True)
                self.painter.drawText(QRectF(x, self.y, label_w, row_h),
                                      Qt.AlignmentFlag.AlignLeft, name)
                self.font()
                text = metrics.elidedText(value, Qt.TextElideMode.ElideRight, value_w - 6)
                self.painter.drawText(QRectF(x + label_w, self.y, value_w, row_h),
                                      Qt.AlignmentFlag.AlignLeft, text)
            self.y += row_h

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float], empty: str = "none recorded") -> None:
        """A table; ``widths`` are fractions of the page width. Rows wrap their text."""
        xs = [MARGIN + sum(widths[:i]) * self.width for i in range(len(widths))]
        ws = [w * self.width for w in widths]
        metrics = self._metrics(self.font(TEXT - 0.5))
        self._table_header(headers, xs, ws)
        if not rows:
            self.line(empty)
            return
        for n, row in enumerate(rows):
            height = max(metrics.boundingRect(QRectF(0, 0, w - 4, 1000),
                                              Qt.TextFlag.TextWordWrap, cell).height()
                         for cell, w in zip(row, ws, strict=True)) + 3
            if self.y + height > self._bottom:
                self.ensure(height + 20)
                self._table_header(headers, xs, ws)
            if n % 2:
                self.painter.fillRect(QRectF(MARGIN, self.y, self.width, height),
                                      QColor("#F2F2F2"))
            self.font(TEXT - 0.5)
            for cell, x, w in zip(row, xs, ws, strict=True):
                self.painter.drawText(QRectF(x + 2, self.y + 1.5, w - 4, height),
                                      Qt.TextFlag.TextWordWrap, cell)
            self.y += height
        self.y += 4

    def _table_header(self, headers: Sequence[str], xs: list[float], ws: list[float]) -> None:
        metrics = self._metrics(self.font(TEXT - 0.5, bold=True))
        height = max(metrics.boundingRect(QRectF(0, 0, w - 4, 1000), Qt.TextFlag.TextWordWrap,
                                          h).height() for h, w in zip(headers, ws, strict=True))
        self.ensure(height + 16)
        self.painter.fillRect(QRectF(MARGIN, self.y, self.width, height + 3), QColor("#DDDDDD"))
        for text, x, w in zip(headers, xs, ws, strict=True):
            self.painter.drawText(QRectF(x + 2, self.y + 1.5, w - 4, height),
                                  Qt.TextFlag.TextWordWrap, text)
        self.y += height + 3

    def _start_page(self) -> None:
        if not self._training:
            return
        p = self.painter
        p.fillRect(QRectF(0, 0, self.width + 2 * MARGIN, 22), QColor("#D55E00"))
        self.font(10, bold=True)
        p.setPen(QColor("#FFFFFF"))
        p.drawText(QRectF(0, 0, self.width + 2 * MARGIN, 22), Qt.AlignmentFlag.AlignCenter,
                   TRAINING_NOTICE)
        p.setPen(QColor("#000000"))
        self.y = max(self.y, 30)

    def _watermark(self) -> None:
        """TRAINING across the page, over the content (translucent), so no table hides it."""
        p = self.painter
        p.save()
        p.translate(MARGIN + self.width / 2, self._page_height / 2)
        p.rotate(-55)
        font = self.font(110, bold=True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 10)
        p.setFont(font)
        p.setPen(QColor(213, 94, 0, 60))
        p.drawText(QRectF(-500, -80, 1000, 160), Qt.AlignmentFlag.AlignCenter, TRAINING_MARK)
        p.restore()

    def _footer(self) -> None:
        if self._training:
            self._watermark()
        self.font(7)
        self.painter.setPen(QColor("#555555"))
        text = f"{self._title} - page {self._page}"
        if self._training:
            text = f"{TRAINING_NOTICE} - {text}"
        self.painter.drawText(QRectF(MARGIN, self._bottom + 4, self.width, 12),
                              Qt.AlignmentFlag.AlignRight, text)
        self.painter.setPen(QColor("#000000"))

    def close(self) -> None:
        """Finish the last page and write the file."""
        self._footer()
        self.painter.end()
