"""Changes to the drug library and its alarm settings: charge nurses and administrators.

The library file (``resources/drug_library.toml`` or the station's own) holds the drugs
and the alarm settings that come with them: the paused-too-long alarm thresholds and
the vital-signs and site-check intervals whose overdue alarms the station raises, in
``[defaults]``, ``[units.<name>]`` and each ``[[drug]]``. A change is validated as a whole
library first (nothing is written when it fails), written atomically (a temporary file
renamed over the old one), and audited with the old and new SHA-256 of the file, the
values and the reason, in the same transaction: if the audit entry cannot be stored,
the old file is put back.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from station.access.roles import Permission
from station.domain.drug_library import DrugLibrary
from station.domain.drug_library_loader import parse_drug_library
from station.domain.toml_positions import key_lines
from station.persistence.audit import AuditEntry, canonical_json
from station.persistence.base import utc_now
from station.persistence.people import ActorKind
from station.persistence.unit_of_work import write_transaction
from station.services.context import ActingUser, require

ALARM_SETTINGS = ("pause_alarm_medium_min", "pause_alarm_high_min",
                  "vital_signs_interval_min", "site_check_interval_min")
_VALUE = re.compile(r"^(?P<head>\s*[A-Za-z0-9_]+\s*=\s*)(?P<value>[^\s#]+)(?P<tail>.*)$")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LibraryAdministration:
    """Replace the drug library or change one alarm setting in it, audited."""

    def __init__(self, sessions: sessionmaker[Session], actor: ActingUser, path: Path, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._actor = actor
        self._path = path
        self._clock = clock

    def replace_library(self, text: str, reason: str) -> DrugLibrary:
        """Install ``text`` as the library (``CHANGE_DRUG_LIBRARY``); the new library."""
        require(self._actor, Permission.CHANGE_DRUG_LIBRARY)
        _need_reason(reason)
        library = parse_drug_library(text, source=self._path.name)
        old = self._path.read_text(encoding="utf-8")
        self._install(old, text, "drug_library.replaced", {
            "reason": reason.strip(), "version": library.version})
        return library

    def change_alarm_setting(self, table: str, key: str, value: int,
                             reason: str) -> DrugLibrary:
        """Set ``key`` in ``table`` ("defaults", "units.NAME" or "drug.ID") to ``value``
        minutes (``CHANGE_ALARM_SETTINGS``); the new library."""
        require(self._actor, Permission.CHANGE_ALARM_SETTINGS)
        _need_reason(reason)
        if key not in ALARM_SETTINGS:
            raise ValueError(f"{key!r} is not an alarm setting: give one of "
                             f"{', '.join(ALARM_SETTINGS)}")
        old = self._path.read_text(encoding="utf-8")
        lines = old.splitlines(keepends=True)
        number = key_lines(old).get((*_table_path(old, table), key))
        match = None if number is None else _VALUE.match(lines[number - 1])
        if number is None or match is None:
            raise ValueError(f"{key} is not set in [{table}] of {self._path.name}: "
                             "replace the library to add it")
        lines[number - 1] = f"{match['head']}{value}{match['tail']}" + (
            "\n" if lines[number - 1].endswith("\n") else "")
        text = "".join(lines)
        library = parse_drug_library(text, source=self._path.name)
        self._install(old, text, "alarm_setting.changed", {
            "table": table, "key": key, "from": match["value"], "to": value,
            "reason": reason.strip()})
        return library

    def _install(self, old: str, new: str, action: str, detail: dict[str, object]) -> None:
        detail = {**detail, "file": self._path.name, "sha256_before": _sha256(old),
                  "sha256_after": _sha256(new)}
        written = False
        try:
            with write_transaction(self._sessions, f"store the audit entry {action!r}") as s:
                s.add(AuditEntry(at=self._clock(), action=action, actor_kind=ActorKind.USER,
                                 actor_user_id=self._actor.user_id,
                                 entity_type="drug_library", entity_id=self._path.name,
                                 detail=canonical_json(detail)))
                s.flush()  # the entry is accepted before the file changes
                _write_atomically(self._path, new)
                written = True
        except BaseException:
            if written:  # the commit failed: the change must not stand unaudited
                _write_atomically(self._path, old)
            raise


def _need_reason(reason: str) -> None:
    if not reason.strip():
        raise ValueError("say why the library changes (the reason is audited)")


def _table_path(text: str, table: str) -> tuple[str | int, ...]:
    kind, _, name = table.partition(".")
    if kind == "defaults" and not name:
        return ("defaults",)
    if kind == "units" and name:
        return ("units", name)
    if kind == "drug" and name:
        drugs = tomllib.loads(text).get("drug", [])
        for index, drug in enumerate(drugs):
            if drug.get("id") == name:
                return ("drug", index)
        raise ValueError(f"no drug {name!r} in the library")
    raise ValueError(f"unknown table {table!r}: give defaults, units.NAME or drug.ID")


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
