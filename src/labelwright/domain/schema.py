"""The labeling schema: which objects a task shows and which controls label them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import AfterValidator, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from labelwright import errors
from labelwright.domain._frozen import FrozenModel
from labelwright.domain._schema_errors import describe_validation_error
from labelwright.domain._schema_source import load_schema_source
from labelwright.domain.controls import ControlSpec, Name, RelationsControl
from labelwright.domain.kinds import (
    LABELABLE_OBJECTS,
    REGION_CONTROLS,
    TIMELINE_MEMBERS,
    ControlType,
    ObjectType,
)
from labelwright.domain.objects import ObjectSpec, TimelineObject

_REFERENCE_ERROR = "schema_references"


def _not_empty(value: Any) -> Any:
    if not value:
        raise ValueError("must not be empty")
    return value


class LabelingSchema(FrozenModel):
    """A project's labeling schema (DESIGN.md section 5).

    Attributes:
        objects: What a task shows, by object name, in display order.
        controls: How the objects are labeled, in display order. Objects and controls share one
            namespace of names.
    """

    objects: Annotated[dict[Name, ObjectSpec], AfterValidator(_not_empty)]
    controls: Annotated[list[ControlSpec], AfterValidator(_not_empty)]

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        problems = _reference_problems(self)
        if problems:
            raise PydanticCustomError(
                _REFERENCE_ERROR,
                "{summary}",
                {"summary": " ".join(p["msg"] for p in problems), "problems": problems},
            )
        return self

    def control(self, name: str) -> ControlSpec | None:
        """Return the control called `name`, or None."""
        return next((control for control in self.controls if control.name == name), None)

    def data_key(self, object_name: str) -> str:
        """Return the task data key that holds object `object_name`."""
        return self.objects[object_name].value or object_name

    def to_json(self) -> dict[str, Any]:
        """Return the canonical plain-JSON form; `parse_schema` reads it back unchanged.

        Defaults and unset options are left out, and labels with only a name are plain strings.
        """
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)


def parse_schema(source: str | bytes | Mapping[str, Any]) -> LabelingSchema:
    """Parse and validate a labeling schema.

    Args:
        source: YAML or JSON text (str or UTF-8 bytes), or an already parsed mapping. YAML is
            read with YAML 1.2 booleans (`yes`/`no`/`on`/`off` stay strings) and duplicate keys
            are refused.

    Returns:
        The validated, frozen schema.

    Raises:
        errors.Invalid: The text does not parse or the schema breaks a rule. `errors` lists every
            problem as `{"loc": [...], "msg": ...}`; the message is the readable sentences.
    """
    raw = load_schema_source(source)
    if not isinstance(raw, Mapping):
        kind = "nothing" if raw is None else type(raw).__name__
        message = f"A labeling schema must be a mapping with objects and controls, got {kind}."
        raise errors.Invalid(message, errors=[{"loc": [], "msg": message}])
    try:
        return LabelingSchema.model_validate(raw)
    except ValidationError as exc:
        problems: list[dict[str, Any]] = []
        for error in exc.errors():
            if error["type"] == _REFERENCE_ERROR:
                problems.extend(error["ctx"]["problems"])
            else:
                problems.append(describe_validation_error(error, raw))
        raise errors.Invalid(_summarize(problems), errors=problems) from None


def _summarize(problems: list[dict[str, Any]]) -> str:
    if len(problems) == 1:
        return str(problems[0]["msg"])
    return f"The labeling schema has {len(problems)} problems: " + " ".join(
        str(p["msg"]) for p in problems
    )


def _reference_problems(schema: LabelingSchema) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    for name, spec in schema.objects.items():
        if isinstance(spec, TimelineObject):
            problems.extend(_timeline_problems(schema, name, spec))
    seen: dict[str, int] = {}
    for index, control in enumerate(schema.controls):
        where = ["controls", index]
        if control.name in schema.objects:
            problems.append(
                _problem(
                    [*where, "name"],
                    f"Control '{control.name}' has the same name as an object; objects and "
                    "controls share one namespace of names.",
                )
            )
        elif control.name in seen:
            problems.append(
                _problem(
                    [*where, "name"],
                    f"Control name '{control.name}' is used by controls {seen[control.name]} and "
                    f"{index}; names must be unique.",
                )
            )
        seen.setdefault(control.name, index)
        if control.of is not None:
            problems.extend(_target_problems(schema, index, control, control.of))
        if isinstance(control, RelationsControl):
            problems.extend(_relations_problems(schema, index, control))
    return problems


def _target_problems(
    schema: LabelingSchema, index: int, control: ControlSpec, of: str
) -> list[dict[str, Any]]:
    spec = schema.objects.get(of)
    if spec is None:
        return [
            _problem(
                ["controls", index, "of"],
                f"Control '{control.name}' labels object '{control.of}', which the schema does "
                f"not define; objects: {', '.join(schema.objects)}.",
            )
        ]
    allowed = LABELABLE_OBJECTS[ControlType(control.type)]
    if ObjectType(spec.type) not in allowed:
        kinds = ", ".join(t.value for t in ObjectType if t in allowed)
        return [
            _problem(
                ["controls", index, "of"],
                f"Control '{control.name}' ({control.type}) cannot label object '{control.of}' "
                f"of type {spec.type}; {control.type} can label: {kinds}.",
            )
        ]
    return []


def _relations_problems(
    schema: LabelingSchema, index: int, control: RelationsControl
) -> list[dict[str, Any]]:
    problems = []
    region_names = {c.name: c for c in schema.controls if c.type in REGION_CONTROLS}
    region_kinds = ", ".join(t.value for t in ControlType if t in REGION_CONTROLS)
    for position, name in enumerate(control.between or ()):
        other = schema.control(name)
        if other is None:
            message = f"relates regions of '{name}', which is not a control of the schema."
        elif other.type not in REGION_CONTROLS:
            message = (
                f"relates regions of '{name}', a {other.type} control; only region controls "
                f"({region_kinds}) have regions."
            )
        else:
            continue
        problems.append(
            _problem(
                ["controls", index, "between", position], f"Control '{control.name}' {message}"
            )
        )
    in_scope = [c for c in region_names.values() if control.of is None or c.of == control.of]
    if control.between is None and not in_scope:
        where = f"of object '{control.of}'" if control.of else "in the schema"
        problems.append(
            _problem(
                ["controls", index],
                f"Control '{control.name}' has no regions to relate: there is no region control "
                f"({region_kinds}) {where}.",
            )
        )
    return problems


def _timeline_problems(
    schema: LabelingSchema, name: str, spec: TimelineObject
) -> list[dict[str, Any]]:
    problems = []
    kinds = ", ".join(t.value for t in ObjectType if t in TIMELINE_MEMBERS)
    seen: set[str] = set()
    for position, member in enumerate(spec.members):
        other = schema.objects.get(member.name)
        if member.name in seen:
            message = f"lists member '{member.name}' more than once."
        elif other is None:
            message = f"has member '{member.name}', which the schema does not define."
        elif other.type not in TIMELINE_MEMBERS:
            message = (
                f"has member '{member.name}' of type {other.type}; timeline members must be "
                f"{kinds}."
            )
        else:
            message = ""
        seen.add(member.name)
        if message:
            problems.append(
                _problem(["objects", name, "members", position], f"Object '{name}' {message}")
            )
    return problems


def _problem(loc: list[Any], msg: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg}
