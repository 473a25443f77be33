"""The UI's Export actions: write one visit's record (PDF, CSV, FHIR or HL7) off the GUI
thread, as `infusion-station export` does."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject, Signal

from station.services import StationServices
from ui.reports.export_jobs import ExportRequest, run_export
from ui.workflows.service_runner import ServiceRunner


def default_export_dir() -> Path:
    """Where exports go unless the station is told otherwise."""
    return platformdirs.user_documents_path() / "infusion-station"


# The per-visit kinds of `infusion-station export`: file ending and what the nurse reads.
VISIT_EXPORTS = {
    "pdf": (".pdf", "the infusion record"),
    "csv": (".csv", "the infusion's telemetry and events (CSV)"),
    "fhir": (".fhir.json", "the visit as a FHIR bundle"),
    "hl7": (".hl7", "the visit's HL7 messages"),
}


class RecordExport(QObject):
    """Runs one export of an infusion's record (``kind``: a key of `VISIT_EXPORTS`) on the
    service runner's thread; ``exported`` carries the file, ``failed`` a sentence."""

    exported = Signal(str)
    failed = Signal(str)

    def __init__(self, services: StationServices, runner: ServiceRunner, infusion_id: int, *,
                 folder: Path | None = None, training: bool = False, tz: tzinfo = UTC,
                 kind: str = "pdf", parent: QObject | None = None) -> None:
        super().__init__(parent)
        if kind not in VISIT_EXPORTS:
            raise ValueError(f"unknown visit export {kind!r}: one of {', '.join(VISIT_EXPORTS)}")
        self.kind = kind
        self._services, self._runner, self._infusion_id = services, runner, infusion_id
        self._folder = folder or default_export_dir()
        self._training, self._tz = training, tz

    def start(self) -> None:
        now = self._services.context.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        prefix = "TRAINING-" if self._training else ""
        ending, what = VISIT_EXPORTS[self.kind]
        path = self._folder / f"{prefix}infusion-{self._infusion_id}-{now}{ending}"
        request = ExportRequest(self.kind, path, self._infusion_id, tz=self._tz,
                                training=self._training)
        sessions, folder = self._services.context.sessions, self._folder

        def work() -> Any:
            folder.mkdir(parents=True, exist_ok=True)
            run_export(sessions, request, clock=lambda: datetime.now(UTC))
            return str(path)

        self._runner.call(work, self.exported.emit, self.failed.emit,
                          doing=f"export {what}")
