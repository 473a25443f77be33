"""A monitoring station as a member of the unit: its chairs' leases, its heartbeat, and
the acknowledgements asked for at the overview.

`start` registers the station and takes its chairs (ChairInUseError when another
live station holds one: the station must not start). A thread of its own then beats
the heart every `heartbeat_s` and carries out acknowledgement requests when a
notification names one of its chairs (and after every reconnection, for those made
while it could not hear). The heartbeat also says which chairs are still this
station's: one taken over by another station (after this one was silent for
`lease_timeout_s`) raises `chair_taken_over` at the chair, whose records stop; a
lease notification of one of its chairs checks at once rather than at the next beat.
When the database is away the heartbeat fails and is retried; the monitoring service
goes on on its own, and the overview marks the chairs stale once the heartbeats stop
arriving.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from station.persistence import StorageError
from station.unit import change_keys as keys
from station.unit.acks import AckRelay, AckTarget
from station.unit.change_keys import ChangeKey
from station.unit.changes import ChangeSource
from station.unit.leases import LEASE_TIMEOUT_S, LeaseBook, leases

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

HEARTBEAT_S = 5.0


class StationTarget(AckTarget, Protocol):
    """What the agent asks of the station's monitoring service."""

    def chair_taken_over(self, chair_id: str, detail: str) -> Future[Any]: ...


class UnitStationAgent:
    """Leases, heartbeat and remote acknowledgements of one station's chairs."""

    def __init__(self, target: StationTarget, chairs: Sequence[str],
                 sessions: sessionmaker[Session], source: ChangeSource, *, station: str,
                 utc_now: Callable[[], datetime], heartbeat_s: float = HEARTBEAT_S,
                 lease_timeout_s: float = LEASE_TIMEOUT_S) -> None:
        self.station = station
        self.chairs = list(chairs)
        self.book = LeaseBook(sessions, station, utc_now=utc_now, host=socket.gethostname(),
                              lease_timeout_s=lease_timeout_s)
        self.lost_chairs: set[str] = set()  # taken over by another station
        self._target = target
        self._sessions = sessions
        self._relay = AckRelay(sessions, target, utc_now=utc_now)
        self._source = source
        self._heartbeat_s = heartbeat_s
        self._wake: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="unit-station", daemon=True)
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Register and take the chairs (ChairInUseError, StorageError), then run."""
        self.book.register()
        self.book.acquire(self.chairs)
        self._unsubscribe = self._source.subscribe(self._heard)
        self._thread.start()
        self._source.start()

    def stop(self, release: bool = True) -> None:
        """Stop; `release` gives the chairs back (an orderly end of the session)."""
        self._source.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._wake.put(None)
        if self._thread.is_alive():
            self._thread.join(10.0)
        if release:
            try:
                self.book.release(self.chairs)
            except StorageError as exc:
                log.error("cannot release the chairs' leases (they time out): %s", exc)

    def _heard(self, payload: str) -> None:  # on the change source's thread
        key = ChangeKey.parse(payload)
        if key is None:
            return
        if key.kind == keys.RESYNC or (
                key.kind in (keys.ACK_REQUEST, keys.LEASE) and key.value in self.chairs):
            self._wake.put(payload)

    def _run(self) -> None:
        next_beat = time.monotonic() + self._heartbeat_s
        while True:
            try:
                item = self._wake.get(timeout=max(0.0, next_beat - time.monotonic()))
            except queue.Empty:
                item = ""
            if item is None:
                return
            if item:
                if not item.startswith(keys.ACK_REQUEST + ":"):
                    self._beat()  # a lease changed, or what was missed: who holds what
                self._handle_requests()
            if time.monotonic() >= next_beat:  # requests never starve the heartbeat
                next_beat = time.monotonic() + self._heartbeat_s
                self._beat()
                # One query per station: a request made while it was starting, or whose
                # notification it missed, is carried out within a heartbeat.
                self._handle_requests()

    def _beat(self) -> None:
        try:
            held = self.book.heartbeat()
        except StorageError as exc:
            log.error("heartbeat failed (the overview will show these chairs stale): %s", exc)
            return
        lost = set(self.chairs) - held - self.lost_chairs
        if lost:
            log.error("chairs %s were taken over by another station", sorted(lost))
            self.lost_chairs |= lost
            self._alarm_lost(sorted(lost))

    def _alarm_lost(self, lost: list[str]) -> None:
        try:
            holders = {label: lease.station for label, lease in leases(self._sessions).items()}
        except StorageError:
            holders = {}  # the alarm is raised all the same, without the name
        for chair in lost:
            holder = holders.get(chair)
            by = f"station {holder!r}" if holder else "another station"
            self._target.chair_taken_over(chair, f"taken over by {by}")

    def _handle_requests(self) -> None:
        try:
            self._relay.handle_pending([c for c in self.chairs if c not in self.lost_chairs])
        except StorageError as exc:
            log.error("cannot carry out acknowledgement requests now: %s", exc)
