"""The unit's shift report as a PDF (QPdfWriter)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path

from station.records.shift_report import ShiftReport
from ui.reports.pdf_document import PdfDocument
from ui.reports.text import num, stamp


def write_shift_pdf(report: ShiftReport, path: Path, *, tz: tzinfo = UTC,
                    training: bool = False) -> None:
    """Write the report to ``path``; times in ``tz``."""
    title = f"Shift report {stamp(report.start, tz)} - {stamp(report.end, tz)}"
    doc = PdfDocument(path, title, training=training)
    doc.heading(title, 14)
    doc.line(f"Infusions started in this window; times in {tz}.")
    ack = report.median_ack_s
    doc.pairs([
        ("Infusions", str(report.infusions)), ("Completed", str(report.completed)),
        ("Alarms", str(report.alarms)), ("Chair hours", num(report.chair_hours, "h", 2)),
        ("Alarms per chair-hour", num(report.alarms_per_chair_hour, "", 2) or "-"),
        ("Median time to acknowledge", "-" if ack is None else num(ack, "s", 0)),
        ("Pause minutes per visit", num(report.pause_min_per_visit, "min") or "-"),
        ("Booked / actual chair time", f"{num(report.booked_min, 'min', 0)} / "
                                       f"{num(report.actual_min, 'min', 0)}"),
    ], label=0.6)
    doc.heading("Booked against actual chair time")
    doc.table(["infusion", "chair", "drug", "booked", "actual", "difference", "paused"],
              [[str(v.infusion_id), v.chair, v.drug, num(v.booked_min, "min", 0),
                num(v.actual_min, "min", 0), f"{v.actual_min - v.booked_min:+.0f} min",
                num(v.pause_min, "min", 0)] for v in report.visits],
              [0.1, 0.1, 0.26, 0.13, 0.13, 0.14, 0.14])
    doc.heading("Reactions per drug and titration step")
    doc.table(["drug", "titration step at onset", "side effects"],
              [[drug, step, str(count)] for (drug, step), count in sorted(
                  report.reactions.items())], [0.45, 0.35, 0.2])
    doc.close()
