"""Guard: each service refusal code appears in some service test (like tests/domain's)."""

from __future__ import annotations

import re
from pathlib import Path

from station.services.codes import ServiceRefusal


def test_every_service_refusal_is_exercised() -> None:
    here = Path(__file__)
    sources = "\n".join(p.read_text(encoding="utf-8") for p in here.parent.glob("test_*.py")
                        if p != here)
    missing = [m.name for m in ServiceRefusal
               if not re.search(rf"\.{m.name}\b|\"{re.escape(m.value)}\"", sources)]
    assert not missing, f"service refusals without a test: {missing}"
