"""The HL7 outbox: IHE PCD messages kept until the receiver acknowledges them.

One row per message in sending order (``id``); ``acked_at`` stays NULL until the
receiver's ACK. Rows are updated (attempts, last error, acknowledgement), so this is
not an append-only log. Written by hand after the model (station/persistence/outbox.py)
and checked against it by the autogenerate comparison of tests/persistence.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hl7_outbox",
        sa.Column("control_id", sa.String(length=64), nullable=False),
        sa.Column("message_type", sa.String(length=32), nullable=False),
        sa.Column("infusion_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("queued_at", _UTC, nullable=False),
        sa.Column("acked_at", _UTC, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_attempt_at", _UTC, nullable=True),
        sa.Column("last_error", sa.String(length=500), server_default="", nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["infusion_id"], ["infusions.id"],
                                name=op.f("fk_hl7_outbox_infusion_id_infusions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hl7_outbox")),
        sa.UniqueConstraint("control_id", name=op.f("uq_hl7_outbox_control_id")),
    )
    op.create_index(op.f("ix_hl7_outbox_acked_at"), "hl7_outbox", ["acked_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_hl7_outbox_acked_at"), table_name="hl7_outbox")
    op.drop_table("hl7_outbox")
