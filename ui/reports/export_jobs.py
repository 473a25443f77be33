"""One export of stored records to a file: what the CLI and the UI's Export action run.

Runs off the GUI thread in the UI (the PDF writers paint on a QPdfWriter, which Qt
allows on any thread); needs a QGuiApplication for fonts.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from station.interop.fhir_bundle import bundle_json, visit_bundle
from station.interop.mllp_sender import MllpSender
from station.interop.outbox import Outbox
from station.interop.pcd01 import pcd01_messages
from station.interop.pcd04 import pcd04_messages
from station.interop.pcd10 import pcd10_messages
from station.records import (
    VisitRecord,
    load_shift_report,
    load_visit_record,
    write_infusion_csv,
)
from ui.reports.shift_pdf import write_shift_pdf
from ui.reports.visit_pdf import write_visit_pdf

KINDS = ("pdf", "shift", "csv", "hl7", "fhir")


@dataclass(frozen=True)
class ExportRequest:
    """What to export and where; ``output`` None writes text kinds to stdout."""

    kind: str
    output: Path | None
    infusion_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    tz: tzinfo = UTC
    training: bool = False
    send_to: tuple[str, int] | None = None  # hl7: also queue and send over MLLP
    periodic_s: float | None = None  # hl7: add PCD-01 at this interval


def run_export(sessions: sessionmaker[Session], request: ExportRequest,
               clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> str:
    """Do the export; a one-line account of what was written (and sent)."""
    if request.kind not in KINDS:
        raise ValueError(f"unknown export {request.kind!r}: one of {', '.join(KINDS)}")
    if request.kind == "shift":
        return _shift(sessions, request)
    if request.infusion_id is None:
        raise ValueError(f"export {request.kind} needs an infusion id")
    record = load_visit_record(sessions, request.infusion_id)
    if request.kind == "pdf":
        path = _needs_file(request)
        write_visit_pdf(record, path, tz=request.tz, training=request.training)
        return f"wrote the infusion record to {path}"
    if request.kind == "csv":
        text = io.StringIO()
        rows = write_infusion_csv(record, text, training=request.training)
        return _emit(request, text.getvalue(), f"{rows} rows")
    if request.kind == "fhir":
        bundle = visit_bundle(record, training=request.training)
        return _emit(request, bundle_json(bundle) + "\n",
                     f"a FHIR bundle of {len(bundle.entry or [])} resources")
    return _hl7(sessions, request, record, clock)


def _shift(sessions: sessionmaker[Session], request: ExportRequest) -> str:

    if request.start is None or request.end is None:
        raise ValueError("export shift needs --from and --to")
    report = load_shift_report(sessions, request.start, request.end)
    path = _needs_file(request)
    write_shift_pdf(report, path, tz=request.tz, training=request.training)
    return f"wrote the shift report ({report.infusions} infusions) to {path}"


def _hl7(sessions: sessionmaker[Session], request: ExportRequest, record: object,
         clock: Callable[[], datetime]) -> str:
    assert isinstance(record, VisitRecord)
    messages = pcd10_messages(record, training=request.training) + pcd04_messages(
        record, training=request.training)
    if request.periodic_s:
        messages += pcd01_messages(record, interval_s=request.periodic_s,
                                   training=request.training)
    # One segment a line, a blank line between messages (ER7 uses CR within a message).
    said = _emit(request, "\n\n".join(text.replace("\r", "\n") for _, text in messages) + "\n",
                 f"{len(messages)} HL7 messages")
    if request.send_to is None:
        return said

    outbox = Outbox(sessions, clock)
    queued = outbox.enqueue(messages, infusion_id=record.infusion.infusion_id)
    host, port = request.send_to
    report = MllpSender(outbox, host, port).send_pending()
    sent = f"{said}; queued {queued} new, {report.acknowledged} acknowledged by {host}:{port}"
    if report.error:
        raise ExportIncompleteError(f"{sent}; stopped: {report.error} (the rest stay queued)")
    return sent


class ExportIncompleteError(RuntimeError):
    """The file was written but not everything was sent; the outbox keeps the rest."""


def _needs_file(request: ExportRequest) -> Path:
    if request.output is None:
        raise ValueError(f"export {request.kind} writes a PDF: give -o FILE.pdf")
    return request.output


def _emit(request: ExportRequest, text: str, what: str) -> str:
    if request.output is None:
        sys.stdout.write(text)
        return f"wrote {what} to standard output"
    request.output.write_text(text, encoding="utf-8")
    return f"wrote {what} to {request.output}"
