"""Typed errors of the services: wrong ids and wrong states, never clinical refusals.

Clinical rules answer with :class:`~station.domain.refusals.Refused` (reasons a nurse
can read aloud). These errors mean the caller asked about something that does not
exist or is in no state for the request; the UI shows them as they are.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of the errors the services raise."""


class NotFoundError(ServiceError, LookupError):
    """No stored record has this id (or none matches)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"no {what} {key!r} is stored")
        self.what = what
        self.key = key


class InvalidStateError(ServiceError):
    """The record is not in a state that allows the request (e.g. resume while running)."""


class AccessDeniedError(ServiceError):
    """The acting user's roles do not allow the request (nothing was stored)."""


class NotSignedInError(AccessDeniedError):
    """Nobody is signed in at the station, so nothing may be written."""
