"""Training mode rules (Qt-free): what a database is for, and which pumps a station takes.

`is_training(engine_or_sessions)` tells exports and printouts to stamp TRAINING.
See docs/training.md.
"""

from station.training.database_purpose import (
    DatabasePurpose,
    MixedDatabaseError,
    claim_database,
    is_training,
    open_for,
    read_purpose,
)
from station.training.pump_admission import PumpAdmission
from station.training.pump_gate import PumpGate

__all__ = [
    "DatabasePurpose",
    "MixedDatabaseError",
    "PumpAdmission",
    "PumpGate",
    "claim_database",
    "is_training",
    "open_for",
    "read_purpose",
]
