"""Record a training run (each pump's trace and the run's actions) and replay it.

The simulator writes the files (docs/simulator.md, `record`): `pumpN.csv` with the
ground-truth faults column and `run.json`, a scenario of every action of the run;
replaying is loading that scenario and starting it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import platformdirs
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from devices.simulator.run_control import RUN_FILE
from station.persistence.database import APP_NAME

TOUCH_PX = 44


def default_runs_folder() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "training" / "runs"


class RecordPanel(QGroupBox):
    """Signals: `request(message)` (record start/stop), `replay(run_file)`."""

    request = Signal(dict)
    replay = Signal(str)

    def __init__(self, runs_folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Recording", parent)
        self.runs_folder = runs_folder or default_runs_folder()
        self.folder = QLineEdit()
        self.folder.setAccessibleName("Recording folder")
        self.record_button = QPushButton("Record")
        self.stop_button = QPushButton("Stop recording")
        self.replay_button = QPushButton("Replay a run...")
        for button in (self.record_button, self.stop_button, self.replay_button):
            button.setMinimumHeight(TOUCH_PX)
        self.record_button.clicked.connect(self._record)
        self.stop_button.clicked.connect(
            lambda: self.request.emit({"op": "record", "action": "stop"}))
        self.replay_button.clicked.connect(self._choose_replay)
        self.files = QLabel("")
        self.files.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.record_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.replay_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        layout.addWidget(self.folder)
        layout.addLayout(row)
        layout.addWidget(self.files)
        self.new_folder()
        self.show_recording(None)

    def new_folder(self) -> None:
        self.folder.setText(str(self.runs_folder / f"{datetime.now(UTC):%Y%m%d-%H%M%S}"))

    def _record(self) -> None:
        self.request.emit({"op": "record", "action": "start", "dir": self.folder.text()})

    def _choose_replay(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A recorded run", str(self.runs_folder))
        if folder:
            self.replay_run(Path(folder))

    def replay_run(self, folder: Path) -> None:
        self.replay.emit(str(folder / RUN_FILE))

    def recorded(self, files: list[str]) -> None:
        """The simulator's reply to `record stop`."""
        self.files.setText("Recorded: " + ", ".join(Path(f).name for f in files)
                           + f" in {Path(files[0]).parent}" if files else "")
        self.new_folder()

    def show_recording(self, folder: str | None) -> None:
        self.record_button.setEnabled(folder is None)
        self.stop_button.setEnabled(folder is not None)
        self.folder.setEnabled(folder is None)
        if folder is not None:
            self.files.setText(f"Recording into {folder}")
