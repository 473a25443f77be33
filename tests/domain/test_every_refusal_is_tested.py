"""Guard: each refusal code of every rule appears in some domain test.

A new refusal added without a test fails here, which keeps "tests of every rule,
including each refusal" true as the rules grow.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from pathlib import Path

import station.domain

TESTS = Path(__file__).parent


def _refusal_enums() -> list[type[enum.Enum]]:
    found = []
    for info in pkgutil.iter_modules(station.domain.__path__):
        module = importlib.import_module(f"station.domain.{info.name}")
        for name, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, enum.Enum)
                    and value.__module__ == module.__name__
                    and name.endswith(("Refusal", "Gap"))):
                found.append(value)
    return found


def test_every_refusal_code_is_exercised() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py")
                        if p.name != Path(__file__).name)
    enums = _refusal_enums()
    assert len(enums) >= 10  # the scan itself works
    missing = [f"{e.__name__}.{m.name}" for e in enums for m in e
               if not re.search(rf"\.{m.name}\b", sources)]
    assert not missing, f"refusals without a test: {missing}"
