"""One validator per control type; each checks a value and returns its normalized form.

A validator is called as `validate(control, value, scope, report)`; it records every problem on
`report` and returns the normalized plain-JSON value (its return value is discarded when any
problem was recorded). Region items come back with `id` None when the input had none; the caller
fills ids in once all the ids of the result are known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labelwright.domain.kinds import ControlType
from labelwright.domain.values._report import RegionRef, Report, Scope
from labelwright.domain.values.classification import (
    validate_choice,
    validate_choices,
    validate_number,
    validate_rating,
    validate_rubric,
    validate_textarea,
)
from labelwright.domain.values.comparison import validate_pairwise, validate_ranking
from labelwright.domain.values.documents import validate_fields, validate_regions
from labelwright.domain.values.geometry import validate_boxes, validate_keypoints, validate_polygons
from labelwright.domain.values.masks import validate_masks
from labelwright.domain.values.relations import validate_relations
from labelwright.domain.values.spans import validate_spans
from labelwright.domain.values.temporal import validate_segments, validate_transcript
from labelwright.domain.values.tracks import validate_tracks

Validator = Callable[[Any, Any, Scope, Report], Any]

VALIDATORS: dict[ControlType, Validator] = {
    ControlType.CHOICE: validate_choice,
    ControlType.CHOICES: validate_choices,
    ControlType.RATING: validate_rating,
    ControlType.RUBRIC: validate_rubric,
    ControlType.NUMBER: validate_number,
    ControlType.TEXTAREA: validate_textarea,
    ControlType.SPANS: validate_spans,
    ControlType.BOXES: validate_boxes,
    ControlType.POLYGONS: validate_polygons,
    ControlType.KEYPOINTS: validate_keypoints,
    ControlType.MASKS: validate_masks,
    ControlType.SEGMENTS: validate_segments,
    ControlType.TRANSCRIPT: validate_transcript,
    ControlType.TRACKS: validate_tracks,
    ControlType.PAIRWISE: validate_pairwise,
    ControlType.RANKING: validate_ranking,
    ControlType.REGIONS: validate_regions,
    ControlType.FIELDS: validate_fields,
}
"""Validators of every control type except relations, which need the result's region ids."""

__all__ = ["VALIDATORS", "RegionRef", "Report", "Scope", "Validator", "validate_relations"]
