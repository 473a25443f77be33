"""Refuse UPDATE and DELETE of append-only records at the ORM level.

Logs that must survive as written (audit entries, infusion events, alarm
transitions) inherit :class:`AppendOnly`. The guard covers both unit-of-work
flushes and bulk ``update()``/``delete()`` statements run through a Session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction


class AppendOnlyError(RuntimeError):
    """Someone tried to change or remove a record of an append-only log."""


class AppendOnly:
    """Marker mixin: rows of this class are inserted once and never changed."""


def _refuse(kind: str, obj: object) -> None:
    raise AppendOnlyError(f"{type(obj).__name__} is append-only: {kind} refused")


@event.listens_for(Session, "before_flush")
def _check_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AppendOnly):
            _refuse("DELETE", obj)
    for obj in session.dirty:
        if isinstance(obj, AppendOnly) and session.is_modified(obj, include_collections=False):
            _refuse("UPDATE", obj)


@event.listens_for(Session, "do_orm_execute")
def _check_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, AppendOnly):
        _refuse("bulk UPDATE" if state.is_update else "bulk DELETE", mapper.class_)
