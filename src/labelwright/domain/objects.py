"""Object specifications: the part of a labeling schema that says what a task shows.

Each object type has its own frozen Pydantic model; `ObjectSpec` is the discriminated union over
`type`. `value` names the key of the task data that holds the object (the object's own name when
omitted); a `responses` object may instead list one key per response in `values`. Sizes
declared here (e.g. an image's `width`/`height`) are a project-wide fallback used only when
neither the task data nor the media store knows the size.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator

from labelwright.domain._frozen import FrozenModel
from labelwright.domain.controls import Name
from labelwright.domain.kinds import ObjectType

PositiveInt = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
DataKey = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class _Object(FrozenModel):
    type: str
    value: DataKey | None = None
    description: str | None = None


class TextObject(_Object):
    """A string of text; spans index it by Unicode code point."""

    type: Literal["text"]


class ImageObject(_Object):
    """One image; coordinates are source pixels."""

    type: Literal["image"]
    width: PositiveInt | None = None
    height: PositiveInt | None = None


class DocumentObject(_Object):
    """A paged document: one image per page plus an optional text layer per page."""

    type: Literal["document"]


class AudioObject(_Object):
    """An audio recording; times are seconds."""

    type: Literal["audio"]
    duration: PositiveFloat | None = None


class VideoObject(_Object):
    """A video; times are seconds, frames are 0-based, boxes are source pixels."""

    type: Literal["video"]
    duration: PositiveFloat | None = None
    fps: PositiveFloat | None = None
    frames: PositiveInt | None = None
    width: PositiveInt | None = None
    height: PositiveInt | None = None


class TimeseriesObject(_Object):
    """Sensor channels over time; times are seconds."""

    type: Literal["timeseries"]
    duration: PositiveFloat | None = None


class ConversationObject(_Object):
    """A chat: a list of messages with a role and a content."""

    type: Literal["conversation"]


def _unique_keys(keys: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if keys is None:
        return None
    if len(keys) < 2:
        raise ValueError("list at least 2 data keys, one per response")
    for key in keys:
        if keys.count(key) > 1:
            raise ValueError(f"data key '{key}' is listed more than once")
    return keys


class ResponsesObject(_Object):
    """Several model outputs for one prompt, each with a unique id.

    The task data holds them either under one key (`value`, else the object's name) as a list of
    `{"id", "text"}`, or, with `values`, under several keys, one response each: the key is the
    response's id and the string under it its text (`values: [answer1, answer2]` reads
    `{"answer1": "...", "answer2": "..."}`; a pairwise control's `a` is the first key).
    """

    type: Literal["responses"]
    values: Annotated[tuple[DataKey, ...] | None, AfterValidator(_unique_keys)] = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.values is not None and self.value is not None:
            raise ValueError(
                "give either 'value' (one data key holding a list of responses) or 'values' "
                "(one data key per response), not both"
            )
        return self


class TimelineMember(FrozenModel):
    """An object shown on a timeline, starting `offset` seconds after the timeline's start."""

    name: Name
    offset: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0


def _member_from_name(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [{"name": item} if isinstance(item, str) else item for item in value]
    return value


class TimelineObject(_Object):
    """Several audio, video or timeseries objects on one shared clock."""

    type: Literal["timeline"]
    members: Annotated[
        tuple[TimelineMember, ...], BeforeValidator(_member_from_name), Field(min_length=1)
    ]
    duration: PositiveFloat | None = None


ObjectSpec = Annotated[
    TextObject
    | ImageObject
    | DocumentObject
    | AudioObject
    | VideoObject
    | TimeseriesObject
    | ConversationObject
    | ResponsesObject
    | TimelineObject,
    Field(discriminator="type"),
]
"""Any object specification, discriminated by `type` (an `ObjectType` value)."""

OBJECT_MODELS: dict[ObjectType, type[_Object]] = {
    ObjectType.TEXT: TextObject,
    ObjectType.IMAGE: ImageObject,
    ObjectType.DOCUMENT: DocumentObject,
    ObjectType.AUDIO: AudioObject,
    ObjectType.VIDEO: VideoObject,
    ObjectType.TIMESERIES: TimeseriesObject,
    ObjectType.CONVERSATION: ConversationObject,
    ObjectType.RESPONSES: ResponsesObject,
    ObjectType.TIMELINE: TimelineObject,
}
"""The specification model of each object type."""
