"""How times, durations and numbers read on the documents."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def clock(at: datetime | None, tz: tzinfo) -> str:
    return "" if at is None else at.astimezone(tz).strftime("%H:%M:%S")


def stamp(at: datetime | None, tz: tzinfo) -> str:
    return "" if at is None else at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def minutes(span: timedelta | None) -> str:
    if span is None:
        return "open"
    total = span.total_seconds()
    return f"{total / 60:.0f} min" if total >= 60 else f"{total:.0f} s"


def num(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()
