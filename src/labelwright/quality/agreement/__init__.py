"""Agreement between annotators, pairwise and set-wise, for every control type."""

from labelwright.quality.agreement.comparison import kendall_tau, ranking_positions
from labelwright.quality.agreement.controls import (
    ControlAgreement,
    comparable_value,
    control_agreement,
    headline_metric,
    value_similarity,
)
from labelwright.quality.agreement.fields import field_agreement
from labelwright.quality.agreement.geometry import (
    box_iou,
    interval_iou,
    keypoint_similarity,
    mask_iou,
    polygon_iou,
)
from labelwright.quality.agreement.kappa import cohen_kappa, fleiss_kappa, percent_agreement
from labelwright.quality.agreement.krippendorff import Level, krippendorff_alpha
from labelwright.quality.agreement.multilabel import (
    MultiLabelAgreement,
    jaccard,
    multilabel_agreement,
)
from labelwright.quality.agreement.regions import (
    RegionAgreement,
    RegionKind,
    RegionMatch,
    match_regions,
    region_overlap,
)
from labelwright.quality.agreement.relations import relation_f1
from labelwright.quality.agreement.spans import (
    SpanAgreement,
    SpanItem,
    span_agreement,
    span_token_alpha,
    token_labels,
    word_tokens,
)
from labelwright.quality.agreement.task import TaskAgreement, task_agreement
from labelwright.quality.agreement.text import (
    TextAgreement,
    TranscriptAgreement,
    text_agreement,
    transcript_agreement,
)
from labelwright.quality.agreement.tracks import TrackAgreement, interpolate_track, track_agreement

__all__ = [
    "ControlAgreement",
    "Level",
    "MultiLabelAgreement",
    "RegionAgreement",
    "RegionKind",
    "RegionMatch",
    "SpanAgreement",
    "SpanItem",
    "TaskAgreement",
    "TextAgreement",
    "TrackAgreement",
    "TranscriptAgreement",
    "box_iou",
    "cohen_kappa",
    "comparable_value",
    "control_agreement",
    "field_agreement",
    "fleiss_kappa",
    "headline_metric",
    "interpolate_track",
    "interval_iou",
    "jaccard",
    "kendall_tau",
    "keypoint_similarity",
    "krippendorff_alpha",
    "mask_iou",
    "match_regions",
    "multilabel_agreement",
    "percent_agreement",
    "polygon_iou",
    "ranking_positions",
    "region_overlap",
    "relation_f1",
    "span_agreement",
    "span_token_alpha",
    "task_agreement",
    "text_agreement",
    "token_labels",
    "track_agreement",
    "transcript_agreement",
    "value_similarity",
    "word_tokens",
]
