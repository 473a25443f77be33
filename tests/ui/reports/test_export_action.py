"""The UI's Export action: the record written off the GUI thread, reported by signals."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from tests.records.visit import BuiltVisit
from tests.services.world import World
from ui.reports import export_jobs
from ui.reports.export_action import RecordExport
from ui.workflows.service_runner import ServiceRunner


@pytest.fixture
def runner() -> Iterator[ServiceRunner]:
    service_runner = ServiceRunner()
    yield service_runner
    assert service_runner.shutdown()


def test_the_record_is_written_off_the_gui_thread(
        qtbot: QtBot, world: World, visit: BuiltVisit, runner: ServiceRunner, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    real = export_jobs.write_visit_pdf

    def spy(*args: object, **kwargs: object) -> None:
        threads.append(threading.current_thread().name)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export_jobs, "write_visit_pdf", spy)
    action = RecordExport(world.svc, runner, visit.infusion_id, folder=tmp_path / "out",
                          training=True)
    with qtbot.waitSignal(action.exported, timeout=30000) as done:
        action.start()
    path = Path(done.args[0])
    assert path.parent == tmp_path / "out" and path.name.startswith("TRAINING-infusion-")
    assert threads and threads[0] != threading.main_thread().name
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    assert "TRAINING" in doc.getAllText(0).text()


def test_a_folder_that_cannot_be_made_is_a_sentence(
        qtbot: QtBot, world: World, visit: BuiltVisit, runner: ServiceRunner,
        tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    action = RecordExport(world.svc, runner, visit.infusion_id, folder=blocker / "sub")
    with qtbot.waitSignal(action.failed, timeout=30000) as failed:
        action.start()
    assert failed.args[0].startswith("Could not export the infusion record")
