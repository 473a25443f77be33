"""What leaves the station for other systems: HL7 v2.6 (IHE PCD-01, PCD-10, PCD-04)
over MLLP with a durable outbox, and FHIR R4 bundles. Qt-free (docs/interop.md)."""
