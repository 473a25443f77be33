"""The unit feed: every chair's tile, refreshed from the database when a notification
names it (never a loop over the chairs on a timer).

A notification thread (`ChangeSource`) hands payloads to a queue; the feed's own
thread drains it, maps the keys to chairs (infusion, alarm and pump ids through the
maps of the last read, unknown ones with one query), reads those chairs in one batch
(`feed_queries`) and swaps in new immutable facts. Telemetry-only changes read only
the telemetry. A station's heartbeat costs no read. `tiles()` is thread-safe and
cheap: it turns the facts into tiles at the given moment, marking stale the chairs of
a station not heard from for `stale_after_s`, or all of them while the feed itself
has lost the database.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as day_time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import StorageError
from station.persistence.alarms import Alarm
from station.persistence.delivery import Infusion
from station.persistence.errors import storage_errors
from station.persistence.scheduling import Appointment, Chair
from station.unit import change_keys as keys
from station.unit.change_keys import ChangeKey
from station.unit.changes import ChangeSource
from station.unit.feed_queries import (
    ChairRow,
    chair_rows,
    heartbeats,
    read_facts,
)
from station.unit.shift import COUNTERS_EVERY_S, ShiftCounters, shift_counters
from station.unit.sparklines import TailCache
from station.unit.tiles import ChairFacts, ChairTile, TileAlarm, tile_at
from station.unit.timeline import ChairDay, read_timeline

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

FeedListener = Callable[[frozenset[str]], None]


@dataclass(frozen=True)
class FeedSettings:
    stale_after_s: float = 15.0  # three missed heartbeats of 5 s
    history_s: float = 1800.0  # the sparkline's window
    retry_s: float = 2.0  # after a failed read


@dataclass(frozen=True)
class FeedHealth:
    listening: bool
    refreshes: int
    last_refresh_s: float
    read_failed: bool


def local_day(now: datetime) -> tuple[datetime, datetime]:
    """Today in the station's time zone, as UTC bounds."""
    local = now.astimezone()
    start = datetime.combine(local.date(), day_time(0), tzinfo=local.tzinfo)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def reading_sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The feed only reads: on PostgreSQL its sessions run without a transaction, which
    saves a BEGIN and a ROLLBACK round trip around every refresh."""
    engine = sessions.kw.get("bind")
    if isinstance(engine, Engine) and engine.dialect.name == "postgresql":
        return sessionmaker(bind=engine.execution_options(isolation_level="AUTOCOMMIT"))
    return sessions


class UnitFeed:
    """Every chair's facts, kept up to date from change notifications."""

    def __init__(self, sessions: sessionmaker[Session], source: ChangeSource, *,
                 utc_now: Callable[[], datetime], monotonic: Callable[[], float] = time.monotonic,
                 settings: FeedSettings | None = None) -> None:
        self.settings = settings or FeedSettings()
        self._sessions = reading_sessions(sessions)
        self._source = source
        self._utc_now = utc_now
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._facts: dict[str, ChairFacts] = {}
        self._chairs: dict[int, ChairRow] = {}
        self._label_chair: dict[str, int] = {}
        self._infusion_chair: dict[int, str] = {}
        self._alarm_chair: dict[int, str] = {}
        self._heard: dict[str, float] = {}  # station -> monotonic time last heard
        self._listeners: list[FeedListener] = []
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._refreshes = 0
        self._last_refresh_s = 0.0
        self._read_failed = False
        self._counters: ShiftCounters | None = None
        self._timeline: tuple[ChairDay, ...] = ()
        self._counted_at = -1e18
        self._telemetry = TailCache(self.settings.history_s)  # the feed's thread only

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._unsubscribe = self._source.subscribe(self._queue.put)
        self._thread = threading.Thread(target=self._run, name="unit-feed", daemon=True)
        self._thread.start()
        self._source.start()

    def stop(self) -> None:
        self._source.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def subscribe(self, listener: FeedListener) -> Callable[[], None]:
        """Called on the feed's thread with the labels of the chairs just refreshed."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return remove

    # -- what other threads read ----------------------------------------------------------

    def tiles(self, now: datetime | None = None) -> tuple[ChairTile, ...]:
        """Every chair's tile at `now`, by label."""
        now = now or self._utc_now()
        mono = self._monotonic()
        listening = self._source.listening and not self._read_failed
        with self._lock:
            facts = sorted(self._facts.values(), key=lambda f: f.label)
            heard = dict(self._heard)
        return tuple(tile_at(f, now, self._silent(f, heard, mono, listening)) for f in facts)

    def alarm_list(self, now: datetime | None = None) -> list[TileAlarm]:
        """The unit's open alarms: highest priority first, then the oldest."""
        found = [a for tile in self.tiles(now) for a in tile.alarms]
        return sorted(found, key=TileAlarm.sort_key)

    def facts(self, label: str) -> ChairFacts:
        with self._lock:
            return self._facts[label]

    def counters(self) -> ShiftCounters | None:
        """The shift's counters (since the local day began), at most 30 s old."""
        return self._counters

    def timeline(self) -> tuple[ChairDay, ...]:
        """Today's schedule per chair, read with the counters."""
        return self._timeline

    def health(self) -> FeedHealth:
        return FeedHealth(self._source.listening, self._refreshes, self._last_refresh_s,
                          self._read_failed)

    def _silent(self, facts: ChairFacts, heard: dict[str, float], mono: float,
                listening: bool) -> str | None:
        if not listening:
            return "the overview cannot reach the database"
        if facts.station is None:
            if facts.infusion_status in ("running", "paused"):
                return "no station is monitoring this chair"
            return None
        last = heard.get(facts.station)
        if last is None or mono - last > self.settings.stale_after_s:
            silent = "never" if last is None else f"{mono - last:.0f} s"
            return f"station {facts.station} not heard from for {silent}"
        return None

    # -- the feed's thread ----------------------------------------------------------------

    def refresh_all(self) -> None:
        """Read every chair (at start, after RESYNC)."""
        started = self._monotonic()
        now = self._utc_now()
        self._telemetry.clear()  # what was missed meanwhile is read whole
        with storage_errors("cannot read the unit's chairs"), self._sessions() as session:
            rows = chair_rows(session, None)
            facts = read_facts(session, rows, now, local_day(now), self._telemetry)
            beats = heartbeats(session)
        self._telemetry.keep_only([f.infusion_id for f in facts if f.infusion_id is not None])
        with self._lock:
            self._chairs = {r.chair_id: r for r in rows}
            self._label_chair = {r.label: r.chair_id for r in rows}
            self._facts = {f.label: f for f in facts}
            self._index(facts)
            mono = self._monotonic()
            for station, beat in beats.items():
                age = max(0.0, (now - beat).total_seconds())
                self._heard[station] = max(self._heard.get(station, -1e18), mono - age)
        self._done(started, frozenset(self._facts))

    def refresh(self, labels: Collection[str], telemetry_only: Collection[int] = ()) -> None:
        """Read these chairs again, and only the telemetry of these infusions."""
        started = self._monotonic()
        now = self._utc_now()
        chairs = [self._chairs[self._label_chair[la]] for la in labels if la in self._label_chair]
        tails_of = [i for i in telemetry_only if self._infusion_chair.get(i) not in labels]
        with storage_errors("cannot read the unit's chairs"), self._sessions() as session:
            facts = read_facts(session, chairs, now, local_day(now),
                               self._telemetry) if chairs else []
            tails = self._telemetry.tails(session, tails_of, now)
        changed = {f.label for f in facts}
        with self._lock:
            for f in facts:
                self._facts[f.label] = f
            self._index(facts)
            for infusion_id, tail in tails.items():
                label = self._infusion_chair.get(infusion_id)
                if label is None or label not in self._facts:
                    continue
                self._facts[label] = replace(self._facts[label], rate_ml_h=tail.rate_ml_h,
                                             volume_ml=tail.volume_ml,
                                             rate_history=tail.history, read_at=now)
                changed.add(label)
        self._done(started, frozenset(changed))

    def _index(self, facts: list[ChairFacts]) -> None:
        for f in facts:
            if f.infusion_id is not None:
                self._infusion_chair[f.infusion_id] = f.label
            for alarm in f.alarms:
                if alarm.alarm_id is not None:
                    self._alarm_chair[alarm.alarm_id] = f.label

    def _done(self, started: float, labels: frozenset[str]) -> None:
        self._refreshes += 1
        self._last_refresh_s = self._monotonic() - started
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(labels)
            except Exception:  # a broken screen must not stop the feed
                log.exception("feed listener %r failed", listener)

    def _run(self) -> None:
        pending: set[str] = set()
        while True:
            timeout = self.settings.retry_s if pending else None
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = keys.RESYNC  # a read failed earlier: try again
            if item is None:
                return
            pending.add(item)
            while True:  # take every notification already queued: one read for all
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    return
                pending.add(more)
            try:
                self._apply(pending)
                self._count_if_due()
            except StorageError as exc:
                self._read_failed = True
                log.error("overview: %s", exc)
                pending = {keys.RESYNC}
                continue
            self._read_failed = False
            pending = set()

    def _count_if_due(self) -> None:
        # The shift's counters and the day's timeline change slowly: every 30 s is enough.
        if self._monotonic() - self._counted_at < COUNTERS_EVERY_S:
            return
        now = self._utc_now()
        day = local_day(now)
        with storage_errors("cannot count the shift"), self._sessions() as session:
            self._counters = shift_counters(session, day[0], now)
            self._timeline = read_timeline(session, day)
        self._counted_at = self._monotonic()

    def _apply(self, payloads: set[str]) -> None:
        if keys.LOST in payloads and keys.RESYNC not in payloads:
            self._done(self._monotonic(), frozenset(self._facts))  # all stale now
            return
        if keys.RESYNC in payloads:
            self.refresh_all()
            return
        labels: set[str] = set()
        telemetry: set[int] = set()
        unknown: list[ChangeKey] = []
        mono = self._monotonic()
        for payload in payloads:
            key = ChangeKey.parse(payload)
            if key is None:
                continue
            if key.kind == keys.HEARTBEAT:
                with self._lock:  # tiles() copies it on other threads
                    self._heard[key.value] = mono
            elif key.kind in (keys.LEASE, keys.ACK_REQUEST):
                labels.add(key.value)
            elif key.kind == keys.TELEMETRY and key.number in self._infusion_chair:
                telemetry.add(key.number)
            else:
                label = self._label_of(key)
                if label is None:
                    unknown.append(key)
                else:
                    labels.add(label)
        if unknown:
            labels |= self._resolve(unknown)
        if labels or telemetry:
            self.refresh(labels, telemetry)
        elif payloads and all(p.startswith(keys.HEARTBEAT + ":") for p in payloads):
            self._done(mono, frozenset())

    def _label_of(self, key: ChangeKey) -> str | None:
        number = key.number
        if number is None:
            return None
        if key.kind == keys.CHAIR:
            row = self._chairs.get(number)
            return row.label if row else None
        if key.kind in (keys.INFUSION, keys.TELEMETRY):
            return self._infusion_chair.get(number)
        if key.kind == keys.ALARM:
            return self._alarm_chair.get(number)
        return None

    def _resolve(self, unknown: list[ChangeKey]) -> set[str]:
        """Chairs of ids the last read did not know (a new infusion, a new alarm)."""
        ids = {kind: {k.number for k in unknown if k.kind == kind and k.number is not None}
               for kind in (keys.CHAIR, keys.INFUSION, keys.TELEMETRY, keys.ALARM, keys.PUMP)}
        infusions = ids[keys.INFUSION] | ids[keys.TELEMETRY]
        stmts = [
            sa.select(Chair.label).where(Chair.id.in_(ids[keys.CHAIR])),
            sa.select(Chair.label).join(Appointment, Appointment.chair_id == Chair.id)
            .join(Infusion, Infusion.appointment_id == Appointment.id)
            .where(Infusion.id.in_(infusions)),
            sa.select(Chair.label).join(Alarm, Alarm.chair_id == Chair.id)
            .where(Alarm.id.in_(ids[keys.ALARM])),
            sa.select(Chair.label).join(Appointment, Appointment.chair_id == Chair.id)
            .join(Infusion, Infusion.appointment_id == Appointment.id)
            .join(Alarm, Alarm.infusion_id == Infusion.id)
            .where(Alarm.id.in_(ids[keys.ALARM]), Alarm.chair_id.is_(None)),
            sa.select(Chair.label).join(Appointment, Appointment.chair_id == Chair.id)
            .join(Infusion, Infusion.appointment_id == Appointment.id)
            .where(Infusion.pump_id.in_(ids[keys.PUMP]),
                   Infusion.status.in_(["running", "paused"])),
        ]
        found: set[str] = set()
        with storage_errors("cannot find the chairs of a change"), self._sessions() as session:
            if ids[keys.CHAIR] - set(self._chairs):
                # A chair the feed has never seen: the chair list itself changed.
                self._queue.put(keys.RESYNC)
            for stmt in stmts:
                found.update(session.scalars(stmt))
        return found

