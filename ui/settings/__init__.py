"""The settings screen: alarm settings and the drug library (charge nurse, administrator)."""
