"""What a change notification says: `<kind>:<key>` for one written row.

The same table drives the PostgreSQL triggers of migration 0005 (which cannot import
the station) and the SQLite TEMP triggers of `sqlite_changes`; a test checks that the
two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

CHAIR = "c"  # a chairs row id
INFUSION = "i"  # an infusion id (its row, a pause, a pump event)
TELEMETRY = "t"  # an infusion id whose telemetry grew
ALARM = "a"  # an alarms row id (a transition)
PUMP = "p"  # a pumps row id (an event or alarm with no infusion)
LEASE = "l"  # a chair label whose lease changed
HEARTBEAT = "h"  # a station name that said it is alive
ACK_REQUEST = "r"  # a chair label with an acknowledgement asked for away from it

RESYNC = "*"  # notifications may have been missed: read everything again
LOST = "!"  # the listening connection is down: nothing arrives until RESYNC

# (table, events, (prefix, column)...): the first non-null column gives the key.
NOTIFY_TRIGGERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("alarms", "INSERT", (CHAIR, "chair_id", INFUSION, "infusion_id", PUMP, "pump_id")),
    ("alarm_transitions", "INSERT", (ALARM, "alarm_id")),
    ("telemetry_chunks", "INSERT", (TELEMETRY, "infusion_id")),
    ("infusion_events", "INSERT", (INFUSION, "infusion_id", PUMP, "pump_id")),
    ("infusions", "INSERT OR UPDATE", (INFUSION, "id")),
    ("pauses", "INSERT OR UPDATE", (INFUSION, "infusion_id")),
    ("appointments", "INSERT OR UPDATE", (CHAIR, "chair_id")),
    ("chair_assignments", "INSERT OR UPDATE OR DELETE", (CHAIR, "chair_id")),
    ("chair_leases", "INSERT OR UPDATE OR DELETE", (LEASE, "chair_label")),
    ("unit_stations", "INSERT OR UPDATE", (HEARTBEAT, "name")),
    ("alarm_ack_requests", "INSERT OR UPDATE", (ACK_REQUEST, "chair_label")),
)


@dataclass(frozen=True)
class ChangeKey:
    """One parsed notification payload."""

    kind: str
    value: str

    @classmethod
    def parse(cls, payload: str) -> ChangeKey | None:
        """None for a payload this version does not know (a newer station's)."""
        kind, sep, value = payload.partition(":")
        if payload in (RESYNC, LOST):
            return cls(payload, "")
        if not sep or not value or kind not in _KINDS:
            return None
        return cls(kind, value)

    @property
    def number(self) -> int | None:
        return int(self.value) if self.value.isdigit() else None


_KINDS = frozenset({CHAIR, INFUSION, TELEMETRY, ALARM, PUMP, LEASE, HEARTBEAT, ACK_REQUEST})


def channel_name(schema: str) -> str:
    """The LISTEN channel of one schema (channels are database-wide, schemas are not)."""
    return f"unit_{schema}"
