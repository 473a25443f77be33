"""Sign-in, idle lock and sign-out of the chairside station (docs/security.md)."""
