"""One durable transaction per service call, with its event and audit entries.

Every write a nurse sees as done is committed (PostgreSQL: synchronous commit; SQLite:
WAL with FULL sync, set by the engine) before the service method returns. Records,
events and audit entries of one call share one transaction: all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from station.access.roles import Permission
from station.persistence.audit import AuditEntry, canonical_json
from station.persistence.base import IdMixin
from station.persistence.delivery import Infusion
from station.persistence.errors import storage_errors
from station.persistence.events import InfusionEvent, InfusionEventKind, NotDeliveringReason
from station.persistence.people import ActorKind
from station.persistence.unit_of_work import write_transaction
from station.services.context import ServiceContext, require


@contextmanager
def writing(ctx: ServiceContext, what: str,
            permission: Permission = Permission.RECORD_CARE) -> Iterator[Session]:
    """A session in a transaction that is durably committed when the block ends.

    Refused first (``AccessDeniedError``, ``NotSignedInError``) unless a signed-in
    user whose roles allow ``permission`` acts. An exception inside rolls everything
    back; storage failures become :class:`~station.persistence.errors.StorageError`
    naming ``what``.
    """
    require(ctx.actor, permission)
    # The storage layer's write transaction takes SQLite's write lock at BEGIN: a plain
    # BEGIN fails at once with "database is locked" when the monitoring thread commits
    # telemetry between this transaction's first read and its first write.
    with write_transaction(ctx.sessions, what) as session:
        yield session
    ctx.changes.notify()  # committed: the monitoring reloads what it times from it


@contextmanager
def reading(ctx: ServiceContext, what: str) -> Iterator[Session]:
    """A read-only session (nothing is committed)."""
    with storage_errors(f"cannot {what}"), ctx.sessions() as session:
        yield session


def subject_key(record: IdMixin) -> tuple[str, str]:
    """How the audit log names a record: its table and id."""
    table: str = getattr(record, "__tablename__")  # noqa: B009 - every model has one
    return table, str(record.id)


def audit(
    session: Session,
    ctx: ServiceContext,
    action: str,
    subject: IdMixin,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry about ``subject`` by the acting user, stamped with the clock."""
    entity_type, entity_id = subject_key(subject)
    entry = AuditEntry(
        at=ctx.now(),
        action=action,
        actor_kind=ActorKind.USER,
        actor_user_id=ctx.actor.user_id,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=canonical_json(detail or {}),
    )
    session.add(entry)
    return entry


def infusion_event(
    session: Session,
    ctx: ServiceContext,
    infusion: Infusion,
    kind: InfusionEventKind,
    occurred_at: datetime,
    *,
    rate_ml_h: float | None = None,
    segment_volume_ml: float | None = None,
    total_volume_ml: float | None = None,
    not_delivering: NotDeliveringReason | None = None,
    detail: str = "",
) -> InfusionEvent:
    """Add an infusion event (IHE PCD-10 vocabulary) by the acting user."""
    event = InfusionEvent(
        kind=kind,
        infusion_id=infusion.id,
        pump_id=infusion.pump_id,
        occurred_at=occurred_at,
        recorded_at=ctx.now(),
        not_delivering_reason=not_delivering,
        reason_detail=detail[:200],
        rate_ml_h=rate_ml_h,
        segment_volume_ml=segment_volume_ml,
        total_volume_ml=total_volume_ml,
        patient_id=infusion.appointment.patient_id,
        actor_kind=ActorKind.USER,
        actor_user_id=ctx.actor.user_id,
    )
    session.add(event)
    return event


def iso(moment: datetime) -> str:
    """A time for an audit detail (ISO 8601, UTC offset kept)."""
    return moment.isoformat()
