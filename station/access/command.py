"""`infusion-station user add|list|passwd` and `infusion-station audit verify`.

Secrets are prompted without echo on a terminal (twice, to confirm); without one
(scripts, tests) each is read as one line of standard input, in the order asked.
Exit status: 0 done; 1 refused (wrong administrator sign-in, a weak PIN, a broken
audit chain); 2 when the database cannot be opened.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa

from station.access.authenticate import Authenticator, SignInRefused
from station.access.credentials import CredentialPolicyError
from station.access.roles import parse_role
from station.access.users import Credentials, UserDirectory
from station.persistence import StorageError, make_sessionmaker, open_database
from station.persistence.audit_chain import verify_chain
from station.persistence.database import create_engine, parse_url, resolve_url
from station.persistence.people import SecretKind
from station.services.context import Actor
from station.services.errors import ServiceError


class _RefusedError(Exception):
    """A reason the command stops with exit 1."""


def ask_secret(prompt: str, *, confirm: bool = False, stdin: TextIO | None = None) -> str:
    """A secret from the terminal (no echo) or one line of a piped standard input."""
    source = stdin or sys.stdin
    if not source.isatty():
        return source.readline().rstrip("\r\n")
    secret = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != secret:
        raise _RefusedError("the two entries differ")
    return secret


def _credentials(kind: SecretKind, badge: bool) -> Credentials:
    secret = ask_secret(f"New {kind.value.upper() if kind is SecretKind.PIN else 'password'}: ",
                        confirm=True)
    scan = ask_secret("Scan the badge: ") if badge else None
    return Credentials(kind, secret, scan)


def _administrator(directory_auth: Authenticator, username: str | None) -> Actor | None:
    if username is None:
        return None
    result = directory_auth.sign_in(username, ask_secret(f"{username}'s password or PIN: "))
    if isinstance(result, SignInRefused):
        raise _RefusedError(result.reason)
    return result


def _run(name: str, action: Callable[[], None]) -> int:
    try:
        action()
    except StorageError as exc:
        print(f"infusion-station {name}: {exc}", file=sys.stderr)
        return 2
    except (_RefusedError, ServiceError, CredentialPolicyError, ValueError) as exc:
        print(f"infusion-station {name}: {exc}", file=sys.stderr)
        return 1
    return 0


def run_user_add(db_url: str | None, username: str, display_name: str, roles: Sequence[str],
                 *, pin: bool, badge: bool, as_user: str | None) -> int:
    def add() -> None:
        wanted = frozenset(parse_role(r) for r in roles)
        sessions = make_sessionmaker(open_database(db_url))
        admin = _administrator(Authenticator(sessions), as_user)
        kind = SecretKind.PIN if pin else SecretKind.PASSWORD
        UserDirectory(sessions).add(username, display_name, wanted,
                                    _credentials(kind, badge), by=admin)
        print(f"added {username} ({', '.join(sorted(r.value for r in wanted))})")
    return _run("user add", add)


def run_user_passwd(db_url: str | None, username: str, *, pin: bool, badge: bool,
                    as_user: str | None) -> int:
    def passwd() -> None:
        sessions = make_sessionmaker(open_database(db_url))
        admin = _administrator(Authenticator(sessions), as_user)
        kind = SecretKind.PIN if pin else SecretKind.PASSWORD
        UserDirectory(sessions).set_credentials(username, _credentials(kind, badge), by=admin)
        print(f"changed the sign-in of {username}")
    return _run("user passwd", passwd)


def run_user_list(db_url: str | None) -> int:
    def show() -> None:
        users = UserDirectory(make_sessionmaker(open_database(db_url))).list()
        print(f"{'username':<20} {'name':<24} {'roles':<34} sign-in  badge  state")
        for u in users:
            state = "inactive" if not u.active else (
                f"locked until {u.locked_until:%H:%M} UTC" if u.locked_until else "active")
            print(f"{u.username:<20} {u.display_name:<24} {','.join(u.roles):<34} "
                  f"{u.sign_in:<8} {'yes' if u.badge else 'no':<6} {state}")
    return _run("user list", show)


def run_audit_verify(db_url: str | None) -> int:
    """Check the audit chain: 0 intact, 1 broken (the first broken entry named), 2 no
    database. Reads only: it never creates or migrates the database."""
    try:
        url = resolve_url(db_url)
        parsed = parse_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            raise StorageError(f"no database file {parsed.database!r}")
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                columns = {c["name"] for c in sa.inspect(connection).get_columns("audit_log")}
                if "hash" not in columns:
                    raise StorageError("the database has no audit chain yet (schema before "
                                       "0004): run `infusion-station db upgrade` first")
                report = verify_chain(connection)
        finally:
            engine.dispose()
    except (StorageError, sa.exc.SQLAlchemyError) as exc:
        print(f"infusion-station audit verify: cannot open the database: {exc}",
              file=sys.stderr)
        return 2
    if report.intact:
        print(f"audit log intact: {report.checked} entries, head {report.head}")
        return 0
    print(f"audit log BROKEN at entry {report.broken_id}: {report.reason} "
          f"({report.checked} entries before it are intact)")
    return 1
