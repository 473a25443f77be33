"""The users of the station and their credentials, for an administrator.

Only an administrator (``MANAGE_USERS``) adds users or changes their credentials,
except to bootstrap: while no active administrator can sign in, the first one may be
added by whoever runs the command at the station's console. Every change is audited;
no secret is ever stored or logged, only its argon2id hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.access.authenticate import UsersTable, actor_of, audit_entry
from station.access.credentials import (
    badge_key,
    check_new_badge,
    check_new_secret,
)
from station.access.roles import Permission, Role
from station.persistence.audit import AuditEntry
from station.persistence.errors import storage_errors
from station.persistence.people import Role as RoleRow
from station.persistence.people import SecretKind, User
from station.persistence.unit_of_work import write_transaction
from station.services.context import Actor, require
from station.services.errors import AccessDeniedError, InvalidStateError, NotFoundError


@dataclass(frozen=True)
class Credentials:
    """What a user will sign in with: a password or a PIN, and optionally a badge."""

    kind: SecretKind
    secret: str
    badge: str | None = None


@dataclass(frozen=True)
class UserSummary:
    """One line of ``infusion-station user list`` (never a hash)."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool
    sign_in: str  # "password", "pin" or "none"
    badge: bool
    locked_until: datetime | None


class UserDirectory(UsersTable):
    """Add users, set their credentials and list them."""

    def administrator_exists(self) -> bool:
        """Whether an active administrator with a password or PIN exists."""
        with storage_errors("cannot read the users"), self._sessions() as session:
            return _administrator_exists(session)

    def add(self, username: str, display_name: str, roles: frozenset[Role],
            credentials: Credentials, *, by: Actor | None) -> int:
        """Store a new user with hashed credentials; return its id.

        ``by``: the signed-in administrator, or None to bootstrap the first one.
        """
        username, display_name = username.strip(), display_name.strip()
        if not username or not display_name or not roles:
            raise ValueError("give a username, a display name and at least one role")
        hashes = self._hashes(credentials)
        with write_transaction(self._sessions, f"add the user {username!r}") as session:
            self._authorise(session, by, bootstrap=Role.ADMINISTRATOR in roles)
            if session.scalar(sa.select(User.id).where(User.username == username)):
                raise InvalidStateError(f"a user {username!r} already exists")
            user = User(username=username, display_name=display_name, active=True,
                        created_at=self._clock(), roles=role_rows(session, roles),
                        secret_kind=credentials.kind, **hashes)
            session.add(user)
            session.flush()
            session.add(self._entry("user.added", user, by, {
                "username": username, "roles": sorted(r.value for r in roles),
                "sign_in": credentials.kind.value, "badge": credentials.badge is not None}))
            return user.id

    def set_credentials(self, username: str, credentials: Credentials, *,
                        by: Actor | None) -> None:
        """Replace a user's password or PIN (and badge, when given); end any lockout."""
        hashes = self._hashes(credentials)
        with write_transaction(self._sessions, f"change {username!r}'s sign-in") as session:
            user = session.scalar(sa.select(User).where(User.username == username.strip()))
            if user is None:
                raise NotFoundError("user", username)
            is_admin = Role.ADMINISTRATOR in actor_of(user).roles
            self._authorise(session, by, bootstrap=is_admin)
            user.secret_kind = credentials.kind
            user.secret_hash = hashes["secret_hash"]
            if credentials.badge is not None:
                user.badge_hash, user.badge_key = hashes["badge_hash"], hashes["badge_key"]
            user.failed_sign_ins, user.locked_until = 0, None
            session.add(self._entry("user.credentials_changed", user, by, {
                "sign_in": credentials.kind.value, "badge": credentials.badge is not None}))

    def list(self) -> list[UserSummary]:
        with storage_errors("cannot read the users"), self._sessions() as session:
            users = session.scalars(sa.select(User).order_by(User.username)).all()
            return [UserSummary(u.username, u.display_name,
                                tuple(sorted(r.name for r in u.roles)), u.active,
                                u.secret_kind.value if u.secret_hash and u.secret_kind
                                else "none", bool(u.badge_hash), u.locked_until)
                    for u in users]

    # -- parts ----------------------------------------------------------------------------

    def _hashes(self, credentials: Credentials) -> dict[str, str | None]:
        check_new_secret(credentials.kind, credentials.secret)
        hashes: dict[str, str | None] = {"secret_hash": self._hasher.hash(credentials.secret),
                                         "badge_hash": None, "badge_key": None}
        if credentials.badge is not None:
            badge = check_new_badge(credentials.badge)
            hashes["badge_hash"], hashes["badge_key"] = self._hasher.hash(badge), badge_key(badge)
        return hashes

    @staticmethod
    def _authorise(session: Session, by: Actor | None, *, bootstrap: bool) -> None:
        if by is not None:
            require(by, Permission.MANAGE_USERS)
        elif not bootstrap or _administrator_exists(session):
            raise AccessDeniedError("an administrator must sign in to manage users "
                                    "(only the first administrator may be added without)")

    def _entry(self, action: str, user: User, by: Actor | None,
               detail: dict[str, object]) -> AuditEntry:
        return audit_entry(action, at=self._clock(), user_id=user.id, by_user=False,
                           actor_id=None if by is None else by.user_id, detail=detail)


def _administrator_exists(session: Session) -> bool:
    found = session.scalar(
        sa.select(User.id).join(User.roles).where(
            RoleRow.name == Role.ADMINISTRATOR.value, User.active,
            User.secret_hash.is_not(None)).limit(1))
    return found is not None


def role_rows(session: Session, roles: frozenset[Role]) -> list[RoleRow]:
    rows = []
    for role in sorted(roles, key=lambda r: r.value):
        row = session.scalar(sa.select(RoleRow).where(RoleRow.name == role.value))
        if row is None:
            row = RoleRow(name=role.value, description=role.value.replace("_", " "))
            session.add(row)
        rows.append(row)
    return rows
