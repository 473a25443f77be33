"""The trainer's console over `pump-sim` (issue 7): pumps, faults, scenarios, recordings.

`infusion-station trainer` (or `pump-sim --gui`); see docs/training.md.
"""
