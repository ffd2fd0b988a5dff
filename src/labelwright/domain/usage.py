"""Which controls and labels stored results use, and what a new schema would orphan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labelwright.domain.kinds import UNLABELED_CONTROLS, ControlType
from labelwright.domain.migration import (
    DropMigration,
    MergeMigration,
    MigrationLike,
    RenameMigration,
    Step,
    coerce_migrations,
    map_usage,
)
from labelwright.domain.schema import LabelingSchema

Usage = tuple[str, str | None]
"""`(control, label)`, or `(control, None)` for "this control has a value"."""


def labels_in_results(schema: LabelingSchema, results: Mapping[str, Any]) -> set[Usage]:
    """Return the controls and labels one result uses.

    Args:
        schema: The schema the result was made with (to know each control's type; a control
            it lacks is read by the value's shape).
        results: A result `{control: value}`.

    Returns:
        `(control, None)` for every control with a non-empty value, plus `(control, label)`
        for every option of choice/choices, `label` of region and relation items, and `name`
        of fields. Rating, rubric, number, textarea, transcript, pairwise and ranking values
        carry no labels.
    """
    used: set[Usage] = set()
    for name, value in results.items():
        if value is None or (isinstance(value, str | list | dict) and not value):
            continue
        used.add((name, None))
        control = schema.control(name)
        kind = control.type if control is not None else None
        used.update((name, label) for label in _labels(kind, value))
    return used


def _labels(kind: str | None, value: Any) -> list[str]:
    if kind in UNLABELED_CONTROLS:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return []
    labels = []
    for item in value:
        if isinstance(item, str):
            labels.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("label"), str):
            labels.append(item["label"])
        elif (
            kind in (ControlType.FIELDS, None)
            and isinstance(item, Mapping)
            and isinstance(item.get("name"), str)
        ):
            labels.append(item["name"])
    return labels


def find_orphans(
    old: LabelingSchema,
    new: LabelingSchema,
    used: set[Usage],
    migrations: Sequence[MigrationLike],
) -> list[str]:
    """List what stored results use that the new schema would no longer have.

    Each used `(control, label)` is carried through the migrations; what remains must exist in
    `new`: the control (with the same type) and, for controls with labels, the label. The
    migrations themselves are checked against `old` too (unknown controls or labels, label
    steps on controls without labels, renames onto an existing control).

    Args:
        old: The schema in force.
        new: The proposed schema.
        used: Usage of all stored results, e.g. the union of `labels_in_results` over them.
        migrations: Steps to apply to the stored results, in order.

    Returns:
        One readable sentence per problem; empty when the change is safe.

    Raises:
        errors.Invalid: A migration is malformed.
    """
    steps = coerce_migrations(migrations)
    problems = _step_problems(old, steps)
    missing_controls: set[str] = set()
    for control, label in sorted(used, key=lambda pair: (pair[0], pair[1] or "")):
        target: Usage | None = (control, label)
        for step in steps:
            if target is None:
                break
            target = map_usage(step, *target)
        if target is None:
            continue
        name, new_label = target
        spec, before = new.control(name), old.control(control)
        renamed = f" (now '{name}')" if name != control else ""
        if spec is None:
            if name not in missing_controls:
                missing_controls.add(name)
                problems.append(
                    f"Control '{control}'{renamed} has values in existing results, but the new "
                    f"schema has no control '{name}'; rename it or drop its values with a "
                    "migration."
                )
        elif label is None and before is not None and before.type != spec.type:
            problems.append(
                f"Control '{control}'{renamed} changes type from {before.type} to {spec.type}; "
                "its existing values would no longer fit."
            )
        elif (
            new_label is not None
            and spec.type not in UNLABELED_CONTROLS
            and new_label not in spec.label_names
        ):
            was = f" (renamed from '{label}')" if new_label != label else ""
            problems.append(
                f"Label '{new_label}'{was} of control '{control}'{renamed} is used in existing "
                f"results, but the new schema's control '{name}' does not have it; rename, merge "
                "or drop it with a migration."
            )
    return problems


def _step_problems(old: LabelingSchema, steps: list[Step]) -> list[str]:
    kinds = {control.name: control.type for control in old.controls}
    labels = {control.name: set(control.label_names) for control in old.controls}
    problems = []
    for index, step in enumerate(steps):
        where = f"Migration {index} ({step.op})"
        if isinstance(step, RenameMigration) and step.control is None:
            if step.from_ not in kinds:
                problems.append(f"{where} renames control '{step.from_}', which does not exist.")
            elif step.to in kinds:
                problems.append(
                    f"{where} renames '{step.from_}' onto existing control '{step.to}'."
                )
            else:
                kinds[step.to], labels[step.to] = kinds.pop(step.from_), labels.pop(step.from_)
            continue
        control = step.control or ""
        if control not in kinds:
            problems.append(f"{where} names control '{control}', which does not exist.")
            continue
        if isinstance(step, DropMigration) and step.label is None:
            continue
        if kinds[control] in UNLABELED_CONTROLS:
            problems.append(
                f"{where} changes labels of control '{control}', a {kinds[control]} control, "
                "whose values have no labels."
            )
            continue
        sources: list[str | None]
        if isinstance(step, DropMigration):
            sources = [step.label]
        elif isinstance(step, MergeMigration):
            sources = list(step.from_)
        else:
            sources = [step.from_]
        for source in sources:
            if source not in labels[control]:
                problems.append(
                    f"{where} names label '{source}', which control '{control}' does not have."
                )
        mapped = {map_usage(step, control, label) for label in labels[control]}
        labels[control] = {pair[1] for pair in mapped if pair is not None and pair[1] is not None}
    return problems
