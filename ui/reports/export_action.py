"""The UI's Export action: write the visit's record as a PDF off the GUI thread."""

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


class RecordExport(QObject):
    """Runs one PDF export of an infusion's record on the service runner's thread;
    ``exported`` carries the file, ``failed`` a sentence for the nurse."""

    exported = Signal(str)
    failed = Signal(str)

    def __init__(self, services: StationServices, runner: ServiceRunner, infusion_id: int, *,
                 folder: Path | None = None, training: bool = False, tz: tzinfo = UTC,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services, self._runner, self._infusion_id = services, runner, infusion_id
        self._folder = folder or default_export_dir()
        self._training, self._tz = training, tz

    def start(self) -> None:
        now = self._services.context.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        prefix = "TRAINING-" if self._training else ""
        path = self._folder / f"{prefix}infusion-{self._infusion_id}-{now}.pdf"
        request = ExportRequest("pdf", path, self._infusion_id, tz=self._tz,
                                training=self._training)
        sessions, folder = self._services.context.sessions, self._folder

        def work() -> Any:
            folder.mkdir(parents=True, exist_ok=True)
            run_export(sessions, request, clock=lambda: datetime.now(UTC))
            return str(path)

        self._runner.call(work, self.exported.emit, self.failed.emit,
                          doing="export the infusion record")
