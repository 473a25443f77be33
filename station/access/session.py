"""Who is signed in at this station now: the Actor the station's services act for."""

from __future__ import annotations

import threading

from station.access.roles import Role
from station.services.context import Actor
from station.services.errors import NotSignedInError


class StationSession:
    """The station's signed-in user, or nobody; pass it to ``StationServices.build``.

    While nobody is signed in, reading ``user_id``, ``name`` or ``roles`` raises
    :class:`NotSignedInError`, so every service write is refused before it starts.
    Change it on the thread that runs the service calls (the UI's worker), so a write
    in progress keeps one actor from start to end.
    """

    def __init__(self, actor: Actor | None = None) -> None:
        self._actor = actor
        self._lock = threading.Lock()

    @property
    def current(self) -> Actor | None:
        with self._lock:
            return self._actor

    def begin(self, actor: Actor) -> Actor | None:
        """Sign ``actor`` in; return who was signed in before (or None)."""
        with self._lock:
            before, self._actor = self._actor, actor
        return before

    def end(self) -> Actor | None:
        """Sign out; return who was signed in (or None)."""
        with self._lock:
            before, self._actor = self._actor, None
        return before

    def _required(self) -> Actor:
        actor = self.current
        if actor is None:
            raise NotSignedInError("Nobody is signed in at this station: sign in first.")
        return actor

    @property
    def user_id(self) -> int:
        return self._required().user_id

    @property
    def name(self) -> str:
        return self._required().name

    @property
    def roles(self) -> frozenset[Role]:
        return self._required().roles
