"""Write the alarm sounds (one WAV burst per priority) into resources/sounds/.

Run: .venv/bin/python tools/generate_alarm_sounds.py [--check]
With --check, compare with the committed files and exit 1 if they differ.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from station.alarms.sound_patterns import PATTERNS, problems
from station.alarms.sound_render import wav_bytes

OUT_DIR = Path(__file__).resolve().parent.parent / "resources" / "sounds"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stale = []
    for priority, pattern in PATTERNS.items():
        issues = problems(pattern)
        if issues:
            print(f"{priority}: outside IEC ranges: {issues}", file=sys.stderr)
            return 1
        path = OUT_DIR / f"alarm_{priority.value}.wav"
        data = wav_bytes(pattern)
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path.name)
            continue
        path.write_bytes(data)
        print(f"wrote {path} ({len(data)} bytes)")
    if stale:
        print(f"out of date: {stale}; run tools/generate_alarm_sounds.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
