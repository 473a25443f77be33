"""`infusion-station export KIND ...`: open the database, run one export, say what happened."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from station.interop.hl7_read import Hl7FormatError
from station.persistence import make_sessionmaker, open_database
from station.persistence.errors import StorageError
from station.records.visit_loader import VisitNotFoundError
from ui.reports.export_args import parse_host_port, parse_time, parse_zone
from ui.reports.export_jobs import ExportIncompleteError, ExportRequest, run_export


def run_export_command(args: argparse.Namespace) -> int:
    """0 when done, 1 when the export failed (nothing half written is claimed), 2 for
    arguments that cannot be right."""
    try:
        request = _request(args)
    except ValueError as exc:
        print(f"infusion-station export {args.kind}: {exc}", file=sys.stderr)
        return 2
    # Fonts for the PDF writer; the offscreen platform is enough.
    app = QGuiApplication.instance() or QGuiApplication(["infusion-station", "-platform",
                                                         "offscreen"])
    try:
        engine = open_database(args.db)
        try:
            said = run_export(make_sessionmaker(engine), request)
        finally:
            engine.dispose()
    except (StorageError, VisitNotFoundError, ValueError, Hl7FormatError,
            ExportIncompleteError, OSError) as exc:
        print(f"infusion-station export {args.kind}: {exc}", file=sys.stderr)
        return 1
    finally:
        del app
    print(said, file=sys.stdout if request.output else sys.stderr)
    return 0


def _request(args: argparse.Namespace) -> ExportRequest:
    tz = parse_zone(args.tz)
    return ExportRequest(
        kind=args.kind, output=Path(args.output) if args.output else None,
        infusion_id=getattr(args, "infusion", None),
        start=parse_time(args.start, tz) if args.kind == "shift" else None,
        end=parse_time(args.end, tz) if args.kind == "shift" else None,
        tz=tz, training=args.training,
        send_to=parse_host_port(args.send) if getattr(args, "send", None) else None,
        periodic_s=getattr(args, "periodic", None))
