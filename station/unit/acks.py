"""Acknowledgements asked for away from the chair: stored, then done by the owning station.

The overview stores an `AckRequest` (its trigger notifies `r:<chair>`); the station
holding the chair's lease acknowledges the alarm in its own engine, which stores the
ACKNOWLEDGED transition every screen reads, and writes the outcome on the request.
Only acknowledgement travels: nothing clears or resets an alarm remotely, and nothing
is sent to a pump, so a pump's own alarm stays until a nurse deals with it at the chair.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.errors import storage_errors
from station.persistence.unit import AckRequest
from station.persistence.unit_of_work import store_one, write_transaction
from station.unit.tiles import TileAlarm

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

ACK_WAIT_S = 5.0
_OUTCOME_MAX = 200


class AckTarget(Protocol):
    """What a station offers for a remote acknowledgement (the monitoring service)."""

    def acknowledge_stored(self, chair_id: str, stored_alarm_id: int,
                           who: str) -> Future[Any]: ...


def request_acknowledgement(sessions: sessionmaker[Session], alarm: TileAlarm, *,
                            who: str, user_id: int | None, origin: str,
                            utc_now: Callable[[], datetime]) -> int:
    """Store a request to acknowledge `alarm` at its station; the request's id."""
    if alarm.alarm_id is None:
        raise ValueError(f"{alarm.condition} at {alarm.chair_label} is the overview's own "
                         "alarm: it ends when the station is heard again")
    return store_one(sessions, AckRequest(
        alarm_id=alarm.alarm_id, chair_label=alarm.chair_label, condition=alarm.condition,
        requested_by_id=user_id, requested_by=who[:64], requested_at=utc_now(),
        origin=origin[:64], handled_at=None, outcome=""), "store the acknowledgement request")


class AckRelay:
    """The station's side: carries out the requests for the chairs it holds."""

    def __init__(self, sessions: sessionmaker[Session], target: AckTarget, *,
                 utc_now: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._target = target
        self._utc_now = utc_now

    def handle_pending(self, chairs: Collection[str]) -> int:
        """Carry out every open request for `chairs`, oldest first; how many were done."""
        stmt = (sa.select(AckRequest).where(AckRequest.handled_at.is_(None),
                                            AckRequest.chair_label.in_(list(chairs)))
                .order_by(AckRequest.id))
        with storage_errors("cannot read acknowledgement requests"), self._sessions() as s:
            requests = list(s.scalars(stmt))
        done = 0
        for request in requests:
            outcome = self._carry_out(request)
            if outcome is None:
                continue  # the station is not monitoring yet: the request waits
            done += 1
            with write_transaction(self._sessions, "store the acknowledgement's outcome") as s:
                s.execute(sa.update(AckRequest).where(AckRequest.id == request.id)
                          .values(handled_at=self._utc_now(), outcome=outcome[:_OUTCOME_MAX]))
        return done

    def _carry_out(self, request: AckRequest) -> str | None:
        who = (str(request.requested_by_id) if request.requested_by_id is not None
               else request.requested_by or "overview")
        future = self._target.acknowledge_stored(request.chair_label, request.alarm_id, who)
        try:
            future.result(timeout=ACK_WAIT_S)
        except RuntimeError as exc:  # not running (starting or stopping): not a refusal
            log.info("acknowledgement %d waits: %s", request.id, exc)
            return None
        except Exception as exc:  # the engine's refusal is the outcome, for the record
            log.warning("acknowledgement %d at %s refused: %s", request.id,
                        request.chair_label, exc)
            return f"refused: {exc}"
        return "acknowledged"
