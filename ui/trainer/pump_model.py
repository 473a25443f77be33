"""The simulated pumps as a table: port, address, live state, faults."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
COLUMNS = ("Pump", "Port", "Address", "Serial", "Status", "Rate mL/h", "Volume mL",
           "Pressure mmHg", "Battery %", "Faults")
STATUS_WORDS = {"I": "infusing", "W": "withdrawing", "S": "stopped", "P": "paused",
                "X": "purging", "A?S": "ALARM stall", "A?R": "ALARM reset", "A?T": "ALARM watchdog"}


def status_text(status: str, powered: bool) -> str:
    if not powered:
        return "off (dark)"
    return STATUS_WORDS.get(status, status)


def faults_text(faults: dict[str, Any]) -> str:
    """`occlusion (severity=1), garbled` from the simulator's fault description."""
    parts = []
    for name, params in sorted(faults.items()):
        values = dict(params) if isinstance(params, dict) else {}
        ends = values.pop("ends_at_s", None)
        shown = ", ".join(f"{k}={v}" for k, v in values.items() if v is not None)
        if ends is not None:
            shown = f"{shown}, until {float(ends):.0f} s" if shown else f"until {float(ends):.0f} s"
        parts.append(f"{name} ({shown})" if shown else name)
    return "; ".join(parts)


class PumpTableModel(QAbstractTableModel):
    """One row per pump: what it announced (port, address) and its last polled state."""

    def __init__(self) -> None:
        super().__init__()
        self._ports: list[dict[str, Any]] = []
        self._state: dict[int, dict[str, Any]] = {}

    def set_ports(self, ports: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._ports = sorted(ports, key=lambda p: int(p["pump"]))
        self._state = {}
        self.endResetModel()

    def update(self, pumps: list[dict[str, Any]]) -> None:
        """A poll's `status` reply: the changed rows are redrawn."""
        for pump in pumps:
            self._state[int(pump["pump"])] = pump
        if self._ports:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ports) - 1,
                                                               len(COLUMNS) - 1))

    def pump_numbers(self) -> list[int]:
        return [int(p["pump"]) for p in self._ports]

    def state(self, pump: int) -> dict[str, Any] | None:
        return self._state.get(pump)

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._ports)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ports):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and 2 <= index.column() <= 8:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        port = self._ports[index.row()]
        state = self._state.get(int(port["pump"]))
        return self._cell(index.column(), port, state)

    @staticmethod
    def _cell(column: int, port: dict[str, Any], state: dict[str, Any] | None) -> str:
        fixed = (str(port["pump"]), str(port.get("port") or "closed"), str(port["address"]),
                 str(port["serial"]))
        if column < len(fixed):
            return fixed[column]
        if state is None:
            return ""
        values = (status_text(state["status"], state["powered"]),
                  f"{state['rate_ml_h']:.1f}", f"{state['infused_ml']:.2f}",
                  f"{state['sensed_pressure_mmhg']:.1f}", f"{state['battery_percent']:.0f}",
                  faults_text(state["faults"]))
        return values[column - len(fixed)]
