"""The New Era float: at most 4 digits, one point, at most 3 decimals."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

MAX_DIGITS = 4
MAX_DECIMALS = 3
MAX_VALUE = Decimal("9999")

_FLOAT = re.compile(r"^(?P<int>\d*)(?:\.(?P<frac>\d*))?$")


def format_float(value: float) -> str:
    """Render a value as a pump does: always with the point (`500.0`, `26.59`, `1000.`).

    Uses as many decimals as fit in four digits, rounding half to even; a value that
    rounds to 10000 or more, a negative value or a non-finite one is a ValueError.
    """
    try:
        number = Decimal(repr(float(value)))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"a pump float is finite and not negative, got {value!r}")
    for decimals in range(MAX_DECIMALS, -1, -1):
        quantum = Decimal(1).scaleb(-decimals)
        rounded = number.quantize(quantum, rounding=ROUND_HALF_EVEN)
        integer_digits = len(str(int(rounded))) if int(rounded) else 1
        if integer_digits + decimals <= MAX_DIGITS and rounded <= MAX_VALUE:
            text = f"{rounded:.{decimals}f}"
            return text if decimals else text + "."
    raise ValueError(f"{value!r} does not fit in {MAX_DIGITS} digits")


def parse_float(text: str) -> float:
    """Read a float as a host may send it (`100`, `100.`, `.5`, `26.59`, `10.000`).

    Trailing zeros after the point carry no value and do not count as digits: hosts
    that print `%0.3f` send `10.000`, which the pump reads as `10.`.
    """
    match = _FLOAT.match(text)
    if match is None or not (match["int"] or match["frac"]):
        raise ValueError(f"not a pump number: {text!r}")
    int_part = match["int"].lstrip("0")
    frac = (match["frac"] or "").rstrip("0")
    if len(frac) > MAX_DECIMALS:
        raise ValueError(f"at most {MAX_DECIMALS} decimals: {text!r}")
    if len(int_part) + len(frac) > MAX_DIGITS:
        raise ValueError(f"at most {MAX_DIGITS} digits: {text!r}")
    return float(f"{match['int'] or '0'}.{frac or '0'}")
