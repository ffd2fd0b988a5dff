"""Validating annotation and prediction results against a labeling schema."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from typing import Any

from labelwright import errors
from labelwright.domain.context import ObjectContext
from labelwright.domain.controls import ControlSpec, RelationsControl
from labelwright.domain.kinds import DATA_NEEDED_BY, REGION_CONTROLS, ControlType, ObjectType
from labelwright.domain.schema import LabelingSchema
from labelwright.domain.values import (
    VALIDATORS,
    RegionRef,
    Report,
    Scope,
    validate_relations,
)
from labelwright.domain.values._primitives import type_name

_LINKING = frozenset({ControlType.RELATIONS, ControlType.FIELDS})
_MAX_LISTED = 20
_ID_LENGTH = 10


def validate_results(
    schema: LabelingSchema,
    results: Mapping[str, Any],
    *,
    context: Mapping[str, ObjectContext],
    partial: bool = False,
) -> dict[str, Any]:
    """Validate results `{control_name: value}` and return them normalized.

    Value shapes are those of DESIGN.md section 5; each validator's docstring in
    `labelwright.domain.values` gives the exact rules. Normalization keeps numbers as given,
    drops controls whose value is null, orders controls and item keys canonically and fills in
    missing region ids (and field ids) with short ids derived from the item, unique in the result.

    Args:
        schema: The project's labeling schema.
        results: The annotation's or prediction's `results`.
        context: What is known about each object of the task, from `describe_objects`. Objects
            missing here are treated as unknown, except those a control needs (see below).
        partial: True for predictions: a missing required control (or rubric criterion, or
            required field) is not a problem.

    Returns:
        The normalized results, plain JSON-able data.

    Raises:
        errors.SchemaMismatch: The results do not fit the schema. `errors` lists every problem
            as `{"control": name, "index": item index or None, "reason": ...}`.
        errors.Invalid: `context` lacks the data of an object a control needs to be validated
            (the text of spans, the responses of a ranking or pairwise control).
    """
    if not isinstance(results, Mapping):
        reason = f"results must map control names to values, got {type_name(results)}"
        problem = {"control": None, "index": None, "reason": reason}
        raise errors.SchemaMismatch(f"The {reason}.", errors=[problem])
    sink: list[dict[str, Any]] = []
    known = ", ".join(control.name for control in schema.controls)
    for name in results:
        if not isinstance(name, str) or schema.control(name) is None:
            reason = f"unknown control; the schema's controls are {known}"
            sink.append({"control": str(name), "index": None, "reason": reason})
    normalized: dict[str, Any] = {}
    deferred: list[tuple[ControlSpec, Any, Report]] = []
    for control in schema.controls:
        report = Report(control.name, sink)
        value = results.get(control.name)
        if _is_empty(value):
            if control.required and not partial:
                report.add("a value is required")
            if value is None:
                continue
        if control.type in _LINKING:
            deferred.append((control, value, report))
            continue
        scope = Scope(
            obj=_object_context(control, context),
            partial=partial,
            object_type=_object_type(schema, control),
        )
        normalized[control.name] = VALIDATORS[ControlType(control.type)](
            control, value, scope, report
        )
    ids = _RegionIds(sink)
    regions = ids.assign(schema, normalized, kinds=REGION_CONTROLS)
    for control, value, report in deferred:
        scope = Scope(obj=_object_context(control, context), partial=partial, regions=regions)
        if isinstance(control, RelationsControl):
            allowed = _relatable(schema, control)
            normalized[control.name] = validate_relations(
                control, value, scope, report, allowed=allowed
            )
        else:
            normalized[control.name] = VALIDATORS[ControlType(control.type)](
                control, value, scope, report
            )
    ids.assign(schema, normalized, kinds=frozenset({ControlType.FIELDS}))
    if sink:
        raise errors.SchemaMismatch(_summarize(sink), errors=sink)
    return {c.name: normalized[c.name] for c in schema.controls if c.name in normalized}


def _is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | Mapping):
        return not value
    return value is None


def _object_context(
    control: ControlSpec, context: Mapping[str, ObjectContext]
) -> ObjectContext | None:
    if control.of is None:
        return None
    obj = context.get(control.of)
    if control.type in DATA_NEEDED_BY and (obj is None or not obj.present):
        reason = (
            f"object '{control.of}' has no data in the task context, and control "
            f"'{control.name}' ({control.type}) needs it to validate"
        )
        problem = {"object": control.of, "control": control.name, "reason": reason}
        raise errors.Invalid(reason[0].upper() + reason[1:] + ".", errors=[problem])
    return obj


def _object_type(schema: LabelingSchema, control: ControlSpec) -> ObjectType | None:
    spec = schema.objects.get(control.of) if control.of is not None else None
    return None if spec is None else ObjectType(spec.type)


def _relatable(schema: LabelingSchema, control: RelationsControl) -> frozenset[str]:
    if control.between is not None:
        return frozenset(control.between)
    return frozenset(
        c.name
        for c in schema.controls
        if c.type in REGION_CONTROLS and (control.of is None or c.of == control.of)
    )


class _RegionIds:
    """Ids of the items of one result: explicit ones must be unique, missing ones are made."""

    def __init__(self, sink: list[dict[str, Any]]) -> None:
        self.sink = sink
        self.used: dict[str, tuple[str, int]] = {}
        self.refs: dict[str, RegionRef] = {}

    def assign(
        self, schema: LabelingSchema, normalized: dict[str, Any], *, kinds: frozenset[ControlType]
    ) -> dict[str, RegionRef]:
        items = [
            (control, index, item)
            for control in schema.controls
            if control.type in kinds and isinstance(normalized.get(control.name), list)
            for index, item in enumerate(normalized[control.name])
            if isinstance(item, dict)
        ]
        for control, index, item in items:
            item_id = item.get("id")
            if item_id is None:
                continue
            if item_id in self.used:
                other, position = self.used[item_id]
                Report(control.name, self.sink).add(
                    f"id '{item_id}' is already used by control '{other}' item {position}",
                    index=index,
                )
                continue
            self.used[item_id] = (control.name, index)
            self.refs[item_id] = RegionRef(control.name, control.type)
        for control, index, item in items:
            if item.get("id") is None:
                item["id"] = self._make_id(control.name, index, item)
                self.used[item["id"]] = (control.name, index)
                self.refs[item["id"]] = RegionRef(control.name, control.type)
        return self.refs

    def _make_id(self, control: str, index: int, item: dict[str, Any]) -> str:
        # Derived from the item, so validating the same input twice gives the same ids.
        payload = json.dumps(
            [control, index, {k: v for k, v in item.items() if k != "id"}],
            sort_keys=True,
            default=repr,
            ensure_ascii=False,
        )
        for salt in itertools.count():
            digest = hashlib.sha256(f"{payload}#{salt}".encode()).hexdigest()[:_ID_LENGTH]
            if digest not in self.used:
                return digest
        raise AssertionError("unreachable")  # pragma: no cover


def _summarize(problems: list[dict[str, Any]]) -> str:
    sentences = []
    for problem in problems[:_MAX_LISTED]:
        where = "" if problem["index"] is None else f"item {problem['index']}: "
        sentences.append(f"Control '{problem['control']}': {where}{problem['reason']}.")
    if len(problems) > _MAX_LISTED:
        sentences.append(f"And {len(problems) - _MAX_LISTED} more problems.")
    return " ".join(sentences)
