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
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from station.access.library_edit import (
    ALARM_KEYS,
    STEPS_KEY,
    LibrarySettings,
    Number,
    Step,
    check_entry,
    edited_text,
    read_settings,
    steps_text,
)
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

    @property
    def actor(self) -> ActingUser:
        """Who the changes are made for (the station's session: whoever is signed in)."""
        return self._actor

    def current_settings(self) -> LibrarySettings:
        """The installed library's settings, read from its file (on a worker thread)."""
        return read_settings(self._path.read_text(encoding="utf-8"))

    def change_entry(self, table: str, changes: Mapping[str, Number | None], reason: str,
                     steps: Sequence[Step] | None = None) -> DrugLibrary:
        """Set keys of ``table`` (None takes a key out) and a drug's titration ``steps``.

        Alarm keys need ``CHANGE_ALARM_SETTINGS``, the rest ``CHANGE_DRUG_LIBRARY``; one
        audit entry per changed key (``alarm_setting.changed`` or
        ``drug_library.entry_changed``, with old and new value), all in one transaction.
        A :class:`FieldRefusedError` or :class:`DrugLibraryError` leaves file and log alone.
        """
        old = self._path.read_text(encoding="utf-8")
        current = read_settings(old).table(table) if _known(old, table) else None
        if current is None:
            raise ValueError(f"no table {table!r} in the library")
        changed = {k: v for k, v in changes.items() if current.values.get(k) != v}
        new_steps = None if steps is None or tuple(steps) == current.steps else tuple(steps)
        for key in changed:
            require(self._actor, Permission.CHANGE_ALARM_SETTINGS if key in ALARM_KEYS
                    else Permission.CHANGE_DRUG_LIBRARY)
        if new_steps is not None:
            require(self._actor, Permission.CHANGE_DRUG_LIBRARY)
        _need_reason(reason)
        if not changed and new_steps is None:
            raise ValueError("nothing to save: no value differs from the library")
        check_entry(table, {**current.values, **changed},
                    current.steps if new_steps is None else new_steps)
        text = edited_text(old, table, changed, new_steps)
        library = parse_drug_library(text, source=self._path.name)
        entries: list[tuple[str, dict[str, object]]] = [
            ("alarm_setting.changed" if key in ALARM_KEYS else "drug_library.entry_changed",
             {"table": table, "key": key, "from": current.values.get(key), "to": value})
            for key, value in changed.items()]
        if new_steps is not None:
            entries.append(("drug_library.entry_changed", {
                "table": table, "key": STEPS_KEY, "from": steps_text(current.steps),
                "to": steps_text(new_steps)}))
        self._install_all(old, text, [(a, {**d, "reason": reason.strip()}) for a, d in entries])
        return library

    def _install(self, old: str, new: str, action: str, detail: dict[str, object]) -> None:
        self._install_all(old, new, [(action, detail)])

    def _install_all(self, old: str, new: str,
                     entries: Sequence[tuple[str, dict[str, object]]]) -> None:
        hashes = {"file": self._path.name, "sha256_before": _sha256(old),
                  "sha256_after": _sha256(new)}
        written = False
        try:
            with write_transaction(self._sessions, "store the library's audit entries") as s:
                for action, detail in entries:
                    s.add(AuditEntry(at=self._clock(), action=action,
                                     actor_kind=ActorKind.USER,
                                     actor_user_id=self._actor.user_id,
                                     entity_type="drug_library", entity_id=self._path.name,
                                     detail=canonical_json({**detail, **hashes})))
                s.flush()  # the entries are accepted before the file changes
                _write_atomically(self._path, new)
                written = True
        except BaseException:
            if written:  # the commit failed: the change must not stand unaudited
                _write_atomically(self._path, old)
            raise


def _need_reason(reason: str) -> None:
    if not reason.strip():
        raise ValueError("say why the library changes (the reason is audited)")


def _known(text: str, table: str) -> bool:
    return any(t.table == table for t in read_settings(text).tables)


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
