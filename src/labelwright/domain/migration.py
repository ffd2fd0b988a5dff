"""Schema migrations: renaming, merging and dropping labels and controls in stored results.

A migration list is applied in order, and each step names controls as they are called at that
point (after the renames before it). The same steps map label usage (`find_orphans`) and rewrite
results (`migrate_results`), so a schema change is safe exactly when the migrated results fit.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, RootModel, ValidationError, model_validator

from labelwright import errors
from labelwright.domain._frozen import FrozenModel
from labelwright.domain.controls import NAME_PATTERN, Name, Text
from labelwright.domain.kinds import UNLABELED_CONTROLS
from labelwright.domain.schema import LabelingSchema


class RenameMigration(FrozenModel):
    """Rename label `from` to `to` in `control`, or, without `control`, rename a control."""

    op: Literal["rename"]
    control: Name | None = None
    from_: Text = Field(alias="from")
    to: Text

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.from_ == self.to:
            raise ValueError(f"rename from '{self.from_}' to itself")
        if self.control is None:
            for name in (self.from_, self.to):
                if not re.match(NAME_PATTERN, name):
                    raise ValueError(f"'{name}' is not a valid control name")
        return self


class MergeMigration(FrozenModel):
    """Replace each label of `from` by `to` in `control` (`to` may be one of them)."""

    op: Literal["merge"]
    control: Name
    from_: Annotated[tuple[Text, ...], Field(alias="from", min_length=1)]
    to: Text

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(set(self.from_)) != len(self.from_):
            raise ValueError("merge lists a label more than once")
        return self


class DropMigration(FrozenModel):
    """Drop the items (options) labeled `label` from `control`, or all of its values."""

    op: Literal["drop"]
    control: Name
    label: Text | None = None


Step = RenameMigration | MergeMigration | DropMigration


class SchemaMigration(RootModel[Annotated[Step, Field(discriminator="op")]]):
    """One migration step, discriminated by `op`.

    `{"op": "rename", "control": C, "from": "PER", "to": "PERSON"}` renames a label of C;
    `{"op": "rename", "from": "entities", "to": "ents"}` renames a control;
    `{"op": "merge", "control": C, "from": ["A", "B"], "to": "AB"}` merges labels;
    `{"op": "drop", "control": C, "label": "X"}` drops the items or options labeled X;
    `{"op": "drop", "control": C}` drops the control's values.
    """

    model_config = ConfigDict(frozen=True)


MigrationLike = SchemaMigration | Step | Mapping[str, Any]


def coerce_migrations(migrations: Iterable[MigrationLike]) -> list[Step]:
    """Return the migration steps of models or plain mappings.

    Raises:
        errors.Invalid: A mapping is not a valid migration.
    """
    steps: list[Step] = []
    problems: list[dict[str, Any]] = []
    for index, migration in enumerate(migrations):
        if isinstance(migration, SchemaMigration):
            steps.append(migration.root)
        elif isinstance(migration, RenameMigration | MergeMigration | DropMigration):
            steps.append(migration)
        else:
            try:
                steps.append(SchemaMigration.model_validate(migration).root)
            except ValidationError as exc:
                for error in exc.errors():
                    reason = error["msg"].removeprefix("Value error, ")
                    loc = [
                        index,
                        *(p for p in error["loc"] if p not in ("rename", "merge", "drop")),
                    ]
                    problems.append({"loc": loc, "msg": f"Migration {index}: {reason}."})
    if problems:
        raise errors.Invalid(" ".join(p["msg"] for p in problems), errors=problems)
    return steps


def map_usage(step: Step, control: str, label: str | None) -> tuple[str, str | None] | None:
    """Where usage `(control, label)` ends up after `step`; None when the step drops it."""
    if isinstance(step, RenameMigration):
        if step.control is None:
            return (step.to if control == step.from_ else control), label
        if control == step.control and label == step.from_:
            return control, step.to
    elif isinstance(step, MergeMigration):
        if control == step.control and label in step.from_:
            return control, step.to
    elif control == step.control and (step.label is None or label == step.label):
        return None
    return control, label


def migrate_results(
    results: Mapping[str, Any],
    migrations: Sequence[MigrationLike],
    *,
    schema: LabelingSchema | None = None,
) -> dict[str, Any] | None:
    """Rewrite one result `{control: value}` by the migrations.

    Label steps change choice and choices options, the `label` of items (spans, boxes, ...,
    relations) and the `name` of fields. They never touch rating, rubric, number, textarea,
    transcript, pairwise or ranking values. Without `schema` (the schema the results were made
    with), the control type is inferred from the value's shape, so a label step aimed at a
    textarea would rename matching text; `find_orphans` refuses such steps. Dropping regions
    also drops the relations that point at them and unlinks fields from them.

    Args:
        results: The result to rewrite; it is not modified.
        migrations: Steps in order, as models or plain mappings.
        schema: The schema the results were validated against, to know each control's type.

    Returns:
        The rewritten result, or None when the migrations change nothing.

    Raises:
        errors.Invalid: A migration is malformed, or a control rename would overwrite a
            control that the results already have.
    """
    steps = coerce_migrations(migrations)
    kinds: dict[str, str] = {c.name: c.type for c in schema.controls} if schema else {}
    out = copy.deepcopy(dict(results))
    for step in steps:
        if isinstance(step, RenameMigration) and step.control is None:
            out = _rename_control(out, step.from_, step.to)
            if step.from_ in kinds:
                kinds[step.to] = kinds.pop(step.from_)
        elif step.control in out and kinds.get(step.control) not in UNLABELED_CONTROLS:
            _apply_label_step(out, step, step.control)
    return None if out == dict(results) else out


def _rename_control(results: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    if old not in results:
        return results
    if new in results:
        raise errors.Invalid(
            f"Cannot rename control '{old}' to '{new}': the results already have '{new}'.",
            errors=[{"loc": ["results", new], "msg": "control exists"}],
        )
    return {(new if name == old else name): value for name, value in results.items()}


def _apply_label_step(results: dict[str, Any], step: Step, control: str) -> None:
    value = results[control]
    if isinstance(step, DropMigration) and step.label is None:
        del results[control]
        _unlink(results, _ids_of(value))
        return
    if isinstance(value, str):
        renamed = map_usage(step, control, value)
        if renamed is None:
            del results[control]
        else:
            results[control] = renamed[1]
        return
    if not isinstance(value, list):
        return
    if all(isinstance(item, str) for item in value):  # choices
        kept = [m[1] for item in value if (m := map_usage(step, control, item)) is not None]
        results[control] = list(dict.fromkeys(kept))
        return
    kept_items, dropped = [], []
    for item in value:
        key = _label_key(item)
        if key is None:
            kept_items.append(item)
            continue
        mapped = map_usage(step, control, item[key])
        if mapped is None:
            dropped.append(item)
        else:
            kept_items.append(item | {key: mapped[1]})
    results[control] = kept_items
    _unlink(results, _ids_of(dropped))


def _label_key(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return None
    if isinstance(item.get("label"), str):
        return "label"
    if isinstance(item.get("name"), str) and "value" in item:  # a field of a fields control
        return "name"
    return None


def _ids_of(value: Any) -> set[str]:
    if not isinstance(value, list):
        return set()
    return {
        item["id"]
        for item in value
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    }


def _unlink(results: dict[str, Any], ids: set[str]) -> None:
    """Drop relations to the removed regions `ids` and unlink fields from them."""
    if not ids:
        return
    for name, value in results.items():
        if not isinstance(value, list):
            continue
        kept = []
        for item in value:
            if isinstance(item, Mapping) and (item.get("from") in ids or item.get("to") in ids):
                continue
            if isinstance(item, Mapping) and item.get("region") in ids:
                item = {k: v for k, v in item.items() if k != "region"}
            kept.append(item)
        results[name] = kept
