"""Where a long-running process's memory goes: the measures `bench/endurance.py` takes.

RSS alone cannot tell a growing Python structure from native allocations or from the
allocator keeping freed memory; these measures split it:

- `smaps()`: resident anonymous memory (the heaps, thread stacks) against file-backed
  (mapped libraries, the SQLite file) from `/proc/self/smaps_rollup`;
- `sys.getallocatedblocks()`: live blocks of Python's own allocator (flat while RSS
  climbs: the growth is not Python objects);
- `type_census()`: live objects by type from `gc.get_objects()`, diffed at two times;
- `native_measures()`: glibc's heap in use and free in all arenas (`mallinfo2`), and
  SQLite's own count of the memory it holds (`sqlite3_memory_used`): a heap in use that
  grows is a native leak or cache, free memory that grows is fragmentation;
- `malloc_trim()`: glibc's return of free heap memory to the system (RSS that a trim
  gives back was free memory the allocator held, not a leak);
- `slope_kib_per_min()` and `levels_off()`: a least-squares slope per window and the
  verdict whether the growth flattens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

SMAPS_FIELDS = {"Rss": "rss_kib", "Anonymous": "anon_kib", "Private_Dirty": "dirty_kib"}


def smaps(pid: str = "self") -> dict[str, int]:
    """RSS split into anonymous and file-backed KiB (`/proc/PID/smaps_rollup`)."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in SMAPS_FIELDS:
            values[SMAPS_FIELDS[key]] = int(rest.split()[0])
    values["file_kib"] = values["rss_kib"] - values["anon_kib"]
    return values


def python_measures() -> dict[str, int]:
    """Python's own allocator and the interpreter's live state."""
    return {"allocated_blocks": sys.getallocatedblocks(), "threads": threading.active_count(),
            "gc_objects": len(gc.get_objects())}


def type_census() -> Counter[str]:
    """Live objects tracked by the collector, by type name."""
    return Counter(type(obj).__qualname__ for obj in gc.get_objects())


def census_growth(before: Counter[str], after: Counter[str],
                  top: int = 12) -> list[tuple[str, int]]:
    """The types whose count grew most between two censuses."""
    grown = {name: after[name] - before.get(name, 0) for name in after}
    ranked = sorted(((n, d) for n, d in grown.items() if d > 0), key=lambda item: -item[1])
    return ranked[:top]


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return None if name is None else ctypes.CDLL(name)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


@functools.cache
def _sqlite() -> ctypes.CDLL | None:
    """The libsqlite3 that Python's sqlite3 module loaded (the same memory counters)."""
    import sqlite3  # noqa: F401 (loads the library this finds in the process's maps)

    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split()[-1]
        if "libsqlite3" in path:
            lib = ctypes.CDLL(path)
            lib.sqlite3_memory_used.restype = ctypes.c_int64
            return lib
    return None


def native_measures() -> dict[str, int]:
    """KiB: glibc's heap in use and free (all arenas, mmapped chunks in use), SQLite's."""
    values: dict[str, int] = {}
    mallinfo2 = getattr(_libc(), "mallinfo2", None)
    if mallinfo2 is not None:
        mallinfo2.restype = _MallInfo2
        info = mallinfo2()
        values["malloc_in_use_kib"] = (info.uordblks + info.hblkhd) // 1024
        values["malloc_free_kib"] = info.fordblks // 1024
    sqlite = _sqlite()
    if sqlite is not None:
        values["sqlite_kib"] = sqlite.sqlite3_memory_used() // 1024
        values["sqlite_page_cache_kib"] = _sqlite_status(sqlite, SQLITE_STATUS_PAGECACHE) // 1024
        values["sqlite_allocations"] = _sqlite_status(sqlite, SQLITE_STATUS_MALLOC_COUNT)
    return values


# sqlite3_status64 operations: page cache memory (from the heap unless a static page
# cache is configured, which Python's sqlite3 does not) and allocations outstanding.
SQLITE_STATUS_PAGECACHE = 2  # SQLITE_STATUS_PAGECACHE_OVERFLOW
SQLITE_STATUS_MALLOC_COUNT = 9


def _sqlite_status(sqlite: ctypes.CDLL, op: int) -> int:
    current, highwater = ctypes.c_int64(), ctypes.c_int64()
    sqlite.sqlite3_status64(op, ctypes.byref(current), ctypes.byref(highwater), 0)
    return current.value


def malloc_trim() -> bool:
    """Ask glibc to return the free memory of every arena (False without glibc)."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:
        return False
    return bool(trim(0))


def slope_kib_per_min(t_s: Sequence[float], kib: Sequence[float]) -> float:
    """Least-squares slope of a series, KiB per minute (0 for fewer than two points)."""
    n = len(t_s)
    if n < 2:
        return 0.0
    mean_t, mean_k = sum(t_s) / n, sum(kib) / n
    var = sum((t - mean_t) ** 2 for t in t_s)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (k - mean_k) for t, k in zip(t_s, kib, strict=True))
    return 60.0 * cov / var


def window_slopes(t_s: Sequence[float], kib: Sequence[float], windows: int = 3) -> list[float]:
    """The slope in each of `windows` equal stretches of time."""
    if not t_s:
        return []
    start, span = t_s[0], (t_s[-1] - t_s[0]) or 1.0
    slopes = []
    for w in range(windows):
        lo, hi = start + span * w / windows, start + span * (w + 1) / windows
        part = [(t, k) for t, k in zip(t_s, kib, strict=True) if lo <= t <= hi]
        slopes.append(slope_kib_per_min([p[0] for p in part], [p[1] for p in part]))
    return slopes


def levels_off(slopes: Sequence[float], *, flat_kib_per_min: float = 20.0) -> bool:
    """Whether growth flattens: the last window climbs less than `flat_kib_per_min`
    (noise of a page or two per minute) or less than a quarter of the first's."""
    if not slopes:
        return True
    last = slopes[-1]
    return last < flat_kib_per_min or (slopes[0] > 0 and last < slopes[0] / 4)
