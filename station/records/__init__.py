"""What happened at the chair, assembled from the database for documents and exports.

Qt-free: the PDF writer lives in ``ui/reports``; HL7 and FHIR in ``station/interop``.
"""

from station.records.shift_report import ShiftReport, load_shift_report
from station.records.telemetry_csv import write_infusion_csv
from station.records.visit_loader import load_visit_record
from station.records.visit_record import VisitRecord

__all__ = ["ShiftReport", "VisitRecord", "load_shift_report", "load_visit_record",
           "write_infusion_csv"]
