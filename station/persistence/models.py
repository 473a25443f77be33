"""Imports every model module so that ``Base.metadata`` knows all tables."""

from __future__ import annotations

from station.persistence import (
    alarms,
    audit,
    checklist,
    delivery,
    events,
    observations,
    orders,
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
    unit,
)
metadata = Base.metadata
