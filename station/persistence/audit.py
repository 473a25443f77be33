"""The append-only, hash-chained audit log.

Each entry stores ``prev_hash`` (its predecessor's ``hash``, or the genesis value for
the first) and ``hash``, the SHA-256 of its canonical content with ``prev_hash``
(``audit_chain.py`` computes and checks them). ``detail`` holds canonical JSON text
(sorted keys, no spaces) rather than a backend JSON type whose stored bytes differ
between SQLite and PostgreSQL, so the hashed bytes are the stored bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from station.persistence.append_only import AppendOnly
from station.persistence.base import Base, IdMixin
from station.persistence.people import ActorMixin


def canonical_json(detail: Mapping[str, Any]) -> str:
    """Serialise a detail mapping the same way every time (sorted keys, compact)."""
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class AuditEntry(AppendOnly, ActorMixin, IdMixin, Base):
    """Who did what to which record, and when (UTC)."""

    __tablename__ = "audit_log"

    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    entity_type: Mapped[str] = mapped_column(sa.String(64), default="")
    entity_id: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="{}")
    # Filled in at flush by the chain (station.persistence.audit_chain), never by callers.
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    def detail_dict(self) -> dict[str, Any]:
        """The detail as a dictionary."""
        parsed: dict[str, Any] = json.loads(self.detail)
        return parsed
