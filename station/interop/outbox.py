"""The durable HL7 outbox: queue messages, read them in order, mark them acknowledged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.interop.hl7_segments import Outgoing
from station.persistence.errors import storage_errors
from station.persistence.outbox import OutboxMessage
from station.persistence.unit_of_work import write_transaction


def message_type(payload: str) -> str:
    """MSH-9 of an ER7 message ("" if it has none)."""
    fields = payload.split("\r", 1)[0].split("|")
    return fields[8] if len(fields) > 8 else ""


class Outbox:
    """Messages are stored before anyone is told they are queued; each call is one
    durable transaction. Sending order is the order of queuing."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def enqueue(self, messages: Outgoing, *, infusion_id: int | None = None) -> int:
        """Queue messages in order; ones whose control id is already queued are skipped
        (so exporting a visit twice sends it once). The number queued."""
        now = self._clock()
        with write_transaction(self._sessions, "queue the HL7 messages") as session:
            known = set(session.scalars(sa.select(OutboxMessage.control_id).where(
                OutboxMessage.control_id.in_([cid for cid, _ in messages]))))
            fresh = [(cid, text) for cid, text in dict(messages).items() if cid not in known]
            session.add_all(OutboxMessage(control_id=cid, message_type=message_type(text)[:32],
                                          infusion_id=infusion_id, payload=text,
                                          queued_at=now) for cid, text in fresh)
        return len(fresh)

    def pending(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """Unacknowledged messages, oldest first."""
        with storage_errors("cannot read the HL7 outbox"), self._sessions() as session:
            return session.scalars(sa.select(OutboxMessage).where(
                OutboxMessage.acked_at.is_(None)).order_by(OutboxMessage.id).limit(limit)).all()

    def control_ids(self, infusion_id: int) -> set[str]:
        """Control ids already queued for an infusion (acknowledged or not)."""
        with storage_errors("cannot read the HL7 outbox"), self._sessions() as session:
            return set(session.scalars(sa.select(OutboxMessage.control_id).where(
                OutboxMessage.infusion_id == infusion_id)))

    def all(self) -> Sequence[OutboxMessage]:
        """Every message, in sending order."""
        with storage_errors("cannot read the HL7 outbox"), self._sessions() as session:
            return session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()

    def attempted(self, message_id: int) -> None:
        """Count an attempt before the message goes on the wire."""
        self._update(message_id, attempts=OutboxMessage.attempts + 1,
                     last_attempt_at=self._clock())

    def acknowledged(self, message_id: int) -> None:
        self._update(message_id, acked_at=self._clock(), last_error="")

    def failed(self, message_id: int, error: str) -> None:
        self._update(message_id, last_error=error[:500])

    def _update(self, message_id: int, **values: object) -> None:
        with write_transaction(self._sessions, "update the HL7 outbox") as session:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                            .values(**values))
