"""How every document and export says it comes from a training database."""

TRAINING_MARK = "TRAINING"
TRAINING_NOTICE = "TRAINING - not a patient record - do not file"
