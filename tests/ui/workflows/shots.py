"""Where the workflow tests save their pictures: a temporary folder, so a test run
never changes tracked files; `STATION_SCREENSHOTS=1` writes them to docs/screenshots."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def screenshot_path(name: str) -> str:
    if os.environ.get("STATION_SCREENSHOTS") == "1":
        return str(DOCS / name)
    folder = Path(tempfile.gettempdir()) / "infusion-station-screenshots"
    folder.mkdir(exist_ok=True)
    return str(folder / name)
