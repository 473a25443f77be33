"""Import a day's appointments from CSV, row by row (format: docs/schedule-import.md).

Good rows are imported together in one transaction; each bad row is reported with its
line number and every reason, and is not imported. A file whose header is wrong imports
nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from station.domain.refusals import Refusal
from station.persistence.scheduling import Appointment
from station.services.context import ServiceContext
from station.services.schedule import Booking, booking_refusals, new_appointment
from station.services.store import audit, iso, writing

COLUMNS = ("patient_mrn", "chair", "start", "duration_min", "private_room", "companion", "note")
REQUIRED = COLUMNS[:4]
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0", ""}
_EXTRA = "\0extra"  # where DictReader puts fields beyond the header
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class RowError:
    """A row that was not imported: its line in the file and why, in words."""

    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.reasons)


@dataclass(frozen=True)
class ImportReport:
    """What the import did: appointments stored, rows refused."""

    imported: tuple[Appointment, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_start(text: str, clinic_tz: tzinfo) -> datetime:
    """``2026-11-25 08:30`` in the clinic's zone, or ISO 8601 with an offset."""
    text = text.strip()
    for fmt in _LOCAL_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=clinic_tz)
        except ValueError:
            continue
    moment = datetime.fromisoformat(text)  # raises ValueError with Python's words
    if moment.tzinfo is None:
        return moment.replace(tzinfo=clinic_tz)
    return moment


def _flag(text: str, column: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{column} must be yes or no, not {text!r}")


def parse_row(row: dict[str, str], clinic_tz: tzinfo) -> tuple[Booking | None, list[str]]:
    """A booking from one CSV row, or the reasons the row cannot be read."""
    problems = [f"{c} is empty" for c in REQUIRED if not (row.get(c) or "").strip()]
    if problems:
        return None, problems
    start = duration = None
    flags = {}
    try:
        start = parse_start(row["start"], clinic_tz)
    except ValueError:
        problems.append(f"start {row['start']!r} is not a time like 2026-11-25 08:30")
    try:
        duration = int(row["duration_min"].strip())
    except ValueError:
        problems.append(f"duration_min {row['duration_min']!r} is not a whole number of minutes")
    for column in ("private_room", "companion"):
        try:
            flags[column] = _flag(row.get(column) or "", column)
        except ValueError as err:
            problems.append(str(err))
    if problems or start is None or duration is None:
        return None, problems
    return Booking(row["patient_mrn"].strip(), row["chair"].strip(), start, duration,
                   flags["private_room"], flags["companion"], (row.get("note") or "").strip()), []


def _header_error(fields: Sequence[str] | None) -> RowError | None:
    names = [f.strip() for f in fields or []]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [f for f in names if f not in COLUMNS]
    reasons = []
    if missing:
        reasons.append("missing column(s): " + ", ".join(missing))
    if unknown:
        reasons.append("unknown column(s): " + ", ".join(unknown))
    return RowError(1, tuple(reasons)) if reasons else None


class ScheduleImporter:
    """Reads the CSV format of docs/schedule-import.md into appointments."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def import_text(self, text: str) -> ImportReport:
        """Import CSV text; good rows are committed together before this returns."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), restkey=_EXTRA)
        header = _header_error(reader.fieldnames)
        if header is not None:
            return ImportReport((), (header,))
        reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
        errors: list[RowError] = []
        accepted: list[Booking] = []
        imported: list[Appointment] = []
        line_of: dict[int, int] = {}
        with writing(self._ctx, "import the schedule") as session:
            line = 1
            for row in reader:
                first_line, line = line + 1, reader.line_num
                if row.get(_EXTRA):
                    errors.append(RowError(first_line, ("more fields than columns",)))
                    continue
                booking, problems = parse_row(row, self._ctx.clinic_tz)
                refusals: list[Refusal] = []
                if booking is not None:
                    refusals, patient, chair = booking_refusals(session, booking, accepted)
                if problems or refusals or booking is None:
                    errors.append(RowError(first_line, (*problems, *(r.reason for r in refusals))))
                    continue
                assert patient is not None and chair is not None
                accepted.append(booking)
                line_of[id(booking)] = first_line
                imported.append(new_appointment(booking, patient, chair))
            session.add_all(imported)
            session.flush()
            for appointment, booking in zip(imported, accepted, strict=True):
                audit(session, self._ctx, "appointment.imported", appointment,
                      {"chair": booking.chair_label, "line": line_of[id(booking)],
                       "mrn": booking.patient_mrn, "start_at": iso(booking.start_at)})
        return ImportReport(tuple(imported), tuple(errors))
