"""Writes that must reach the database in order, kept while the database refuses them.

A monitoring station cannot stop watching pumps because the database is locked or the
server is restarting: the alarm engine has already changed state and must carry on.
A record whose write fails is kept, with every later one, and retried in order on each
tick; nothing is dropped and nothing overtakes a record that is still waiting. A record
the database refuses for good (`RecordRejectedError`: a constraint, a missing reference)
would block every later one for ever; it is set aside, logged with what it was, and
counted (`rejected`), and the records behind it go on.

Kept records go to the local spool (`LocalSpool`) as well as to memory, so a station
killed meanwhile loses none: a restarted one `load`s them and writes them first. An
entry leaves the spool only after its record is committed. When the spool cannot be
written (the local disk is full), records are kept in memory only and `spool_error`
says so; they are spooled, in order, as soon as it can be written again.

A write may fail after its commit reached the database (the connection broke before the
answer): a retry would store it twice. Before writing again a record that was tried
(or that comes from the spool) the backlog asks `stored` whether it is there already;
telemetry needs no question, its chunks are unique by key and inserted only if new.
Telemetry samples taken while records wait join them (`add_sample`): a run of one
infusion's samples grows until it is tried or holds a chunk's worth.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from station.monitoring.spool import LocalSpool, SpoolError
from station.monitoring.spool_records import Kind, Spooled, add_sample, samples_record
from station.persistence import RecordRejectedError, StorageError, TelemetrySample
from station.persistence.telemetry_writer import DEFAULT_CHUNK_SAMPLES

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

Write = Callable[[Spooled], object]
Stored = Callable[[Spooled], bool]
_TELEMETRY = (Kind.SAMPLES, Kind.CHUNKS)


@dataclass
class _Entry:
    record: Spooled
    seq: int | None = None  # its spool entry (None: in memory only)
    tried: bool = False  # written once and failed (it may be stored all the same)


class WriteBacklog:
    """Runs record writes in order; keeps the failed one and those after it for `retry`."""

    def __init__(self, write: Write, stored: Stored, spool: LocalSpool | None = None, *,
                 chunk_samples: int = DEFAULT_CHUNK_SAMPLES) -> None:
        self._write = write
        self._stored = stored
        self._spool = spool
        self._chunk_samples = chunk_samples
        self._waiting: deque[_Entry] = deque()
        self._runs: dict[int, _Entry] = {}  # infusion -> its sample run that may grow
        self._telemetry_entries = 0
        self.samples = 0  # telemetry samples waiting
        self.failures = 0
        self.rejected: list[str] = []  # what the database refused for good
        self.spool_error: str | None = None  # why records are kept in memory only

    def __len__(self) -> int:
        return len(self._waiting)

    @property
    def holds_telemetry(self) -> bool:
        """Telemetry waits here: later samples must wait behind it (`add_sample`)."""
        return self._telemetry_entries > 0

    def load(self) -> int:
        """Take up what an earlier run left in the spool, before anything new."""
        if self._spool is None:
            return 0
        try:
            entries = self._spool.entries()
        except SpoolError as exc:
            self._spool_failed(exc)
            return 0
        for seq, kind, payload in entries:
            self._append(_Entry(Spooled.of(kind, payload), seq, tried=True))
        if entries:
            log.warning("%d records left in the local spool by an earlier run", len(entries))
        return len(entries)

    def run(self, record: Spooled) -> bool:
        """Write now if nothing is waiting; True when stored, False when kept for later."""
        self._append(_Entry(record))
        return self.retry()

    def keep(self, record: Spooled) -> None:
        """A record whose write has just failed (tried: it may be stored all the same)."""
        self._append(_Entry(record, tried=True))
        self._spool_unspooled()

    def add_sample(self, sample: TelemetrySample) -> None:
        """One telemetry sample, behind what waits (the run of its infusion grows)."""
        run = self._runs.get(sample.infusion_id)
        if run is not None and not run.tried and run.record.samples < self._chunk_samples:
            add_sample(run.record, sample)
            if run.seq is None or self._respool(run):
                self.samples += 1
                return
            for column in ("t_us", "rate", "volume", "pressure"):  # not in the spool: a
                run.record.data[column].pop()  # new entry, kept in memory only
        run = _Entry(samples_record(sample))
        self._append(run)
        self._runs[sample.infusion_id] = run
        self._spool_unspooled()

    def retry(self) -> bool:
        """Write what is waiting, oldest first; stop at the first failure (True: all done)."""
        while self._waiting:
            entry = self._waiting[0]
            try:
                if not (entry.tried and self._stored(entry.record)):
                    self._write(entry.record)
            except RecordRejectedError as exc:
                log.error("the database refused %s for good, set aside: %s",
                          entry.record.what, exc)
                self.rejected.append(f"{entry.record.what}: {exc}")
            except StorageError as exc:
                self.failures += 1
                entry.tried = True
                log.error("cannot store %s (%d waiting): %s", entry.record.what,
                          len(self._waiting), exc)
                self._spool_unspooled()
                return False
            self._pop()
        self.spool_error = None  # nothing waits: nothing is at risk
        return True

    def close(self) -> None:
        """Close the spool (its file is removed when nothing waits)."""
        if self._spool is not None:
            self._spool.close(remove_if_empty=not self._waiting)

    def _append(self, entry: _Entry) -> None:
        self._waiting.append(entry)
        if entry.record.kind in _TELEMETRY:
            self._telemetry_entries += 1
            self.samples += entry.record.samples

    def _pop(self) -> None:
        entry = self._waiting.popleft()
        record = entry.record
        if record.kind in _TELEMETRY:
            self._telemetry_entries -= 1
            self.samples -= record.samples
            if self._runs.get(record.data.get("infusion_id", -1)) is entry:
                del self._runs[record.data["infusion_id"]]
        if entry.seq is not None and self._spool is not None:
            try:
                self._spool.remove(entry.seq)
            except SpoolError as exc:  # written again after a restart: found stored
                log.error("cannot remove a stored record from the spool: %s", exc)

    def _spool_unspooled(self) -> None:
        """Spool, in order, the entries kept in memory only (they are the last ones)."""
        if self._spool is None:
            return
        for entry in self._waiting:
            if entry.seq is not None:
                continue
            try:
                entry.seq = self._spool.append(entry.record.kind.value, entry.record.payload())
            except SpoolError as exc:
                self._spool_failed(exc)
                return
        self.spool_error = None

    def _respool(self, entry: _Entry) -> bool:
        assert self._spool is not None and entry.seq is not None
        try:
            self._spool.replace(entry.seq, entry.record.payload())
        except SpoolError as exc:
            self._spool_failed(exc)
            return False
        return True

    def _spool_failed(self, exc: SpoolError) -> None:
        if self.spool_error is None:
            log.error("records kept in memory only (lost if the station stops): %s", exc)
        self.spool_error = str(exc)
