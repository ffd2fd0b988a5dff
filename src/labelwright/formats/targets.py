"""What an exporter or importer converts: the schema's objects and controls of one kind, and
where a task's media lives and how big it is."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labelwright.domain import ControlSpec, ControlType, LabelingSchema, MediaInfo, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.records import ExportTask


def find_object(schema: LabelingSchema, *types: ObjectType) -> str | None:
    """The name of the first object of one of `types`, or None."""
    return next((name for name, spec in schema.objects.items() if spec.type in types), None)


def controls_of(
    schema: LabelingSchema, *types: ControlType, of: str | None = None
) -> list[ControlSpec]:
    """The controls of the given types (labeling object `of` when given), in schema order."""
    return [c for c in schema.controls if c.type in types and (of is None or c.of == of)]


def require_object(schema: LabelingSchema, fmt: str, *types: ObjectType) -> str:
    """The first object of one of `types`; `Invalid` names the format and what it needs."""
    name = find_object(schema, *types)
    if name is None:
        kinds = " or ".join(t.value for t in types)
        article = "an" if kinds[0] in "aeiou" else "a"
        raise Invalid(
            f"Format '{fmt}' needs a schema with {article} {kinds} object; this one has none."
        )
    return name


def require_controls(
    schema: LabelingSchema, fmt: str, *types: ControlType, of: str | None = None
) -> list[ControlSpec]:
    """The controls of `types`; `Invalid` when there is none."""
    found = controls_of(schema, *types, of=of)
    if not found:
        kinds = ", ".join(t.value for t in types)
        where = f" of object '{of}'" if of else ""
        raise Invalid(f"Format '{fmt}' needs a {kinds} control{where}; the schema has none.")
    return found


def label_names(controls: Sequence[ControlSpec]) -> list[str]:
    """The labels of the controls, in order, each once."""
    seen: dict[str, None] = {}
    for control in controls:
        for label in control.label_names:
            seen.setdefault(label, None)
    return list(seen)


@dataclass(frozen=True)
class MediaRef:
    """An object's media: its reference and, when known, its size and duration."""

    src: str | None
    width: float | None = None
    height: float | None = None
    duration: float | None = None
    fps: float | None = None
    frames: int | None = None


def media_of(task: ExportTask, schema: LabelingSchema, name: str) -> MediaRef:
    """Where object `name`'s media is and how big it is (task data, then media info, then spec)."""
    spec = schema.objects[name]
    value = task.data.get(schema.data_key(name))
    data: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
    src = value if isinstance(value, str) else data.get("src") or data.get("url")
    info = task.media.get(src, MediaInfo()) if isinstance(src, str) else MediaInfo()

    def pick(key: str) -> Any:
        for candidate in (data.get(key), getattr(info, key, None), getattr(spec, key, None)):
            if candidate is not None:
                return candidate
        return None

    return MediaRef(
        src=src if isinstance(src, str) else None,
        width=pick("width"),
        height=pick("height"),
        duration=pick("duration"),
        fps=pick("fps"),
        frames=pick("frames"),
    )


def values_of(task: ExportTask, control: str) -> Iterator[tuple[int, Any]]:
    """`(annotation id, value)` of `control` in each selected annotation that has one."""
    for annotation in task.annotations:
        value = annotation.results.get(control)
        if value is not None:
            yield annotation.id, value


class FileNames:
    """Unique, safe file stems for tasks (from the media's file name, else the task id)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def stem(self, task: ExportTask, src: str | None) -> str:
        """A stem not handed out before: the media file's name without extension if possible."""
        base = ""
        filename = task.meta.get("filename")
        for candidate in (filename, src):
            if isinstance(candidate, str) and candidate and not candidate.startswith("media:"):
                base = posixpath.splitext(posixpath.basename(candidate.split("?")[0]))[0]
                break
        base = "".join(c if c.isalnum() or c in "-_." else "_" for c in base).strip(".")
        stem = base or f"task-{task.id}"
        if stem in self._used:
            stem = f"{stem}-{task.id}"
        self._used.add(stem)
        return stem
