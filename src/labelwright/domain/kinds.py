"""The vocabulary of a labeling schema: object types, control types and what labels what."""

from __future__ import annotations

from enum import StrEnum


class ObjectType(StrEnum):
    """What a task shows to the annotator."""

    TEXT = "text"
    IMAGE = "image"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"
    TIMESERIES = "timeseries"
    CONVERSATION = "conversation"
    RESPONSES = "responses"
    TIMELINE = "timeline"


class ControlType(StrEnum):
    """How an annotator labels an object; each type has one value shape (DESIGN.md section 5)."""

    CHOICE = "choice"
    CHOICES = "choices"
    RATING = "rating"
    RUBRIC = "rubric"
    NUMBER = "number"
    TEXTAREA = "textarea"
    SPANS = "spans"
    RELATIONS = "relations"
    BOXES = "boxes"
    POLYGONS = "polygons"
    KEYPOINTS = "keypoints"
    MASKS = "masks"
    SEGMENTS = "segments"
    TRANSCRIPT = "transcript"
    TRACKS = "tracks"
    PAIRWISE = "pairwise"
    RANKING = "ranking"
    REGIONS = "regions"
    FIELDS = "fields"


class FieldType(StrEnum):
    """The kind of value a key-value field of a `fields` control holds."""

    TEXT = "text"
    DATE = "date"
    AMOUNT = "amount"
    ID = "id"


_ANY_OBJECT = frozenset(ObjectType)
_TIMED = frozenset({ObjectType.AUDIO, ObjectType.VIDEO, ObjectType.TIMELINE})

LABELABLE_OBJECTS: dict[ControlType, frozenset[ObjectType]] = {
    ControlType.CHOICE: _ANY_OBJECT,
    ControlType.CHOICES: _ANY_OBJECT,
    ControlType.RATING: _ANY_OBJECT,
    ControlType.RUBRIC: _ANY_OBJECT,
    ControlType.NUMBER: _ANY_OBJECT,
    ControlType.TEXTAREA: _ANY_OBJECT,
    ControlType.SPANS: frozenset({ObjectType.TEXT, ObjectType.DOCUMENT}),
    ControlType.RELATIONS: _ANY_OBJECT,
    ControlType.BOXES: frozenset({ObjectType.IMAGE}),
    ControlType.POLYGONS: frozenset({ObjectType.IMAGE}),
    ControlType.KEYPOINTS: frozenset({ObjectType.IMAGE}),
    ControlType.MASKS: frozenset({ObjectType.IMAGE}),
    ControlType.SEGMENTS: _TIMED | {ObjectType.TIMESERIES},
    ControlType.TRANSCRIPT: _TIMED,
    ControlType.TRACKS: frozenset({ObjectType.VIDEO}),
    ControlType.PAIRWISE: frozenset({ObjectType.RESPONSES}),
    ControlType.RANKING: frozenset({ObjectType.RESPONSES}),
    ControlType.REGIONS: frozenset({ObjectType.DOCUMENT, ObjectType.IMAGE}),
    ControlType.FIELDS: frozenset({ObjectType.DOCUMENT, ObjectType.IMAGE}),
}
"""For each control type, the object types it can label."""

REGION_CONTROLS: frozenset[ControlType] = frozenset(
    {
        ControlType.SPANS,
        ControlType.BOXES,
        ControlType.POLYGONS,
        ControlType.KEYPOINTS,
        ControlType.MASKS,
        ControlType.SEGMENTS,
        ControlType.TRACKS,
        ControlType.REGIONS,
    }
)
"""Control types whose items are regions with an `id` that relations and fields can point at."""

DATA_NEEDED_BY: frozenset[ControlType] = frozenset(
    {ControlType.SPANS, ControlType.PAIRWISE, ControlType.RANKING}
)
"""Control types whose values cannot be validated without their object's task data."""

UNLABELED_CONTROLS: frozenset[ControlType] = frozenset(
    {
        ControlType.RATING,
        ControlType.RUBRIC,
        ControlType.NUMBER,
        ControlType.TEXTAREA,
        ControlType.TRANSCRIPT,
        ControlType.PAIRWISE,
        ControlType.RANKING,
    }
)
"""Control types whose values carry no label from the schema (label migrations do not apply)."""

TIMELINE_MEMBERS: frozenset[ObjectType] = frozenset(
    {ObjectType.AUDIO, ObjectType.VIDEO, ObjectType.TIMESERIES}
)
"""Object types that can sit on a timeline's shared clock."""
