"""Parsing the `export` command's arguments: times, a time zone, HOST:PORT."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def parse_zone(text: str) -> tzinfo:
    """An IANA zone name ("Europe/Amsterdam", "UTC")."""
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {text!r} (an IANA name such as Europe/Paris)") \
            from exc


def parse_time(text: str, tz: tzinfo) -> datetime:
    """ISO 8601; a time without an offset is read in ``tz``."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-24T07:00)") from exc
    return at.replace(tzinfo=tz) if at.tzinfo is None else at


def parse_host_port(text: str) -> tuple[str, int]:
    """``host:port`` with a port 1-65535 (IPv6 in brackets: ``[::1]:2575``)."""
    host, sep, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT with a port 1-65535, got {text!r}")
    return host, int(port)
