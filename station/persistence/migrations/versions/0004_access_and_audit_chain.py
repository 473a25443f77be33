"""Sign-in credentials on users; the audit log hash-chained and append-only in the database.

Users: ``secret_hash`` / ``secret_kind`` (argon2id of a password or PIN), ``badge_hash``
(argon2id of a badge scan) with ``badge_key`` (16 bits of its SHA-256, indexed, to find
the candidates of a scan), ``failed_sign_ins`` and ``locked_until`` (lockout). Existing
users get no credentials: they cannot sign in until an administrator sets one
(``infusion-station user passwd``).

Audit log: ``prev_hash`` and ``hash``, filled over the existing entries in id order
with a frozen copy of ``station.persistence.audit_chain.entry_hash`` (a migration
imports nothing of the application; a test checks that both agree), then NOT NULL.
Triggers refuse UPDATE and DELETE of ``audit_log`` rows (and TRUNCATE on PostgreSQL)
for anyone who goes around the ORM; someone who may drop triggers can still change
rows, which is what ``infusion-station audit verify`` finds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GENESIS = "0" * 64
_REFUSAL = "audit_log is append-only"
_SQLITE_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")


def _entry_hash(prev: str, row: sa.Row[tuple[object, ...]]) -> str:
    at: datetime = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
    content = {"prev": prev, "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
               "action": row.action, "actor_kind": row.actor_kind,
               "actor_user_id": row.actor_user_id, "entity_type": row.entity_type,
               "entity_id": row.entity_id, "detail": row.detail}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fill_chain() -> None:
    audit = sa.table("audit_log", sa.column("id", sa.Integer()),
                     sa.column("at", sa.DateTime(timezone=True)), sa.column("action"),
                     sa.column("actor_kind"), sa.column("actor_user_id"),
                     sa.column("entity_type"), sa.column("entity_id"), sa.column("detail"),
                     sa.column("prev_hash"), sa.column("hash"))
    connection = op.get_bind()
    prev = _GENESIS
    rows = connection.execute(sa.select(audit).order_by(audit.c.id)).all()
    for row in rows:
        digest = _entry_hash(prev, row)
        connection.execute(audit.update().where(audit.c.id == row.id)
                           .values(prev_hash=prev, hash=digest))
        prev = digest


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, verb in zip(_SQLITE_TRIGGERS, ("UPDATE", "DELETE"), strict=True):
            op.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END")
        return
    op.execute("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql "
               f"AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$")
    op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("secret_hash", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("secret_kind", sa.Enum("password", "pin", name="secretkind",
                                                          native_enum=False, length=32),
                                   nullable=True))
        batch.add_column(sa.Column("badge_hash", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("badge_key", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("failed_sign_ins", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_users_badge_key"), "users", ["badge_key"], unique=False)
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _fill_chain()
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
    op.drop_index(op.f("ix_users_badge_key"), table_name="users")
    with op.batch_alter_table("users") as batch:
        for column in ("locked_until", "failed_sign_ins", "badge_key", "badge_hash",
                       "secret_kind", "secret_hash"):
            batch.drop_column(column)
