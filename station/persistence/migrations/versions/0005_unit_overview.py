"""A unit of stations on one database: stations, chair leases, chair assignments,
acknowledgements asked for at the overview; on PostgreSQL, NOTIFY triggers.

Every write the charge nurse's overview must see (an alarm, a transition, a telemetry
chunk, a pump event, an infusion, a pause, an appointment, a lease) sends
`pg_notify('unit_<schema>', '<kind>:<key>')` from a trigger, so the notification is
part of the writing transaction: sent on commit, never for a rollback, and whatever
program wrote the row. The keys name what changed (`c:` chair row, `i:` infusion,
`t:` telemetry of an infusion, `a:` alarm, `p:` pump, `l:` lease of a chair label,
`h:` station heartbeat, `r:` acknowledgement request of a chair label); the overview
maps them to chairs. SQLite has the same triggers as TEMP triggers made by the
station on each connection (station/unit/sqlite_changes.py), because a SQLite file
has no server to notify through.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, events, (prefix, column)...): the first non-null column gives the key.
# station/unit/change_keys.py holds the same table; a test checks they agree.
NOTIFY_TRIGGERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("alarms", "INSERT", ("c", "chair_id", "i", "infusion_id", "p", "pump_id")),
    ("alarm_transitions", "INSERT", ("a", "alarm_id")),
    ("telemetry_chunks", "INSERT", ("t", "infusion_id")),
    ("infusion_events", "INSERT", ("i", "infusion_id", "p", "pump_id")),
    ("infusions", "INSERT OR UPDATE", ("i", "id")),
    ("pauses", "INSERT OR UPDATE", ("i", "infusion_id")),
    ("appointments", "INSERT OR UPDATE", ("c", "chair_id")),
    ("chair_assignments", "INSERT OR UPDATE OR DELETE", ("c", "chair_id")),
    ("chair_leases", "INSERT OR UPDATE OR DELETE", ("l", "chair_label")),
    ("unit_stations", "INSERT OR UPDATE", ("h", "name")),
    ("alarm_ack_requests", "INSERT OR UPDATE", ("r", "chair_label")),
)

_NOTIFY_FUNCTION = """
CREATE FUNCTION unit_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb;
    value text;
    i integer := 0;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := to_jsonb(OLD);
    ELSE
        changed := to_jsonb(NEW);
    END IF;
    WHILE i < TG_NARGS LOOP
        value := changed ->> TG_ARGV[i + 1];
        IF value IS NOT NULL THEN
            PERFORM pg_notify('unit_' || TG_TABLE_SCHEMA, TG_ARGV[i] || ':' || value);
            RETURN NULL;
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "unit_stations",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_unit_stations")),
    )
    op.create_table(
        "chair_leases",
        sa.Column("chair_label", sa.String(length=32), nullable=False),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station"], ["unit_stations.name"],
                                name=op.f("fk_chair_leases_station_unit_stations")),
        sa.PrimaryKeyConstraint("chair_label", name=op.f("pk_chair_leases")),
    )
    op.create_index(op.f("ix_chair_leases_station"), "chair_leases", ["station"])
    op.create_table(
        "chair_assignments",
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("pod", sa.String(length=32), nullable=False),
        sa.Column("nurse_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["chair_id"], ["chairs.id"],
                                name=op.f("fk_chair_assignments_chair_id_chairs")),
        sa.ForeignKeyConstraint(["nurse_id"], ["users.id"],
                                name=op.f("fk_chair_assignments_nurse_id_users")),
        sa.PrimaryKeyConstraint("chair_id", name=op.f("pk_chair_assignments")),
    )
    op.create_table(
        "alarm_ack_requests",
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("chair_label", sa.String(length=32), nullable=False),
        sa.Column("condition", sa.String(length=64), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.id"],
                                name=op.f("fk_alarm_ack_requests_alarm_id_alarms")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_alarm_ack_requests_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_ack_requests")),
    )
    op.create_index("ix_alarm_ack_requests_chair_open", "alarm_ack_requests",
                    ["chair_label", "handled_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_NOTIFY_FUNCTION)
        for table, events, args in NOTIFY_TRIGGERS:
            quoted = ", ".join(f"'{a}'" for a in args)
            op.execute(f"CREATE TRIGGER unit_notify_{table} AFTER {events} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION unit_notify_change({quoted})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _events, _args in NOTIFY_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS unit_notify_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS unit_notify_change()")
    op.drop_index("ix_alarm_ack_requests_chair_open", table_name="alarm_ack_requests")
    op.drop_table("alarm_ack_requests")
    op.drop_table("chair_assignments")
    op.drop_index(op.f("ix_chair_leases_station"), table_name="chair_leases")
    op.drop_table("chair_leases")
    op.drop_table("unit_stations")
