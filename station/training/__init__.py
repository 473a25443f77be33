"""Training mode rules (Qt-free): what a database is for, and which pumps a station takes.

`is_training(engine_or_sessions)` tells exports and printouts to stamp TRAINING;
`training_stamp(...)` is the line to print (None for a real database).
See docs/training.md.
"""

from station.training.database_purpose import (
    TRAINING_STAMP,
    DatabasePurpose,
    MixedDatabaseError,
    claim_database,
    is_training,
    open_for,
    read_purpose,
    training_database_url,
    training_stamp,
)
from station.training.pump_admission import PumpAdmission
from station.training.pump_gate import PumpGate

__all__ = [
    "TRAINING_STAMP",
    "DatabasePurpose",
    "MixedDatabaseError",
    "PumpAdmission",
    "PumpGate",
    "claim_database",
    "is_training",
    "open_for",
    "read_purpose",
    "training_database_url",
    "training_stamp",
]
