"""Quality engine: agreement, consensus, annotator scores and label-error detection.

Pure functions over plain data (numpy arrays, frozen dataclasses, value mappings in the shapes
of DESIGN.md section 5); no database, no web. See `agreement`, `aggregation`, `annotators` and
`label_errors`.
"""

from labelwright.quality.annotators import (
    AgreementMatrix,
    DriftTest,
    RaterAccuracy,
    agreement_matrix,
    categorical_pairs,
    drift_test,
    rater_accuracy,
)
from labelwright.quality.label_errors import LabelIssues, find_label_issues
from labelwright.quality.ratings import EncodedRatings, Ratings, encode_ratings

__all__ = [
    "AgreementMatrix",
    "DriftTest",
    "EncodedRatings",
    "LabelIssues",
    "RaterAccuracy",
    "Ratings",
    "agreement_matrix",
    "categorical_pairs",
    "drift_test",
    "encode_ratings",
    "find_label_issues",
    "rater_accuracy",
]
