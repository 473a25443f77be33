"""Sign-in with a PIN, a password or a badge; lockout; roles; every attempt audited."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.access.authenticate import LOCKOUT, MAX_FAILURES, Authenticator, SignInRefused
from station.access.credentials import CredentialHasher, CredentialPolicyError
from station.access.roles import Role
from station.access.users import Credentials, UserDirectory
from station.persistence.audit_log import AuditLog
from station.persistence.people import SecretKind, User
from station.services import Actor
from station.services.errors import AccessDeniedError
from tests.access.conftest import (
    ADMIN_PASSWORD,
    BADGE,
    CHARGE_PASSWORD,
    NURSE_PIN,
    Clock,
    People,
)


@pytest.fixture
def directory(sessions: sessionmaker[Session], clock: Clock,
              hasher: CredentialHasher) -> UserDirectory:
    return UserDirectory(sessions, clock=clock, hasher=hasher)


@pytest.fixture
def auth(sessions: sessionmaker[Session], clock: Clock, hasher: CredentialHasher) -> Authenticator:
    return Authenticator(sessions, clock=clock, hasher=hasher)


def test_pin_password_and_badge_give_the_users_actor(auth: Authenticator, people: People) -> None:
    nurse = auth.sign_in("nina", NURSE_PIN)
    assert nurse == Actor(people.nurse, "Nina Nurse", frozenset({Role.NURSE}))
    charge = auth.sign_in(" carl ", CHARGE_PASSWORD)
    assert isinstance(charge, Actor) and charge.roles == frozenset({Role.CHARGE_NURSE})
    # A badge reader types the badge and Enter.
    assert auth.sign_in_badge(BADGE + "\n") == nurse


@pytest.mark.parametrize(("username", "secret"), [("nina", "482914"), ("nobody", NURSE_PIN),
                                                  ("nina", ""), ("carl", NURSE_PIN)])
def test_wrong_credentials_are_refused_with_one_message(auth: Authenticator, people: People,
                                                        username: str, secret: str) -> None:
    refused = auth.sign_in(username, secret)
    assert isinstance(refused, SignInRefused)
    assert refused.code == "wrong_credentials"
    assert refused.reason == "Wrong username, password or PIN."


def test_lockout_after_repeated_failures_then_released(auth: Authenticator, people: People,
                                                       clock: Clock) -> None:
    for _ in range(MAX_FAILURES - 1):
        assert isinstance(auth.sign_in("nina", "000111"), SignInRefused)
    locked = auth.sign_in("nina", "000111")
    assert isinstance(locked, SignInRefused) and locked.code == "locked_out"
    # Even the right PIN and the badge are refused while locked.
    right = auth.sign_in("nina", NURSE_PIN)
    assert isinstance(right, SignInRefused) and right.code == "locked_out"
    assert isinstance(auth.sign_in_badge(BADGE), SignInRefused)
    clock.now += LOCKOUT
    assert isinstance(auth.sign_in("nina", NURSE_PIN), Actor)


def test_a_success_resets_the_failure_count(auth: Authenticator, people: People,
                                            sessions: sessionmaker[Session]) -> None:
    for _ in range(MAX_FAILURES - 1):
        auth.sign_in("nina", "000111")
    assert isinstance(auth.sign_in("nina", NURSE_PIN), Actor)
    assert isinstance(auth.sign_in("nina", "000111"), SignInRefused)
    with sessions() as session:
        user = session.get_one(User, people.nurse)
        assert (user.failed_sign_ins, user.locked_until) == (1, None)


def test_unknown_badges_pause_badge_sign_in_at_this_station(auth: Authenticator,
                                                            people: People, clock: Clock) -> None:
    for _ in range(MAX_FAILURES):
        refused = auth.sign_in_badge("FFFFFFFF0000")
        assert isinstance(refused, SignInRefused) and refused.code == "badge_unknown"
    paused = auth.sign_in_badge(BADGE)
    assert isinstance(paused, SignInRefused) and paused.code == "badges_paused"
    assert isinstance(auth.sign_in("nina", NURSE_PIN), Actor)  # the username still works
    clock.now += LOCKOUT
    assert isinstance(auth.sign_in_badge(BADGE), Actor)


def test_every_attempt_is_audited_and_no_secret_or_unknown_name_is_stored(
        auth: Authenticator, people: People, sessions: sessionmaker[Session]) -> None:
    auth.sign_in("nina", NURSE_PIN)
    auth.sign_in("nina", "000111")
    auth.sign_in("482913-typed-in-the-name-field", "x")
    auth.sign_in_badge("FFFFFFFF0000")
    entries = AuditLog(sessions).entries(entity_type="users")
    actions = [e.action for e in entries][-4:]
    assert actions == ["user.signed_in", "user.sign_in_refused", "user.sign_in_refused",
                       "user.sign_in_refused"]
    text = repr([(e.detail, e.entity_id) for e in entries])
    for secret in (NURSE_PIN, "000111", "typed-in-the-name-field", BADGE, "FFFFFFFF0000",
                   ADMIN_PASSWORD, CHARGE_PASSWORD):
        assert secret not in text
    with sessions() as session:
        stored = " ".join(f"{u.secret_hash} {u.badge_hash} {u.badge_key}"
                          for u in session.query(User))
    assert NURSE_PIN not in stored and BADGE not in stored and "$argon2id$" in stored


def test_a_user_without_credentials_or_role_cannot_sign_in(
        auth: Authenticator, people: People, sessions: sessionmaker[Session],
        clock: Clock, hasher: CredentialHasher) -> None:
    with sessions.begin() as session:
        session.add(User(username="legacy", display_name="Legacy", created_at=clock()))
    assert isinstance(auth.sign_in("legacy", ""), SignInRefused)
    admin = Actor(people.admin, "Ada", frozenset({Role.ADMINISTRATOR}))
    directory = UserDirectory(sessions, clock=clock, hasher=hasher)
    directory.set_credentials("legacy", Credentials(SecretKind.PIN, "739184"), by=admin)
    refused = auth.sign_in("legacy", "739184")
    assert isinstance(refused, SignInRefused) and refused.code == "no_role"


def test_only_an_administrator_manages_users_except_the_first(
        people: People, sessions: sessionmaker[Session], clock: Clock,
        hasher: CredentialHasher) -> None:
    directory = UserDirectory(sessions, clock=clock, hasher=hasher)
    new = Credentials(SecretKind.PIN, "739184")
    with pytest.raises(AccessDeniedError):
        directory.add("x", "X", frozenset({Role.ADMINISTRATOR}), new, by=None)
    charge = Actor(people.charge, "Carl", frozenset({Role.CHARGE_NURSE}))
    with pytest.raises(AccessDeniedError):
        directory.add("x", "X", frozenset({Role.NURSE}), new, by=charge)
    with pytest.raises(AccessDeniedError):
        directory.set_credentials("nina", new, by=charge)
    assert [u.username for u in directory.list()] == ["ada", "carl", "nina"]


@pytest.mark.parametrize(("kind", "secret"), [
    (SecretKind.PIN, "12345"), (SecretKind.PIN, "12ab56"), (SecretKind.PIN, "111111"),
    (SecretKind.PIN, "123456"), (SecretKind.PASSWORD, "short"),
    (SecretKind.PASSWORD, " padded-password ")])
def test_weak_secrets_are_refused_and_nothing_is_stored(
        people: People, directory: UserDirectory, kind: SecretKind, secret: str) -> None:
    admin = Actor(people.admin, "Ada", frozenset({Role.ADMINISTRATOR}))
    with pytest.raises(CredentialPolicyError):
        directory.add("weak", "Weak", frozenset({Role.NURSE}), Credentials(kind, secret),
                      by=admin)
    assert "weak" not in [u.username for u in directory.list()]


def test_station_parameters_are_rfc9106_argon2id() -> None:
    hashed = CredentialHasher().hash("a-password-here")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert CredentialHasher(CredentialHasher().parameters).verify(hashed, "a-password-here")
