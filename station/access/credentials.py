"""Hashing and checking what users type or scan: passwords, PINs and badges (argon2id).

Parameters: RFC 9106's second recommended option ("low memory"), argon2id, t=3,
m=64 MiB, p=4, 16-byte salt, 32-byte tag; each hash string carries its own
parameters, so a later change still verifies old hashes and rehashes them at the next
sign-in. A badge reader types the badge's text and Enter: the text is a credential
too, stored only as an argon2id hash plus :func:`badge_key` to find its candidates.
"""

from __future__ import annotations

import hashlib

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from station.persistence.people import SecretKind

STATION_PARAMETERS = argon2.profiles.RFC_9106_LOW_MEMORY
PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 128
BADGE_MIN_CHARS = 6
BADGE_MAX_CHARS = 128


class CredentialPolicyError(ValueError):
    """A new password, PIN or badge that the station refuses (the message says why)."""


def check_new_secret(kind: SecretKind, secret: str) -> None:
    """Refuse a password or PIN that is too short, too long or not digits (for a PIN)."""
    if kind is SecretKind.PIN:
        if not secret.isdigit() or not PIN_MIN_DIGITS <= len(secret) <= PIN_MAX_DIGITS:
            raise CredentialPolicyError(
                f"a PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
        if len(set(secret)) == 1 or secret in "01234567890123" or secret in "98765432109876":
            raise CredentialPolicyError("a PIN may not be one digit repeated or a run")
        return
    if not PASSWORD_MIN_CHARS <= len(secret) <= PASSWORD_MAX_CHARS:
        raise CredentialPolicyError(
            f"a password is {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters")
    if secret != secret.strip():
        raise CredentialPolicyError("a password may not start or end with a space")


def normalise_badge(scan: str) -> str:
    """The badge text without the reader's Enter and surrounding spaces."""
    return scan.strip()


def check_new_badge(scan: str) -> str:
    """The badge text to store, or :class:`CredentialPolicyError`."""
    badge = normalise_badge(scan)
    if not BADGE_MIN_CHARS <= len(badge) <= BADGE_MAX_CHARS or not badge.isprintable():
        raise CredentialPolicyError(
            f"a badge scan is {BADGE_MIN_CHARS} to {BADGE_MAX_CHARS} printable characters")
    return badge


def badge_key(badge: str) -> str:
    """16 bits of the badge's SHA-256 (4 hex digits): which users a scan is checked
    against. It narrows the search without saying what the badge is."""
    return hashlib.sha256(normalise_badge(badge).encode("utf-8")).hexdigest()[:4]


class CredentialHasher:
    """argon2id hashing with the station's parameters (tests may pass cheaper ones)."""

    def __init__(self, parameters: argon2.Parameters = STATION_PARAMETERS) -> None:
        self.parameters = parameters
        self._hasher = argon2.PasswordHasher.from_parameters(parameters)
        self._dummy_hash: str | None = None

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, stored_hash: str | None, secret: str) -> bool:
        """Whether ``secret`` matches; a missing or unreadable hash never matches."""
        if not stored_hash:
            return False
        try:
            return self._hasher.verify(stored_hash, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def burn(self, secret: str) -> None:
        """Spend one verification's time on nothing, so an unknown username takes as long
        as a wrong password (no timing hint that a name exists)."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hash("not a credential")
        self.verify(self._dummy_hash, secret)
