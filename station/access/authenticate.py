"""Sign-in: a username with a password or PIN, or a badge scan, gives the services' Actor.

Lockout: after :data:`MAX_FAILURES` wrong secrets in a row a user is locked for
:data:`LOCKOUT` (stored on the user, so it holds at every station); a success resets
the count. Badge scans that match nobody have no user to count against: after
:data:`MAX_FAILURES` in a row this station refuses badges for :data:`LOCKOUT`.

The slow argon2 check runs outside any transaction (it would hold SQLite's write lock
for a quarter of a second); the outcome is then written in a short transaction that
re-reads the user under a row lock (PostgreSQL) or the write lock (SQLite). Every
attempt is audited; an unknown username is not stored (people type their password
into the name field), only that the name was unknown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.access.credentials import CredentialHasher, badge_key, normalise_badge
from station.access.roles import Role
from station.persistence.audit import AuditEntry, canonical_json
from station.persistence.base import utc_now
from station.persistence.errors import storage_errors
from station.persistence.people import ActorKind, User
from station.persistence.unit_of_work import write_transaction
from station.services.context import Actor

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
WRONG = "Wrong username, password or PIN."


@dataclass(frozen=True)
class SignInRefused:
    """Why a sign-in was refused: a stable code and a sentence for the screen."""

    code: str  # wrong_credentials, locked_out, badge_unknown, badges_paused, no_role
    reason: str


SignInResult = Actor | SignInRefused


def actor_of(user: User) -> Actor:
    """The services' Actor for a stored user, with the roles this station knows."""
    known = {role.value: role for role in Role}
    return Actor(user.id, user.display_name,
                 frozenset(known[r.name] for r in user.roles if r.name in known))


def audit_entry(action: str, *, at: datetime, user_id: int | None, by_user: bool,
                detail: dict[str, object], actor_id: int | None = None) -> AuditEntry:
    """An audit entry about user ``user_id``: by that user (``by_user``), by another
    user (``actor_id``), or by the station."""
    if by_user:
        actor_id = user_id
    return AuditEntry(at=at, action=action,
                      actor_kind=ActorKind.STATION if actor_id is None else ActorKind.USER,
                      actor_user_id=actor_id, entity_type="users",
                      entity_id="" if user_id is None else str(user_id),
                      detail=canonical_json(detail))


class UsersTable:
    """What works on the ``users`` table needs: sessions, a clock and the hasher."""

    def __init__(self, sessions: sessionmaker[Session], *,
                 clock: Callable[[], datetime] = utc_now,
                 hasher: CredentialHasher | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hasher = hasher or CredentialHasher()


class Authenticator(UsersTable):
    """Checks credentials against the ``users`` table and keeps the lockout."""

    def __init__(self, sessions: sessionmaker[Session], *,
                 clock: Callable[[], datetime] = utc_now,
                 hasher: CredentialHasher | None = None) -> None:
        super().__init__(sessions, clock=clock, hasher=hasher)
        self._badge_failures = 0
        self._badges_paused_until: datetime | None = None
        self._lock = threading.Lock()

    # -- the two ways in ----------------------------------------------------------------

    def sign_in(self, username: str, secret: str) -> SignInResult:
        """A username with its password or PIN."""
        with storage_errors("cannot read the users"), self._sessions() as session:
            user = session.scalar(sa.select(User).where(
                User.username == username.strip(), User.active))
            if user is None or not user.secret_hash:
                self._hasher.burn(secret)
                self._store(audit_entry("user.sign_in_refused", at=self._clock(),
                                        user_id=None if user is None else user.id,
                                        by_user=False, detail={"method": "secret",
                                                               "known_user": user is not None}))
                return SignInRefused("wrong_credentials", WRONG)
            session.expunge(user)
        if (locked := self._locked(user)) is not None:
            return locked
        if not self._hasher.verify(user.secret_hash, secret):
            return self._failed(user.id)
        return self._succeeded(user.id, "secret", secret)

    def sign_in_badge(self, scan: str) -> SignInResult:
        """A badge scan (the reader types the badge's text and Enter)."""
        badge = normalise_badge(scan)
        now = self._clock()
        with self._lock:
            if self._badges_paused_until is not None and now < self._badges_paused_until:
                return SignInRefused("badges_paused", "Too many unknown badges: sign in "
                                     "with your username for a few minutes.")
        with storage_errors("cannot read the users"), self._sessions() as session:
            candidates = session.scalars(sa.select(User).where(
                User.badge_key == badge_key(badge), User.active)).all()
            user = next((u for u in candidates if self._hasher.verify(u.badge_hash, badge)),
                        None)
            if user is not None:
                session.expunge(user)
        if user is None:
            return self._badge_unknown(now)
        with self._lock:
            self._badge_failures = 0
        if (locked := self._locked(user)) is not None:
            return locked
        return self._succeeded(user.id, "badge", None)

    def record_sign_out(self, actor: Actor, why: str) -> None:
        """Audit that ``actor`` signed out (``why``: "signed out", "another user" ...)."""
        self._store(audit_entry("user.signed_out", at=self._clock(), user_id=actor.user_id,
                                by_user=True, detail={"why": why}))

    def record_lock(self, actor: Actor, why: str) -> None:
        """Audit that the station was locked while ``actor`` was signed in (``why``: idle
        or by hand); the session stays theirs until they or another user sign in."""
        self._store(audit_entry("user.station_locked", at=self._clock(),
                                user_id=actor.user_id, by_user=True, detail={"why": why}))

    def record_unlock(self, actor: Actor, method: str) -> None:
        """Audit that ``actor``, signed in at a locked station, unlocked it (``method``:
        secret or badge; their sign-in itself is ``user.signed_in``)."""
        self._store(audit_entry("user.station_unlocked", at=self._clock(),
                                user_id=actor.user_id, by_user=True,
                                detail={"method": method}))

    # -- outcomes -------------------------------------------------------------------------

    def _locked(self, user: User) -> SignInRefused | None:
        if user.locked_until is None or self._clock() >= user.locked_until:
            return None
        until = user.locked_until.strftime("%H:%M UTC")
        return SignInRefused("locked_out", f"Locked after {MAX_FAILURES} failed sign-ins, "
                             f"until {until}: try again then, or ask an administrator.")

    def _failed(self, user_id: int) -> SignInRefused:
        now = self._clock()
        with write_transaction(self._sessions, "record a failed sign-in") as session:
            user = session.get_one(User, user_id, with_for_update=True)
            user.failed_sign_ins += 1
            locked = user.failed_sign_ins >= MAX_FAILURES
            if locked:
                user.failed_sign_ins, user.locked_until = 0, now + LOCKOUT
            session.add(audit_entry("user.locked_out" if locked else "user.sign_in_refused",
                                    at=now, user_id=user_id, by_user=False,
                                    detail={"method": "secret", "known_user": True}))
        if locked:
            refused = self._locked(user)
            assert refused is not None
            return refused
        return SignInRefused("wrong_credentials", WRONG)

    def _badge_unknown(self, now: datetime) -> SignInRefused:
        with self._lock:
            self._badge_failures += 1
            if self._badge_failures >= MAX_FAILURES:
                self._badge_failures, self._badges_paused_until = 0, now + LOCKOUT
        self._store(audit_entry("user.sign_in_refused", at=now, user_id=None, by_user=False,
                                detail={"method": "badge", "known_user": False}))
        return SignInRefused("badge_unknown", "This badge is not known at the station.")

    def _succeeded(self, user_id: int, method: str, secret: str | None) -> SignInResult:
        now = self._clock()
        with write_transaction(self._sessions, "record the sign-in") as session:
            user = session.get_one(User, user_id, with_for_update=True)
            actor = actor_of(user)
            if not actor.roles:
                session.add(audit_entry("user.sign_in_refused", at=now, user_id=user_id,
                                        by_user=False, detail={"method": method,
                                                               "known_user": True,
                                                               "no_role": True}))
                return SignInRefused("no_role", "You have no role at this station: ask "
                                     "an administrator.")
            user.failed_sign_ins, user.locked_until = 0, None
            if secret is not None and user.secret_hash and self._hasher.needs_rehash(
                    user.secret_hash):
                user.secret_hash = self._hasher.hash(secret)
            session.add(audit_entry("user.signed_in", at=now, user_id=user_id, by_user=True,
                                    detail={"method": method}))
        return actor

    def _store(self, entry: AuditEntry) -> None:
        with write_transaction(self._sessions, f"store the audit entry {entry.action!r}") as s:
            s.add(entry)
