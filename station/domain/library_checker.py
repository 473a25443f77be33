"""Typed reads from parsed TOML that collect every problem with its line number."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from station.domain.toml_positions import Path, line_of

Table = Mapping[str, Any]

MAX_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class LibraryIssue:
    """One problem in the library file, located by line and key path."""

    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        at = f"line {self.line}" if self.line is not None else "(line unknown)"
        return f"{at}: {self.where}: {self.message}"


class DrugLibraryError(ValueError):
    """The library file is unusable; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: list[LibraryIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        listed = "\n".join(f"  {source} {issue}" for issue in self.issues)
        super().__init__(f"drug library {source} has {len(self.issues)} problem(s):\n{listed}")


def where(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


class Checker:
    """Reads values of the expected type, recording an issue for each mismatch."""

    def __init__(self, lines: dict[Path, int]) -> None:
        self.lines = lines
        self.issues: list[LibraryIssue] = []

    def fail(self, path: Path, message: str) -> None:
        self.issues.append(LibraryIssue(line_of(self.lines, path), where(path), message))

    def keys(self, data: Table, path: Path, required: set[str], optional: set[str]) -> None:
        for key in sorted(required - data.keys()):
            self.fail(path, f"missing required key {key!r}")
        for key in sorted(data.keys() - required - optional):
            self.fail((*path, key), f"unknown key {key!r} (a typo?)")

    def get(self, data: Table, key: str, path: Path, kind: type | tuple[type, ...]) -> Any:
        if key not in data:
            return None
        value = data[key]
        # bool is an int in Python; a number field must not accept true/false.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            value_ok = False
        else:
            value_ok = isinstance(value, kind)
        if not value_ok:
            kinds = (kind,) if isinstance(kind, type) else kind
            names = " or ".join(k.__name__ for k in kinds)
            self.fail((*path, key), f"{key} must be {names}, got {value!r}")
            return None
        return value

    def text(self, data: Table, key: str, path: Path) -> str | None:
        value = self.get(data, key, path, str)
        if value is not None and not value.strip():
            self.fail((*path, key), f"{key} must not be empty")
            return None
        return value if isinstance(value, str) else None

    def flag(self, data: Table, key: str, path: Path) -> bool | None:
        value = self.get(data, key, path, bool)
        return value if isinstance(value, bool) else None

    def number(self, data: Table, key: str, path: Path, *, positive: bool = True) -> float | None:
        value = self.get(data, key, path, (int, float))
        if value is None:
            return None
        if not math.isfinite(value):  # TOML has inf and nan: a limit of nan limits nothing
            self.fail((*path, key), f"{key} must be a finite number, got {value}")
            return None
        if positive and value <= 0:
            self.fail((*path, key), f"{key} must be greater than 0, got {value}")
            return None
        return float(value)

    def minutes(
        self, data: Table, key: str, path: Path, *, zero_ok: bool = False
    ) -> timedelta | None:
        value = self.get(data, key, path, int)
        if value is None:
            return None
        if value < 0 or (value == 0 and not zero_ok):
            bound = "0 or more" if zero_ok else "greater than 0"
            self.fail((*path, key), f"{key} must be {bound} minutes, got {value}")
            return None
        if value > MAX_MINUTES:  # also what timedelta can hold: a typo, not an interval
            self.fail((*path, key), f"{key} must be at most {MAX_MINUTES} minutes (a week), "
                                    f"got {value}")
            return None
        return timedelta(minutes=value)

    def table(self, data: Table, key: str, path: Path) -> Table:
        """A sub-table; a missing one reads as empty (its required keys then fail)."""
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail((*path, key), f"{key} must be a table, got {value!r}")
            return {}
        return value

    def tables(self, data: Table, key: str, path: Path) -> list[Table]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail((*path, key), f"{key} must be a list of tables")
            return []
        return value
