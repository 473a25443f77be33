"""Alarms on screen and in the speaker: palette, banner, list model, sound."""
