"""The scenario's log for the trainer: each step as it fired, prompts stand out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
PROMPT_BACKGROUND = "#f0e442"  # Okabe-Ito yellow: the trainer has something to do


@dataclass(frozen=True)
class LogEntry:
    """One fired step: scenario seconds, what was done, the prompt, any refusal."""

    at_s: float
    text: str
    prompt: str | None
    problems: tuple[str, ...] = ()

    @classmethod
    def of(cls, fired: dict[str, Any]) -> LogEntry:
        return cls(float(fired["at_s"]), str(fired["text"]), fired.get("prompt"),
                   tuple(fired.get("problems") or ()))

    def line(self) -> str:
        minutes, seconds = divmod(int(self.at_s), 60)
        what = f"TRAINER: {self.prompt}" if self.prompt else self.text
        if self.prompt and self.text != "prompt":
            what += f"  [{self.text}]"
        if self.problems:
            what += "  REFUSED: " + "; ".join(self.problems)
        return f"{minutes:3d}:{seconds:02d}  {what}"


class PromptLogModel(QAbstractListModel):
    """Append-only list of `LogEntry`; `clear()` when a new scenario starts."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[LogEntry] = []

    def append(self, entries: list[LogEntry]) -> None:
        if not entries:
            return
        first = len(self.entries)
        self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
        self.entries.extend(entries)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.entries = []
        self.endResetModel()

    def latest_prompt(self) -> LogEntry | None:
        return next((e for e in reversed(self.entries) if e.prompt), None)

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return entry.line()
        if role == Qt.ItemDataRole.BackgroundRole and entry.prompt:
            return QBrush(QColor(PROMPT_BACKGROUND))
        if role == Qt.ItemDataRole.ForegroundRole and entry.prompt:
            return QBrush(QColor("#000000"))
        if role == Qt.ItemDataRole.FontRole and (entry.prompt or entry.problems):
            font = QFont()
            font.setBold(True)
            return font
        return None
