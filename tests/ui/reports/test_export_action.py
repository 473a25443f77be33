"""The UI's Export action: the record written off the GUI thread, reported by signals."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from tests.records.visit import BuiltVisit
from tests.services.world import World
from ui.reports import export_jobs
from ui.reports.export_action import RecordExport
from ui.workflows.service_runner import ServiceRunner

MakeExport = Callable[[Path, bool], RecordExport]


@pytest.fixture
def runner() -> Iterator[ServiceRunner]:
    service_runner = ServiceRunner()
    yield service_runner
    assert service_runner.shutdown()


@pytest.fixture
def make_export(world: World, visit: BuiltVisit, runner: ServiceRunner) -> MakeExport:
    """An export of the stored visit into a folder, training or not."""
    return lambda folder, training: RecordExport(world.svc, runner, visit.infusion_id,
                                                 folder=folder, training=training)


@pytest.fixture
def pdf_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the threads the visit PDF was written on."""
    threads: list[str] = []
    real = export_jobs.write_visit_pdf

    def spy(*args: object, **kwargs: object) -> None:
        threads.append(threading.current_thread().name)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export_jobs, "write_visit_pdf", spy)
    return threads


def test_the_record_is_written_off_the_gui_thread(
        qtbot: QtBot, make_export: MakeExport, pdf_threads: list[str], tmp_path: Path) -> None:
    action = make_export(tmp_path / "out", True)  # the folder is made by the export
    with qtbot.waitSignal(action.exported, timeout=30000) as done:
        action.start()
    path = Path(done.args[0])
    assert path.parent == tmp_path / "out" and path.name.startswith("TRAINING-infusion-")
    assert pdf_threads and pdf_threads[0] != threading.main_thread().name
    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    assert "TRAINING" in doc.getAllText(0).text()


def test_a_folder_that_cannot_be_made_is_a_sentence(
        qtbot: QtBot, make_export: MakeExport, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    action = make_export(blocker / "sub", False)
    with qtbot.waitSignal(action.failed, timeout=30000) as failed:
        action.start()
    assert failed.args[0].startswith("Could not export the infusion record")


@pytest.mark.parametrize("kind", ["csv", "fhir", "hl7"])
def test_the_data_exports_write_what_the_command_line_writes(  # noqa: PLR0917
        qtbot: QtBot, world: World, visit: BuiltVisit, runner: ServiceRunner, tmp_path: Path,
        kind: str) -> None:
    action = RecordExport(world.svc, runner, visit.infusion_id, folder=tmp_path, kind=kind)
    with qtbot.waitSignal(action.exported, timeout=30000) as done:
        action.start()
    path = Path(done.args[0])
    expected = tmp_path / "expected"
    export_jobs.run_export(world.svc.context.sessions,
                           export_jobs.ExportRequest(kind, expected, visit.infusion_id))
    assert path.suffix in {".csv", ".json", ".hl7"}
    written, wanted = path.read_text(encoding="utf-8"), expected.read_text(encoding="utf-8")
    if kind == "fhir":  # the bundle's own id and timestamp differ from one export to the next
        assert json.loads(written)["resourceType"] == "Bundle"
        assert len(json.loads(written)["entry"]) == len(json.loads(wanted)["entry"])
    elif kind == "hl7":
        assert written.startswith("MSH|") and written.count("MSH|") == wanted.count("MSH|") > 0
    else:
        assert written == wanted and written.count("\n") > 1


def test_an_unknown_export_kind_is_refused(world: World, visit: BuiltVisit,
                                           runner: ServiceRunner) -> None:
    with pytest.raises(ValueError, match="unknown visit export"):
        RecordExport(world.svc, runner, visit.infusion_id, kind="docx")
