"""Control specifications: the part of a labeling schema that says how objects are labeled.

Each control type has its own frozen Pydantic model with only the options that make sense for
it (unknown keys are refused). `ControlSpec` is the discriminated union over `type`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

from labelwright.domain._frozen import FrozenModel
from labelwright.domain.kinds import ControlType, FieldType

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_\-]*$"
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=64)]
"""Object and control names: a letter or `_`, then letters, digits, `_` or `-`."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Hotkey = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Color = Annotated[
    str, StringConstraints(pattern=r"^(#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]+)$")
]
ATTRIBUTE_TYPES = ("bool", "int", "float", "str")


class LabelSpec(FrozenModel):
    """One label (or option) of a control; written as a plain string when it has only a name."""

    name: Text
    hotkey: Hotkey | None = None
    color: Color | None = None
    description: str | None = None

    @model_serializer(mode="wrap")
    def _as_string_when_bare(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and all(v is None for k, v in data.items() if k != "name"):
            return self.name
        return data


def _names_to_specs(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [{"name": item} if isinstance(item, str) else item for item in value]
    return value


def _unique_set(noun: str) -> Callable[[tuple[LabelSpec, ...]], tuple[LabelSpec, ...]]:
    def check(items: tuple[LabelSpec, ...]) -> tuple[LabelSpec, ...]:
        if not items:
            raise ValueError(f"the {noun} list must not be empty")
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                raise ValueError(f"duplicate {noun[:-1]} '{item.name}'")
            seen.add(item.name)
        return items

    return check


LabelList = Annotated[
    tuple[LabelSpec, ...], BeforeValidator(_names_to_specs), AfterValidator(_unique_set("labels"))
]
OptionList = Annotated[
    tuple[LabelSpec, ...], BeforeValidator(_names_to_specs), AfterValidator(_unique_set("options"))
]


def _attribute_type(value: Any) -> str | tuple[str, ...]:
    if isinstance(value, str) and value in ATTRIBUTE_TYPES:
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) and v for v in value):
        if not value:
            raise ValueError("an attribute's list of allowed values must not be empty")
        if len(set(value)) != len(value):
            raise ValueError("an attribute's allowed values must be unique")
        return tuple(value)
    raise ValueError(
        "an attribute type must be one of bool, int, float, str or a list of allowed values"
    )


AttributeType = Annotated[Any, BeforeValidator(_attribute_type)]
"""`"bool"`, `"int"`, `"float"`, `"str"` or a tuple of allowed string values."""


class _Control(FrozenModel):
    name: Name
    type: str
    of: Name
    required: bool = False
    description: str | None = None

    @property
    def label_names(self) -> tuple[str, ...]:
        """The labels (or options, or field names) values of this control may carry."""
        return ()


class _Labeled(_Control):
    labels: LabelList
    hotkeys: dict[Text, Hotkey] = Field(default_factory=dict)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @model_validator(mode="after")
    def _check_hotkeys(self) -> Self:
        _check_hotkeys(self.labels, self.hotkeys)
        return self


class _LabeledRegions(_Labeled):
    attributes: dict[Name, AttributeType] = Field(default_factory=dict)


def _check_hotkeys(labels: tuple[LabelSpec, ...], hotkeys: dict[str, str]) -> None:
    names = {label.name for label in labels}
    for name in hotkeys:
        if name not in names:
            raise ValueError(f"hotkeys name '{name}', which is not one of the labels or options")
    keys = [label.hotkey for label in labels if label.hotkey] + list(hotkeys.values())
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"hotkey '{duplicates[0]}' is used more than once")


class _Options(_Control):
    options: OptionList
    hotkeys: dict[Text, Hotkey] = Field(default_factory=dict)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(option.name for option in self.options)

    @model_validator(mode="after")
    def _check_hotkeys(self) -> Self:
        _check_hotkeys(self.options, self.hotkeys)
        return self


class ChoiceControl(_Options):
    """Pick one option."""

    type: Literal["choice"]


class ChoicesControl(_Options):
    """Pick any number of options."""

    type: Literal["choices"]


class RatingControl(_Control):
    """An integer score in `[min, max]`."""

    type: Literal["rating"]
    min: int = 1
    max: int = 5

    @model_validator(mode="after")
    def _check_range(self) -> Self:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be less than max ({self.max})")
        return self


class CriterionSpec(FrozenModel):
    """One named rating of a rubric."""

    name: Text
    min: int = 1
    max: int = 5
    description: str | None = None

    @model_validator(mode="after")
    def _check_range(self) -> Self:
        if self.min >= self.max:
            raise ValueError(
                f"criterion '{self.name}': min ({self.min}) must be less than max ({self.max})"
            )
        return self


def _unique_criteria(items: tuple[CriterionSpec, ...]) -> tuple[CriterionSpec, ...]:
    if not items:
        raise ValueError("the criteria list must not be empty")
    names = [item.name for item in items]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"duplicate criterion '{name}'")
    return items


class RubricControl(_Control):
    """Several named integer ratings; of a `responses` object, one set per response."""

    type: Literal["rubric"]
    criteria: Annotated[tuple[CriterionSpec, ...], AfterValidator(_unique_criteria)]


class NumberControl(_Control):
    """A number, optionally bounded (inclusive) and optionally an integer."""

    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _check_range(self) -> Self:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min ({self.min:g}) must be less than max ({self.max:g})")
        return self


class TextareaControl(_Control):
    """Free text, at most `max_length` code points."""

    type: Literal["textarea"]
    max_length: Annotated[int, Field(gt=0)] | None = None


class SpansControl(_LabeledRegions):
    """Labeled character ranges of a text (or of a document page's text layer)."""

    type: Literal["spans"]
    overlap: bool = False


def _unique_names(items: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if items is None:
        return None
    if not items:
        raise ValueError("the list must not be empty")
    for item in items:
        if items.count(item) > 1:
            raise ValueError(f"'{item}' is listed more than once")
    return items


class RelationsControl(_Control):
    """Links between regions; `between` names the region controls, else `of` an object."""

    type: Literal["relations"]
    of: Name | None = None  # type: ignore[assignment]
    between: Annotated[tuple[Name, ...] | None, AfterValidator(_unique_names)] = None
    labels: LabelList | None = None
    hotkeys: dict[Text, Hotkey] = Field(default_factory=dict)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels or ())

    @model_validator(mode="after")
    def _check_hotkeys(self) -> Self:
        _check_hotkeys(self.labels or (), self.hotkeys)
        return self


class BoxesControl(_LabeledRegions):
    """Axis-aligned (optionally rotated) rectangles in source pixels."""

    type: Literal["boxes"]
    rotation: bool = False


class PolygonsControl(_LabeledRegions):
    """Closed polygons in source pixels."""

    type: Literal["polygons"]


class KeypointsControl(_LabeledRegions):
    """Labeled points; `skeleton` lists the label pairs drawn as edges."""

    type: Literal["keypoints"]
    skeleton: tuple[tuple[Text, Text], ...] = ()

    @model_validator(mode="after")
    def _check_skeleton(self) -> Self:
        names = set(self.label_names)
        for a, b in self.skeleton:
            for end in (a, b):
                if end not in names:
                    raise ValueError(f"skeleton edge {a}-{b} names unknown label '{end}'")
            if a == b:
                raise ValueError(f"skeleton edge {a}-{b} joins a label to itself")
        return self


class MasksControl(_LabeledRegions):
    """Pixel masks as COCO run-length encodings at source resolution."""

    type: Literal["masks"]


class SegmentsControl(_LabeledRegions):
    """Labeled time ranges in seconds."""

    type: Literal["segments"]


class TranscriptControl(_Control):
    """Timed text; `speakers`, when given, is the closed set of speaker names."""

    type: Literal["transcript"]
    speakers: Annotated[tuple[Text, ...] | None, AfterValidator(_unique_names)] = None


class TracksControl(_LabeledRegions):
    """Objects followed through a video by keyframed boxes."""

    type: Literal["tracks"]


class PairwiseControl(_Control):
    """A preference between the two responses of a `responses` object."""

    type: Literal["pairwise"]


class RankingControl(_Control):
    """An order of all responses, best first; `allow_ties` permits tie groups.

    `buckets` names the tie groups, best first (Label Studio's Ranker buckets): a value then has
    one place per bucket in this order (`[]` for an empty bucket), optionally followed by one
    place for the responses in no bucket.
    """

    type: Literal["ranking"]
    allow_ties: bool = True
    buckets: Annotated[tuple[Text, ...] | None, AfterValidator(_unique_names)] = None

    @model_validator(mode="after")
    def _check_buckets(self) -> Self:
        if self.buckets is not None and not self.allow_ties:
            raise ValueError("buckets are tie groups, so they need allow_ties: true")
        return self


class RegionsControl(_LabeledRegions):
    """Document layout boxes per page."""

    type: Literal["regions"]


class FieldSpec(FrozenModel):
    """One key of a `fields` control."""

    name: Text
    type: FieldType = FieldType.TEXT
    required: bool = False
    description: str | None = None


def _unique_fields(items: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    if not items:
        raise ValueError("the fields list must not be empty")
    names = [item.name for item in items]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"duplicate field '{name}'")
    return items


class FieldsControl(_Control):
    """Key-value fields extracted from a document, each optionally linked to a region."""

    type: Literal["fields"]
    fields: Annotated[tuple[FieldSpec, ...], AfterValidator(_unique_fields)]

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)

    def field(self, name: str) -> FieldSpec | None:
        """Return the field spec called `name`, or None."""
        return next((spec for spec in self.fields if spec.name == name), None)


ControlSpec = Annotated[
    ChoiceControl
    | ChoicesControl
    | RatingControl
    | RubricControl
    | NumberControl
    | TextareaControl
    | SpansControl
    | RelationsControl
    | BoxesControl
    | PolygonsControl
    | KeypointsControl
    | MasksControl
    | SegmentsControl
    | TranscriptControl
    | TracksControl
    | PairwiseControl
    | RankingControl
    | RegionsControl
    | FieldsControl,
    Field(discriminator="type"),
]
"""Any control specification, discriminated by `type` (a `ControlType` value)."""

CONTROL_MODELS: dict[ControlType, type[_Control]] = {
    ControlType.CHOICE: ChoiceControl,
    ControlType.CHOICES: ChoicesControl,
    ControlType.RATING: RatingControl,
    ControlType.RUBRIC: RubricControl,
    ControlType.NUMBER: NumberControl,
    ControlType.TEXTAREA: TextareaControl,
    ControlType.SPANS: SpansControl,
    ControlType.RELATIONS: RelationsControl,
    ControlType.BOXES: BoxesControl,
    ControlType.POLYGONS: PolygonsControl,
    ControlType.KEYPOINTS: KeypointsControl,
    ControlType.MASKS: MasksControl,
    ControlType.SEGMENTS: SegmentsControl,
    ControlType.TRANSCRIPT: TranscriptControl,
    ControlType.TRACKS: TracksControl,
    ControlType.PAIRWISE: PairwiseControl,
    ControlType.RANKING: RankingControl,
    ControlType.REGIONS: RegionsControl,
    ControlType.FIELDS: FieldsControl,
}
"""The specification model of each control type."""
