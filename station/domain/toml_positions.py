"""Line numbers of keys in a TOML text, so that validation errors can name the line.

tomllib gives values without positions. This scanner handles the subset the drug
library uses: ``[table]`` and ``[[array.of.tables]]`` headers, ``key = value`` lines,
and multi-line arrays whose elements each start on their own line.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|[A-Za-z0-9_.-]+)\s*=""")
_INLINE_KEY = re.compile(r"""([A-Za-z0-9_-]+)\s*=""")


def _strip_strings(line: str) -> str:
    """Drop string contents and comments so brackets inside them are not counted."""
    out: list[str] = []
    quote = ""
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
            continue
        if ch == "#":
            break
        out.append(ch)
    return "".join(out)


def _split_dotted(key: str) -> list[str]:
    return [part.strip().strip('"') for part in key.split(".")]


class _Scanner:
    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}
        self.array_counts: dict[Path, int] = {}
        self.table: Path = ()
        self.array_path: Path | None = None
        self.array_depth = 0
        self.array_items = 0

    def resolve(self, parts: list[str]) -> Path:
        path: Path = ()
        for part in parts:
            path = (*path, part)
            if path in self.array_counts:
                path = (*path, self.array_counts[path] - 1)
        return path

    def header(self, brackets: str, name: str, number: int) -> None:
        parts = _split_dotted(name)
        if brackets == "[[":
            parent = self.resolve(parts[:-1])
            key = (*parent, parts[-1])
            index = self.array_counts.get(key, 0)
            self.array_counts[key] = index + 1
            self.table = (*key, index)
        else:
            self.table = self.resolve(parts)
        self.lines.setdefault(self.table, number)

    def array_line(self, code: str, number: int) -> None:
        assert self.array_path is not None
        if code.lstrip().startswith("{") and self.array_depth == 1:
            item = (*self.array_path, self.array_items)
            self.array_items += 1
            self.lines[item] = number
            for key in _INLINE_KEY.findall(code):
                self.lines[(*item, key)] = number
        self.array_depth += code.count("[") - code.count("]")
        if self.array_depth <= 0:
            self.array_path = None

    def line(self, raw: str, number: int) -> None:
        code = _strip_strings(raw)
        if self.array_path is not None:
            self.array_line(code, number)
            return
        header = _HEADER.match(raw)
        if header and not _KEY.match(raw):
            self.header(header.group(1), header.group(2), number)
            return
        key = _KEY.match(raw)
        if not key:
            return
        path = (*self.table, *_split_dotted(key.group(1)))
        self.lines[path] = number
        value = code.split("=", 1)[1]
        depth = value.count("[") - value.count("]")
        if depth > 0:
            self.array_path, self.array_depth, self.array_items = path, depth, 0


def key_lines(text: str) -> dict[Path, int]:
    """Map each table, key and array element path to its 1-based line number."""
    scanner = _Scanner()
    for number, raw in enumerate(text.splitlines(), start=1):
        scanner.line(raw, number)
    return scanner.lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """Line of ``path`` or of its nearest ancestor that has one."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return None
