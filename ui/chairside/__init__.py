"""The chairside workstation window: chair panels, the unit alarm list, the demo."""
