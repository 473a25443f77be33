"""The visit record and shift report PDFs, read back with Qt's PDF reader (QtPdf)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from station.records import VisitRecord, load_shift_report
from tests.records.visit import BuiltVisit
from tests.services.world import World
from ui.reports.shift_pdf import write_shift_pdf
from ui.reports.visit_pdf import write_visit_pdf
from ui.reports.visit_plot import RATE


def _pages(path: Path) -> tuple[QPdfDocument, list[str]]:
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    # Words only: a table cell wraps its text over lines.
    return doc, [" ".join(doc.getAllText(n).text().split()) for n in range(doc.pageCount())]


def _rate_pixels(image: QImage) -> int:
    target = QColor(RATE)
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if _near(image.pixelColor(x, y), target))


def _near(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 60


def test_the_visit_record_has_every_part(qapp: QApplication, record: VisitRecord,
                                         tmp_path: Path) -> None:
    path = tmp_path / "visit.pdf"
    write_visit_pdf(record, path, tz=ZoneInfo("Europe/Amsterdam"))
    doc, pages = _pages(path)
    text = "\n".join(pages)
    assert doc.pageCount() >= 2
    for expected in ("Roe, Sam", "MRN-1", "Europe/Amsterdam", "126 mL of 500 mL",
                     "patient asked to stop", "bathroom break", "12 min", "flushing",
                     "interrupted", "step confirmed", "occlusion (technical)",
                     "line_kinked - line kinked under the arm", "40 s", "120/80",
                     "identifiers confirmed", "infusion.completed", "Nurse A"):
        assert expected in text, expected
    assert "09:30:00" in pages[0]  # the start, 08:30 UTC, in Amsterdam time
    assert "TRAINING" not in text
    image = doc.render(0, doc.pagePointSize(0).toSize() * 2)
    assert _rate_pixels(image) > 300  # the rate trace is drawn


def test_a_training_record_says_so_on_every_page(qapp: QApplication, record: VisitRecord,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "visit-training.pdf"
    write_visit_pdf(record, path, training=True)
    doc, pages = _pages(path)
    assert doc.metaData(QPdfDocument.MetaDataField.Title).startswith("TRAINING")
    assert all(page.count("TRAINING") >= 3 for page in pages)  # banner, watermark, footer


@pytest.mark.parametrize("training", [False, True])
def test_the_shift_report(qapp: QApplication, world: World, visit: BuiltVisit,
                          tmp_path: Path, training: bool) -> None:
    report = load_shift_report(world.sessions, visit.t0, visit.t0 + timedelta(hours=8))
    path = tmp_path / "shift.pdf"
    write_shift_pdf(report, path, training=training)
    _, pages = _pages(path)
    text = "\n".join(pages)
    for expected in ("Alarms per chair-hour", "0.32", "Median time to acknowledge", "40 s",
                     "Pause minutes per visit", "22 min", "240 min", "190 min", "-50 min",
                     "ocrelizumab-later", "step 3"):
        assert expected in text, expected
    assert ("TRAINING" in text) is training
