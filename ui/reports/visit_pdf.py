"""The infusion record of one visit as a PDF (QPdfWriter)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path

from PySide6.QtCore import QRectF

from station.records.visit_record import VisitRecord
from ui.reports.pdf_document import PdfDocument
from ui.reports.text import clock, minutes, num, stamp
from ui.reports.visit_plot import LEGEND, draw_visit_plot

PLOT_HEIGHT = 250.0


def write_visit_pdf(record: VisitRecord, path: Path, *, tz: tzinfo = UTC,
                    training: bool = False) -> None:
    """Write the record to ``path``; times in ``tz`` (the page says which)."""
    p, o, i = record.patient, record.order, record.infusion
    doc = PdfDocument(path, f"Infusion record {p.mrn} {stamp(i.started_at, tz)}",
                      training=training)
    doc.heading(f"Infusion record - {p.family_name}, {p.given_name}", 14)
    doc.line(f"Times in {tz}. Printed from the station database; infusion {i.infusion_id}.")
    doc.pairs([
        ("Patient", f"{p.family_name}, {p.given_name}"), ("MRN", p.mrn),
        ("Date of birth", p.date_of_birth.isoformat()), ("Chair", i.chair),
        ("Drug", f"{o.drug} {o.dose_amount:g} {o.dose_unit}"),
        ("Diluent / volume", f"{o.diluent}, {num(o.volume_ml, 'mL')}"),
        ("Route / access", f"{o.route}, {o.access}" + (f" {o.catheter_gauge} G"
                                                        if o.catheter_gauge else "")),
        ("Site", o.access_site), ("Protocol", o.titration_protocol),
        ("Verified", f"{stamp(o.verified_at, tz)} {o.verified_by}".strip() or "not verified"),
        ("Pump", f"{i.pump_model} {i.pump_serial}".strip()),
        ("Program", f"{num(i.rate_ml_h, 'mL/h')}, VTBI {num(i.vtbi_ml, 'mL')}"
                    + (", titrated" if i.titrated else "")),
        ("Library", i.library_version or ""), ("Weight", num(i.patient_weight_kg, "kg")),
        ("Booked", f"{stamp(i.booked_at, tz)}, {i.booked_minutes} min"),
        ("Status", i.status),
        ("Started", f"{stamp(i.started_at, tz)} by {i.started_by}"),
        ("Ended", f"{stamp(i.ended_at, tz)} by {i.completed_by}" if i.ended_at else "running"),
        ("Observation until", stamp(i.observation_ends_at, tz)),
        ("Shortfall reason", i.shortfall_reason or "-"),
    ])
    t = record.totals
    doc.heading("Totals")
    doc.pairs([("Delivered", f"{num(t.delivered_ml, 'mL')} of {num(t.ordered_ml, 'mL')}"),
               ("Delivering", minutes(t.delivering)),
               ("Paused", f"{minutes(t.paused)} in {t.pauses} pause(s)"),
               ("Alarms, reactions", f"{t.alarms} / {t.side_effects}")])

    doc.heading("Rate, volume and pressure")
    doc.ensure(PLOT_HEIGHT + 24)
    draw_visit_plot(doc.painter, QRectF(doc.left, doc.y, doc.width, PLOT_HEIGHT), record, tz)
    doc.y += PLOT_HEIGHT + 4
    doc.line("   ".join(f"{mark}: {meaning}" for mark, meaning in LEGEND))

    doc.heading("Checks before the start")
    doc.table(["time", "check", "detail", "by"],
              [[clock(c.at, tz), c.what, c.detail, c.by] for c in record.checks],
              [0.12, 0.3, 0.38, 0.2])
    doc.heading("Delivery segments")
    doc.table(["#", "start", "end", "rate", "volume", "running total"],
              [[str(s.seq), clock(s.started_at, tz), clock(s.ended_at, tz),
                num(s.rate_ml_h, "mL/h"), num(s.volume_ml, "mL"), num(s.total_volume_ml, "mL")]
               for s in record.segments], [0.06, 0.16, 0.16, 0.2, 0.2, 0.22])
    doc.heading("Pauses")
    doc.table(["start", "end", "duration", "reason", "note", "resumed", "by"],
              [[clock(x.started_at, tz), clock(x.ended_at, tz), minutes(x.duration), x.reason,
                (x.note + (" (walking help)" if x.walking_help else "")).strip(),
                f"{x.resume_mode or ''} {num(x.resumed_rate_ml_h, 'mL/h')}".strip(), x.by]
               for x in record.pauses], [0.1, 0.1, 0.1, 0.16, 0.22, 0.17, 0.15])
    doc.heading("Titration")
    doc.table(["time", "change", "step", "rate", "by"],
              [[clock(x.at, tz), x.kind, str(x.step or ""), num(x.rate_ml_h, "mL/h"), x.by]
               for x in record.titration], [0.14, 0.3, 0.1, 0.2, 0.26])
    _bedside(doc, record, tz)
    doc.close()


def _bedside(doc: PdfDocument, record: VisitRecord, tz: tzinfo) -> None:
    doc.heading("Side effects")
    doc.table(["time", "symptom", "grade", "action taken", "suggested", "rate / step",
               "reassessed", "by"],
              [[clock(s.observed_at, tz), s.other_text or s.kind, str(s.grade),
                s.action_taken + (f" ({s.deviation_reason})" if s.deviation_reason else ""),
                s.suggested_action,
                f"{num(s.rate_ml_h, 'mL/h')}" + (f", step {s.titration_step}"
                                                 if s.titration_step else ""),
                "" if s.reassessed_at is None else
                f"{clock(s.reassessed_at, tz)}: "
                f"{'resolved' if s.reassessed_grade is None else s.reassessed_grade}", s.by]
               for s in record.side_effects], [0.09, 0.13, 0.07, 0.17, 0.14, 0.14, 0.13, 0.13])
    doc.heading("Vital signs")
    doc.table(["time", "BP mmHg", "HR /min", "RR /min", "T °C", "SpO2 %", "by"],
              [[clock(v.observed_at, tz),
                f"{v.systolic_mmhg}/{v.diastolic_mmhg}" if v.systolic_mmhg else "",
                num(v.heart_rate_bpm), num(v.respiratory_rate_pm), num(v.temperature_c),
                num(v.spo2_percent), v.by] for v in record.vitals],
              [0.12, 0.14, 0.12, 0.12, 0.12, 0.12, 0.26])
    doc.heading("IV site checks")
    doc.table(["time", "site", "infiltration grade", "extent", "dressing", "note", "by"],
              [[clock(s.observed_at, tz), s.site, str(s.infiltration_grade),
                num(s.extent_cm, "cm"), "intact" if s.dressing_intact else "not intact",
                s.note, s.by] for s in record.site_checks],
              [0.1, 0.14, 0.13, 0.1, 0.12, 0.23, 0.18])
    doc.heading("Alarms")
    doc.table(["raised", "alarm", "priority", "cause", "acknowledged after", "steps"],
              [[clock(a.raised_at, tz), f"{a.code} ({a.category})", a.priority,
                a.recorded_cause, minutes(a.time_to_acknowledge) if a.acknowledged_at
                else "not acknowledged",
                "; ".join(f"{clock(s.at, tz)} {s.kind.replace('_', ' ')}"
                          + (f" by {s.by}" if s.by else "") for s in a.steps)]
               for a in record.alarms], [0.09, 0.16, 0.08, 0.2, 0.12, 0.35])
    doc.heading("Who did what")
    doc.table(["time", "action", "record", "by"],
              [[stamp(a.at, tz), a.action, a.subject, a.by] for a in record.actions],
              [0.2, 0.35, 0.2, 0.25])
