"""The training set's quality: faults planted in it (``plant``) and the audit that looks for
them (``audit``): exact duplicates, suspected mislabelled rows by confident learning, and
segments the training rows under-represent; cleaning drops what the audit found."""

from .audit import Audit, audit_table, confident_learning_issues, duplicate_rows, sampling_bias
from .plant import Prepared, prepare

__all__ = ["Audit", "Prepared", "audit_table", "confident_learning_issues", "duplicate_rows",
           "prepare", "sampling_bias"]
