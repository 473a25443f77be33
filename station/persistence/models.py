"""Imports every model module so that ``Base.metadata`` knows all tables."""

from __future__ import annotations

from station.persistence import (
    alarms,
    audit,
    audit_chain,
    checklist,
    delivery,
    events,
    observations,
    orders,
    outbox,
    people,
    scheduling,
    telemetry,
    unit,
)
from station.persistence.base import Base

MODEL_MODULES = (
    people,
    scheduling,
    orders,
    delivery,
    checklist,
    observations,
    events,
    alarms,
    audit,
    telemetry,
    outbox,
    unit,
)
CHAIN = audit_chain  # its session listener chains every new audit entry
metadata = Base.metadata
