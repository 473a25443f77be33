"""Inject any fault the simulator has, with its parameters, now or later; clear them.

The list of faults and their parameters (default, range or choices) is the simulator's
own (`{"op": "faults"}`), so a fault added there appears here without a change.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

ALL_PUMPS = "all pumps"
INSTANT = frozenset({"power_cycle"})  # an event: no duration
TOUCH_PX = 44


class FaultPanel(QGroupBox):
    """Signals: `inject(request, in_s)` (a control request, and after how many simulated
    seconds), `clear(request)`."""

    inject = Signal(dict, float)
    clear = Signal(dict)
    keypad = Signal(dict)  # a request typed at the pump's own keys (the nurse at the pump)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Faults", parent)
        self.catalogue: dict[str, dict[str, dict[str, Any]]] = {}
        self.pump = QComboBox()
        self.pump.setAccessibleName("Pump for the fault")
        self.fault = QComboBox()
        self.fault.setAccessibleName("Fault")
        self.fault.currentTextChanged.connect(self._build_params)
        self.params_box = QWidget()
        self.params = QFormLayout(self.params_box)
        self.params.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, QDoubleSpinBox | QComboBox] = {}
        self.in_s = self._seconds("Inject in (simulated s, 0 = now)", 86400.0)
        self.for_s = self._seconds("Lasting (simulated s, 0 = until cleared)", 86400.0)
        self.inject_button = QPushButton("Inject")
        self.clear_button = QPushButton("Clear this fault")
        self.clear_all_button = QPushButton("Clear all faults")
        for button in (self.inject_button, self.clear_button, self.clear_all_button):
            button.setMinimumHeight(TOUCH_PX)
        self.inject_button.clicked.connect(self._on_inject)
        self.clear_button.clicked.connect(lambda: self.clear.emit(
            {"op": "clear", "pump": self._pump(), "fault": self.fault.currentText()}))
        self.clear_all_button.clicked.connect(lambda: self.clear.emit(
            {"op": "clear", "pump": self._pump()}))
        self.rate = QDoubleSpinBox()
        self.rate.setAccessibleName("Rate at the pump's keys")
        self.rate.setRange(0.1, 999.0)
        self.rate.setValue(100.0)
        self.rate.setSuffix(" mL/h")
        self.key_buttons = {name: QPushButton(name) for name in ("Set rate", "Run", "Stop")}
        for name, button in self.key_buttons.items():
            button.setMinimumHeight(TOUCH_PX)
            button.clicked.connect(lambda _=False, n=name: self._press(n))
        self.pending = QLabel("")
        self.pending.setWordWrap(True)
        form = QGridLayout()
        cells: tuple[tuple[str, QWidget], ...] = (
            ("Pump", self.pump), ("Fault", self.fault), ("In", self.in_s),
            ("Lasting", self.for_s))
        for position, (label, widget) in enumerate(cells):
            row, column = divmod(position, 2)
            form.addWidget(QLabel(label), row, 2 * column)
            form.addWidget(widget, row, 2 * column + 1)
        buttons = QHBoxLayout()
        for button in (self.inject_button, self.clear_button, self.clear_all_button):
            buttons.addWidget(button)
        keys = QHBoxLayout()
        keys.addWidget(QLabel("At the pump's keys"))
        keys.addWidget(self.rate)
        for button in self.key_buttons.values():
            keys.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.params_box)
        layout.addLayout(buttons)
        layout.addLayout(keys)
        layout.addWidget(self.pending)
        self.setEnabled(False)

    @staticmethod
    def _seconds(name: str, maximum: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setAccessibleName(name)
        box.setRange(0.0, maximum)
        box.setDecimals(0)
        box.setSuffix(" s")
        box.setSpecialValueText("now" if "in" in name.lower().split() else "until cleared")
        return box

    def set_pumps(self, pumps: list[int]) -> None:
        self.pump.clear()
        self.pump.addItems([ALL_PUMPS, *(f"pump {p}" for p in pumps)])
        self.pump.setCurrentIndex(1 if pumps else 0)

    def set_catalogue(self, catalogue: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.catalogue = catalogue
        self.fault.clear()
        self.fault.addItems(list(catalogue))
        self.setEnabled(bool(catalogue))

    def select(self, fault: str, **values: float | str) -> None:
        """Choose a fault and set some of its parameters (tests, and shortcuts)."""
        self.fault.setCurrentText(fault)
        for name, value in values.items():
            editor = self.editors[name]
            if isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            else:
                editor.setValue(float(value))

    def _build_params(self, fault: str) -> None:
        while self.params.rowCount():
            self.params.removeRow(0)
        self.editors = {}
        for name, spec in self.catalogue.get(fault, {}).items():
            editor: QDoubleSpinBox | QComboBox
            if "choices" in spec:
                editor = QComboBox()
                editor.addItems([str(c) for c in spec["choices"]])
            else:
                editor = QDoubleSpinBox()
                editor.setDecimals(2)
                editor.setRange(float(spec["min"]), float(spec["max"]))
                editor.setValue(float(spec["default"]))
            editor.setAccessibleName(f"{fault} {name}")
            self.editors[name] = editor
            self.params.addRow(name.replace("_", " "), editor)
        self.for_s.setEnabled(fault not in INSTANT)

    def _pump(self) -> int | None:
        text = self.pump.currentText()
        return None if text in ("", ALL_PUMPS) else int(text.split()[-1])

    def request(self) -> dict[str, Any]:
        """The inject request the form describes."""
        params = {name: (editor.currentText() if isinstance(editor, QComboBox)
                         else editor.value()) for name, editor in self.editors.items()}
        fault = self.fault.currentText()
        message: dict[str, Any] = {"op": "inject", "pump": self._pump(), "fault": fault,
                                   "params": params}
        if self.for_s.value() > 0 and fault not in INSTANT:
            message["duration_s"] = self.for_s.value()
        return message

    def _press(self, name: str) -> None:
        keys = {"Set rate": [f"RAT {self.rate.value():g} MH"], "Run": ["RUN"],
                "Stop": ["STP"]}[name]
        self.keypad.emit({"op": "keypad", "pump": self._pump(), "keys": keys})

    def _on_inject(self) -> None:
        self.inject.emit(self.request(), self.in_s.value())

    def show_pending(self, lines: list[str]) -> None:
        self.pending.setText("Waiting: " + "; ".join(lines) if lines else "")
