"""TRAINING ONLY: the made-up users of a training database and their published PINs.

These credentials are not secrets: the training sign-in screen prints them, and they
are set only in a training database (``open_demo``'s temporary file). A real station's
users are added by an administrator with ``infusion-station user add``. The training
hashes use argon2id's cheapest parameters for the same reason (nothing to protect).
"""

from __future__ import annotations

from datetime import datetime

import argon2
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.access.credentials import CredentialHasher
from station.access.roles import Role
from station.access.users import role_rows
from station.persistence.people import SecretKind, User
from station.persistence.unit_of_work import write_transaction

TRAINING_HASHER = CredentialHasher(argon2.profiles.CHEAPEST)
TRAINING_NURSE = "training.nurse"  # made by the demo schedule (ui/chairside/demo_schedule.py)
TRAINING_NURSE_PIN = "246810"
TRAINING_CHARGE = "training.charge"
TRAINING_CHARGE_PASSWORD = "training-charge"
TRAINING_HINT = (f"TRAINING users (made-up, this training database only): nurse "
                 f"{TRAINING_NURSE} PIN {TRAINING_NURSE_PIN}; charge nurse {TRAINING_CHARGE} "
                 f"password {TRAINING_CHARGE_PASSWORD}")


def add_training_users(sessions: sessionmaker[Session], *, now: datetime) -> None:
    """Give the demo schedule's training nurse a PIN and add a training charge nurse."""
    with write_transaction(sessions, "set up the training users") as session:
        nurse = session.scalar(sa.select(User).where(User.username == TRAINING_NURSE))
        if nurse is None:
            raise RuntimeError("the demo schedule has no training nurse")
        nurse.roles = role_rows(session, frozenset({Role.NURSE}))
        nurse.secret_kind = SecretKind.PIN
        nurse.secret_hash = TRAINING_HASHER.hash(TRAINING_NURSE_PIN)
        session.add(User(username=TRAINING_CHARGE, display_name="Training Charge Nurse",
                         created_at=now, roles=role_rows(session, frozenset({Role.CHARGE_NURSE})),
                         secret_kind=SecretKind.PASSWORD,
                         secret_hash=TRAINING_HASHER.hash(TRAINING_CHARGE_PASSWORD)))
