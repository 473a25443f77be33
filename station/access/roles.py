"""Roles a user holds and what each may do (docs/security.md has the table)."""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Role(enum.Enum):
    """A role of the station; its value is the ``roles.name`` stored for it."""

    NURSE = "nurse"
    CHARGE_NURSE = "charge_nurse"
    TRAINER = "trainer"
    ADMINISTRATOR = "administrator"


class Permission(enum.Enum):
    """An action that needs more than being signed in; the value says it in words."""

    RECORD_CARE = "record care at the chair"
    CHANGE_ALARM_SETTINGS = "change alarm settings"
    CHANGE_DRUG_LIBRARY = "change the drug library"
    MANAGE_USERS = "manage users"


_CLINICAL = frozenset({Permission.RECORD_CARE})
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.NURSE: _CLINICAL,
    # A trainer shows the workflows at the chair (and in training mode) as a nurse does.
    Role.TRAINER: _CLINICAL,
    Role.CHARGE_NURSE: _CLINICAL | {Permission.CHANGE_ALARM_SETTINGS,
                                    Permission.CHANGE_DRUG_LIBRARY},
    # Not a clinician: configures the station, never records care.
    Role.ADMINISTRATOR: frozenset({Permission.CHANGE_ALARM_SETTINGS,
                                   Permission.CHANGE_DRUG_LIBRARY, Permission.MANAGE_USERS}),
}


def allows(roles: Iterable[Role], permission: Permission) -> bool:
    """Whether any of ``roles`` grants ``permission``."""
    return any(permission in PERMISSIONS[role] for role in roles)


def parse_role(name: str) -> Role:
    """A role from its stored name or its words ("charge nurse"); ValueError otherwise."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return Role(key)
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise ValueError(f"unknown role {name!r}: give one of {known}") from None
