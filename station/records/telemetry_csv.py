"""CSV of one infusion: every telemetry sample and every event, in time order.

Columns are documented in docs/records.md; ``COLUMNS`` is the header.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

from station.records.training import TRAINING_MARK
from station.records.visit_record import VisitRecord

COLUMNS = ("time_utc", "row", "rate_ml_h", "volume_ml", "pressure_mmhg", "event",
           "not_delivering_reason", "segment_volume_ml", "total_volume_ml", "priority",
           "detail", "by")


def write_infusion_csv(record: VisitRecord, out: TextIO, *, training: bool = False) -> int:
    """Write the CSV to ``out``; the number of data rows. ``training`` adds a first
    comment line and TRAINING in every row's ``row`` column, so no row read alone can
    pass for a real patient's."""
    writer = csv.writer(out, lineterminator="\n")
    if training:
        out.write(f"# {TRAINING_MARK}: training database, not a patient record\n")
    writer.writerow(COLUMNS)
    rows = sorted(_rows(record), key=lambda r: (r[0], _ORDER[r[1]]))
    for row in rows:
        kind = f"{TRAINING_MARK} {row[1]}" if training else row[1]
        writer.writerow([_iso(row[0]), kind, *row[2:]])
    return len(rows)


_ORDER = {"event": 0, "alarm": 1, "sample": 2}
Row = tuple[datetime, str, str, str, str, str, str, str, str, str, str, str]


def _rows(record: VisitRecord) -> Iterator[Row]:
    series = record.telemetry
    for t_us, rate, volume, pressure in zip(series.times_us.tolist(),
                                            series.rate_ml_h.tolist(),
                                            series.volume_ml.tolist(),
                                            series.pressure_mmhg.tolist(), strict=True):
        yield (datetime.fromtimestamp(t_us / 1e6, UTC), "sample", _num(rate), _num(volume),
               _num(pressure), "", "", "", "", "", "", "")
    for e in record.events:
        yield (e.occurred_at, "event", _num(e.rate_ml_h), "", "", e.kind,
               e.not_delivering_reason or "", _num(e.segment_volume_ml),
               _num(e.total_volume_ml), "", e.reason_detail, e.by)
    for a in record.alarms:
        yield (a.raised_at, "alarm", "", "", "", f"alarm raised: {a.code}", "", "", "",
               a.priority, a.cause, "")
        for s in a.steps:
            if s.kind != "raised":
                yield (s.at, "alarm", "", "", "", f"alarm {s.kind}: {a.code}", "", "", "",
                       s.priority, s.cause, s.by)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _num(value: float | None) -> str:
    if value is None or math.isnan(value):
        return ""
    return f"{value:.3f}".rstrip("0").rstrip(".")
