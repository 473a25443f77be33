"""The trainer's console window: the simulator, its pumps, faults, scenario, recording.

A thin view: `SimulatorLink` does all the talking to the simulator (off the GUI
thread); the window forwards what the trainer does and shows what the polls bring.
Delayed injections ("in 120 s") wait here, on the simulator's clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.trainer.fault_panel import FaultPanel
from ui.trainer.pressure_plot import PressurePlot
from ui.trainer.pump_model import PumpTableModel
from ui.trainer.record_panel import RecordPanel
from ui.trainer.scenario_panel import ScenarioPanel
from ui.trainer.sim_link import SimulatorLink
from ui.widgets.redraw_clock import RedrawClock

TOUCH_PX = 44
TABLE_MAX_PX = 180  # about five pumps; the plot takes the rest


class TrainerWindow(QMainWindow):
    """`closed` is emitted once the link and the redraw clock are stopped."""

    closed = Signal()

    def __init__(self, link: SimulatorLink, runs_folder: Path | None = None,
                 sim_args: Sequence[str] = (), seed: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim_args = list(sim_args)  # more pump-sim options for "Start simulator"
        self.seed = seed
        self.setWindowTitle("TRAINING - Trainer's console (simulated pumps)")
        self.link = link
        self.pumps = PumpTableModel()
        self.table = QTableView()
        self.table.setAccessibleName("Simulated pumps")
        self.table.setModel(self.pumps)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.plot = PressurePlot()
        self.faults = FaultPanel()
        self.scenario = ScenarioPanel()
        self.recording = RecordPanel(runs_folder)
        self.pump_count = QSpinBox()
        self.pump_count.setAccessibleName("Number of pumps")
        self.pump_count.setRange(1, 8)
        self.pump_count.setValue(2)
        self.start_speed = QDoubleSpinBox()
        self.start_speed.setRange(1, 60)
        self.start_speed.setDecimals(0)
        self.start_speed.setSuffix("x")
        self.start_speed.setValue(1)
        self.start_button = QPushButton("Start simulator")
        self.stop_button = QPushButton("Stop simulator")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Console message")
        self.pending: list[tuple[float, dict[str, Any]]] = []
        self.time_s = 0.0
        self.clock = RedrawClock(parent=self)
        self.clock.add_plot(self.plot)
        self._build()
        self._connect()
        self._on_disconnected()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        mark = QLabel("TRAINING - simulated pumps only, no patient")
        mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mark.setStyleSheet("background: #f0e442; color: #000000; font-size: 12pt;"
                           " font-weight: bold; padding: 2px; border: 3px dashed #000000;")
        simulator = QGroupBox("Simulator")
        row = QHBoxLayout(simulator)
        row.addWidget(QLabel("Pumps"))
        row.addWidget(self.pump_count)
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.start_speed)
        for button in (self.start_button, self.stop_button):
            button.setMinimumHeight(TOUCH_PX)
            row.addWidget(button)
        row.addWidget(self.message, 1)
        top = QHBoxLayout()
        top.addWidget(simulator, 1)
        top.addWidget(self.recording, 1)
        self.table.setMaximumHeight(TABLE_MAX_PX)
        self.table.verticalHeader().setDefaultSectionSize(26)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        left_layout.addWidget(self.plot, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.faults)
        right_layout.addWidget(self.scenario, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(mark)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        link = self.link
        link.connected.connect(self._on_connected)
        link.disconnected.connect(self._on_disconnected)
        link.polled.connect(self._on_polled)
        link.refused.connect(self.say)
        self.start_button.clicked.connect(self.start_simulator)
        self.stop_button.clicked.connect(link.stop_simulator)
        self.faults.inject.connect(self._inject)
        self.faults.clear.connect(link.send)
        self.faults.keypad.connect(
            lambda message: link.send(message, lambda _r: self.say(
                f"pressed {', '.join(message['keys'])} at the pump")))
        self.scenario.request.connect(link.send)
        self.scenario.speed_changed.connect(
            lambda speed: link.send({"op": "speed", "speed": speed}))
        self.recording.request.connect(self._record)
        self.recording.replay.connect(self._replay)

    # -- the trainer's actions ------------------------------------------------------------------

    def start_simulator(self) -> None:
        self.say("starting the simulator ...")
        self.link.start_simulator(self.pump_count.value(), self.start_speed.value(), self.seed,
                                  self.sim_args)

    def _inject(self, message: dict[str, Any], in_s: float) -> None:
        if in_s <= 0:
            self._send_injection(message)
            return
        self.pending.append((self.time_s + in_s, message))
        self._show_pending()

    def _record(self, message: dict[str, Any]) -> None:
        if message.get("action") == "stop":
            self.link.send(message, lambda reply: self.recording.recorded(reply["files"]))
        else:
            self.link.send(message)

    def _replay(self, run_file: str) -> None:
        self.scenario.add_file(Path(run_file))
        self.link.send({"op": "scenario", "action": "load", "path": run_file},
                       lambda _r: self.say(f"loaded the recorded run {run_file}; press Start"))

    def say(self, text: str) -> None:
        self.message.setText(text)

    # -- what the simulator says --------------------------------------------------------------

    def _on_connected(self, ports: list[dict[str, Any]]) -> None:
        self.pumps.set_ports(ports)
        rows = self.table.verticalHeader().defaultSectionSize() * len(ports)
        self.table.setMaximumHeight(min(TABLE_MAX_PX, rows + self.table.horizontalHeader()
                                        .sizeHint().height() + 4))
        numbers = self.pumps.pump_numbers()
        self.faults.set_pumps(numbers)
        self.plot.set_pumps(numbers)
        self.link.send({"op": "faults"}, lambda reply: self.faults.set_catalogue(reply["faults"]))
        self.say(f"{len(ports)} simulated pump(s) ready; control socket {self.link.control}")
        self._enable(True)

    def _on_disconnected(self) -> None:
        self.pumps.set_ports([])
        self.faults.set_catalogue({})
        self.pending = []
        self._show_pending()
        self._enable(False)

    def _enable(self, connected: bool) -> None:
        self.start_button.setEnabled(not connected)
        self.pump_count.setEnabled(not connected)
        self.stop_button.setEnabled(connected)
        for part in (self.scenario, self.recording):
            part.setEnabled(connected)

    def _on_polled(self, pumps: list[dict[str, Any]], scenario: dict[str, Any]) -> None:
        self.pumps.update(pumps)
        for pump in pumps:
            self.plot.add(int(pump["pump"]), float(pump["time_s"]),
                          float(pump["sensed_pressure_mmhg"]))
        if pumps:
            self.time_s = max(float(p["time_s"]) for p in pumps)
        if scenario:
            self.scenario.show_state(scenario)
            self.recording.show_recording(scenario.get("recording"))
        self._send_due()

    def _send_due(self) -> None:
        due = [m for at, m in self.pending if at <= self.time_s]
        if not due:
            return
        self.pending = [(at, m) for at, m in self.pending if at > self.time_s]
        for message in due:
            self._send_injection(message)
        self._show_pending()

    def _send_injection(self, message: dict[str, Any]) -> None:
        fault = str(message["fault"])
        self.link.send(message, lambda _reply: self.say(f"injected {fault}"))

    def _show_pending(self) -> None:
        self.faults.show_pending([f"{m['fault']} at {at:.0f} s" for at, m in self.pending])

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self.clock.start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.clock.stop()
        self.link.close()
        super().closeEvent(event)
        self.closed.emit()
