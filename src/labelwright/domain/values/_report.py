"""Collecting every problem of one result, and what validators may know about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from labelwright.domain.context import ObjectContext
from labelwright.domain.kinds import ObjectType


@dataclass(frozen=True)
class RegionRef:
    """Where a region id of the result lives."""

    control: str
    type: str


@dataclass(frozen=True)
class Scope:
    """What a value validator may consult besides the value.

    Attributes:
        obj: The labeled object's context, or None when nothing is known about it.
        partial: True for predictions: required parts may be missing.
        regions: Region ids of the whole result (filled in before relations and fields are
            checked), mapped to the control holding them.
        object_type: The type of the labeled object in the schema (known even when `obj` is
            not), or None for a control of no object.
    """

    obj: ObjectContext | None = None
    partial: bool = False
    regions: Mapping[str, RegionRef] = field(default_factory=dict)
    object_type: ObjectType | None = None


@dataclass
class Report:
    """Problems of one control; appends `{"control", "index", "reason"}` to a shared list."""

    control: str
    sink: list[dict[str, Any]]

    def add(self, reason: str, *, index: int | None = None) -> None:
        """Record one problem; `index` is the item's position in a list value, else None."""
        self.sink.append({"control": self.control, "index": index, "reason": reason})
