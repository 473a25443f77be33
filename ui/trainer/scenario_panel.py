"""Load a scenario, start, pause, resume, stop it, change the speed; the trainer's log.

The prompts are the scenario's lines for the trainer ("play the patient: ..."): the
newest is shown large above the log, and each stays in the log with its time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ui.trainer.prompt_model import LogEntry, PromptLogModel

MIN_SPEED, MAX_SPEED = 1, 60
TOUCH_PX = 44


def shipped_scenarios() -> list[Path]:
    """The files in resources/scenarios/, beside the packages."""
    folder = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
    return sorted(p for p in folder.glob("*.*") if p.suffix in (".toml", ".json"))


class ScenarioPanel(QGroupBox):
    """Signals: `request(message)` (a control request), `speed_changed(x)`."""

    request = Signal(dict)
    speed_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Scenario", parent)
        self.files = QComboBox()
        self.files.setAccessibleName("Scenario file")
        for path in shipped_scenarios():
            self.files.addItem(path.stem, str(path))
        self.open_button = QPushButton("Open...")
        self.load_button = QPushButton("Load")
        self.open_button.clicked.connect(self._open_file)
        self.load_button.clicked.connect(self.load_selected)
        self.heading = QLabel("No scenario loaded")
        self.heading.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.description = QLabel("")
        self.description.setWordWrap(True)
        self.stand_in = QCheckBox("Play the trainee's part too (no trainee at the station)")
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.stop_button = QPushButton("Stop")
        for button, action in ((self.start_button, "start"), (self.pause_button, "pause"),
                               (self.resume_button, "resume"), (self.stop_button, "stop")):
            button.setMinimumHeight(TOUCH_PX)
            button.clicked.connect(lambda _=False, a=action: self._act(a))
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setAccessibleName("Speed")
        self.speed.setRange(MIN_SPEED, MAX_SPEED)
        self.speed_label = QLabel("1x")
        self.speed.valueChanged.connect(lambda v: self.speed_label.setText(f"{v}x"))
        self.speed.sliderReleased.connect(self._speed_set)
        self.speed.valueChanged.connect(self._speed_from_keys)
        self.clock = QLabel("")
        self.prompt = QLabel("")
        self.prompt.setAccessibleName("Trainer prompt")
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("background: #f0e442; color: #000000; font-size: 13pt;"
                                  " padding: 6px; border: 2px solid #000000;")
        self.prompt.hide()
        self.log = PromptLogModel()
        self.log_view = QListView()
        self.log_view.setAccessibleName("Scenario log")
        self.log_view.setModel(self.log)
        self.log_view.setWordWrap(True)
        self._state = "none"
        self._build()
        self.show_state({})

    def _build(self) -> None:
        chooser = QHBoxLayout()
        chooser.addWidget(self.files, 1)
        chooser.addWidget(self.open_button)
        chooser.addWidget(self.load_button)
        controls = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.resume_button,
                       self.stop_button):
            controls.addWidget(button)
        speed = QHBoxLayout()
        speed.addWidget(QLabel("Speed"))
        speed.addWidget(self.speed, 1)
        speed.addWidget(self.speed_label)
        speed.addWidget(self.clock)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(chooser)
        layout.addWidget(self.heading)
        layout.addWidget(self.description)
        layout.addWidget(self.stand_in)
        layout.addLayout(controls)
        layout.addLayout(speed)
        layout.addWidget(self.prompt)
        layout.addWidget(self.log_view, 1)

    # -- what the trainer does ------------------------------------------------------------

    def _open_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a scenario", "",
                                              "Scenarios (*.toml *.json)")
        if name:
            self.add_file(Path(name))

    def add_file(self, path: Path) -> None:
        """Put a file in the chooser and select it (a recorded run, an opened file)."""
        index = self.files.findData(str(path))
        if index < 0:
            self.files.addItem(path.stem if path.name != "run.json" else
                               f"replay {path.parent.name}", str(path))
            index = self.files.count() - 1
        self.files.setCurrentIndex(index)

    def load_selected(self) -> None:
        path = self.files.currentData()
        if path:
            self.request.emit({"op": "scenario", "action": "load", "path": path})

    def _act(self, action: str) -> None:
        message: dict[str, Any] = {"op": "scenario", "action": action}
        if action == "start":
            message["stand_in"] = self.stand_in.isChecked()
            self.log.clear()
            self.prompt.hide()
        self.request.emit(message)

    def _speed_set(self) -> None:
        self.speed_changed.emit(float(self.speed.value()))

    def _speed_from_keys(self, value: int) -> None:
        if not self.speed.isSliderDown():
            self.speed_changed.emit(float(value))

    def set_speed(self, speed: float) -> None:
        """The simulator's speed, without sending it back."""
        self.speed.blockSignals(True)
        self.speed.setValue(round(min(max(speed, MIN_SPEED), MAX_SPEED)))
        self.speed.blockSignals(False)
        self.speed_label.setText(f"{speed:g}x")

    # -- what the simulator says -------------------------------------------------------------

    def show_state(self, status: dict[str, Any]) -> None:
        """A poll's `scenario status` reply."""
        state = str(status.get("state", "none"))
        self._state = state
        if status.get("title"):
            self.heading.setText(f"{status['title']} ({state})")
            self.description.setText(" ".join(str(status.get("description") or "").split()))
            source = status.get("source")
            if source and source != self.files.currentData() and Path(source).exists():
                self.add_file(Path(source))
            if state in ("running", "paused"):
                self.stand_in.setChecked(bool(status.get("stand_in")))
        else:
            self.heading.setText("No scenario loaded")
        entries = [LogEntry.of(f) for f in status.get("fired", [])]
        self.log.append(entries)
        if entries:
            self.log_view.scrollToBottom()
        latest = self.log.latest_prompt()
        if latest is not None and latest.prompt:
            minutes, seconds = divmod(int(latest.at_s), 60)
            self.prompt.setText(f"{minutes}:{seconds:02d}  {latest.prompt}")
            self.prompt.show()
        if "speed" in status:
            self.set_speed(float(status["speed"]))
        elapsed = float(status.get("elapsed_s") or 0.0)
        minutes, seconds = divmod(int(elapsed), 60)
        self.clock.setText(f"scenario {minutes}:{seconds:02d}" if state != "none" else "")
        loaded = state != "none"
        self.start_button.setEnabled(loaded and state not in ("running", "paused"))
        self.pause_button.setEnabled(state == "running")
        self.resume_button.setEnabled(state == "paused")
        self.stop_button.setEnabled(state in ("running", "paused"))
