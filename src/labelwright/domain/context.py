"""What validation knows about each object of one task: text, sizes, durations, page and ids.

Task data conventions (`data[key]`, where `key` is the object's `value`, else its name):

- text: a string.
- image: a media reference string (URL or `media:<sha256>`), or
  `{"src" or "url", "width"?, "height"?}`.
- audio: a reference string, or `{"src" or "url", "duration"?}` (seconds).
- video: a reference string, or
  `{"src" or "url", "duration"?, "fps"?, "frames"?, "width"?, "height"?}`.
- document: `{"pages": [page, ...]}`, a list of pages, or a reference string (e.g. a PDF
  whose page count the server knows); a page is an image reference string or
  `{"image", "width"?, "height"?, "text"?}`.
- conversation: a list of `{"role": str, "content": str}`.
- responses: a list of `{"id": str, "text": str}`; ids are unique non-empty strings. A responses
  object with `values` reads one response from each of those keys instead: the key is the
  response's id and the string under it its text (every key must be there, or none).
- timeseries: a reference string or `{"duration"?, ...}`.
- timeline: optional `{"duration"?}`; else the latest `offset + duration` of its members.

Extra keys in these dicts are allowed and ignored. Sizes and durations come from the task data
first, then from the `MediaInfo` the server knows for the referenced media, then from the
schema's object spec; otherwise they stay unknown (None) and validation skips the bounds checks it
cannot do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labelwright import errors
from labelwright.domain.kinds import DATA_NEEDED_BY, ObjectType
from labelwright.domain.objects import ResponsesObject, TimelineObject
from labelwright.domain.schema import LabelingSchema


@dataclass(frozen=True)
class MediaInfo:
    """What the server measured about one stored media file; every field may be unknown."""

    width: int | None = None
    height: int | None = None
    duration: float | None = None
    frames: int | None = None
    fps: float | None = None
    pages: int | None = None


@dataclass(frozen=True)
class PageInfo:
    """One page of a document: its image reference, size in the page image's units and text."""

    image: str | None = None
    width: float | None = None
    height: float | None = None
    text: str | None = None


@dataclass(frozen=True)
class Message:
    """One chat message of a conversation."""

    role: str
    content: str


@dataclass(frozen=True)
class ObjectContext:
    """What is known about one object of one task; None means unknown.

    Attributes:
        name: The object's name in the schema.
        type: The object's type.
        present: False when the task data has no value for the object.
        src: The media reference (image, audio, video, timeseries, document file).
        text: The text of a text object.
        width: Image or video frame width in pixels.
        height: Image or video frame height in pixels.
        duration: Length in seconds (audio, video, timeseries, timeline).
        frames: Number of video frames; valid frame indices are `0 .. frames - 1`.
        fps: Video frame rate.
        pages: Document pages, or for an image the single page it is.
        messages: Conversation messages.
        response_ids: Ids of a responses object, in task order (pairwise: a, b).
    """

    name: str
    type: ObjectType
    present: bool = True
    src: str | None = None
    text: str | None = None
    width: float | None = None
    height: float | None = None
    duration: float | None = None
    frames: int | None = None
    fps: float | None = None
    pages: tuple[PageInfo, ...] | None = None
    messages: tuple[Message, ...] | None = None
    response_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Response:
    """One response of a responses object: its id and text (None when the data has none)."""

    id: str
    text: str | None = None


class _BadData(Exception):
    """One object's task data has the wrong shape."""


def describe_objects(
    schema: LabelingSchema,
    task_data: Mapping[str, Any],
    *,
    media: Mapping[str, MediaInfo] | None = None,
) -> dict[str, ObjectContext]:
    """Describe every object of the schema for one task (conventions in the module docstring).

    Args:
        schema: The project's labeling schema.
        task_data: The task's `data`.
        media: What the server knows about media files, by reference string
            (`"media:<sha256>"` or URL).

    Returns:
        An `ObjectContext` per object name, in schema order.

    Raises:
        errors.Invalid: An object's data has the wrong shape, or data that validation needs (a
            text labeled by spans, responses that are ranked) is missing. `errors` has one
            `{"object", "key", "reason"}` per problem.
    """
    if not isinstance(task_data, Mapping):
        reason = f"task data must be a mapping, got {type(task_data).__name__}"
        raise errors.Invalid(f"The {reason}.", errors=[{"object": None, "reason": reason}])
    known_media = media or {}
    needers = _needers(schema)
    contexts: dict[str, ObjectContext] = {}
    problems: list[dict[str, Any]] = []
    # Timelines last: their duration may come from their members'.
    ordered = sorted(schema.objects, key=lambda n: isinstance(schema.objects[n], TimelineObject))
    for name in ordered:
        spec = schema.objects[name]
        key = _data_keys(schema, name)
        try:
            value = _object_data(schema, name, task_data)
            if isinstance(spec, TimelineObject):
                contexts[name] = _timeline(name, spec, value, contexts)
            elif value is None:
                if name in needers:
                    raise _BadData(
                        f"the task data has no value; control '{needers[name]}' needs it"
                    )
                contexts[name] = _absent(name, spec)
            else:
                contexts[name] = _READERS[ObjectType(spec.type)](name, spec, value, known_media)
        except _BadData as exc:
            problems.append({"object": name, "key": key, "reason": str(exc)})
    if problems:
        message = " ".join(
            f"Object '{p['object']}' (task data key '{p['key']}'): {p['reason']}." for p in problems
        )
        raise errors.Invalid(message, errors=problems)
    return {name: contexts[name] for name in schema.objects}


def read_responses(
    schema: LabelingSchema, name: str, task_data: Mapping[str, Any]
) -> tuple[Response, ...] | None:
    """The responses of responses object `name` in one task's data, in task order.

    Reads the object's one data key (a list of `{"id", "text"}`) or, with `values`, one
    response per listed key (id = the key, text = the string under it).

    Returns:
        The responses, or None when the task data has none for the object.

    Raises:
        errors.Invalid: The data has the wrong shape (as `describe_objects` reports it).
    """
    try:
        value = _object_data(schema, name, task_data)
        return None if value is None else _responses(value)
    except _BadData as exc:
        key = _data_keys(schema, name)
        reason = str(exc)
        raise errors.Invalid(
            f"Object '{name}' (task data key '{key}'): {reason}.",
            errors=[{"object": name, "key": key, "reason": reason}],
        ) from None


def _data_keys(schema: LabelingSchema, name: str) -> str:
    """The object's data key, or its keys joined by ", " (a responses object with `values`)."""
    spec = schema.objects[name]
    if isinstance(spec, ResponsesObject) and spec.values is not None:
        return ", ".join(spec.values)
    return schema.data_key(name)


def _object_data(schema: LabelingSchema, name: str, task_data: Mapping[str, Any]) -> Any:
    """The object's value in the task data; a responses object with `values` gathers its keys
    into the list form `[{"id": key, "text": ...}, ...]`."""
    spec = schema.objects[name]
    if not isinstance(spec, ResponsesObject) or spec.values is None:
        return task_data.get(schema.data_key(name))
    missing = [key for key in spec.values if task_data.get(key) is None]
    if len(missing) == len(spec.values):
        return None
    if missing:
        raise _BadData(f"the task data has no response under {', '.join(map(repr, missing))}")
    gathered = []
    for key in spec.values:
        text = task_data[key]
        if not isinstance(text, str):
            raise _BadData(
                f"the response under '{key}' must be a string, got {type(text).__name__}"
            )
        gathered.append({"id": key, "text": text})
    return gathered


def _needers(schema: LabelingSchema) -> dict[str, str]:
    return {
        control.of: control.name
        for control in reversed(schema.controls)
        if control.of is not None and control.type in DATA_NEEDED_BY
    }


def _absent(name: str, spec: Any) -> ObjectContext:
    width, height = getattr(spec, "width", None), getattr(spec, "height", None)
    single_page = spec.type == ObjectType.IMAGE
    return ObjectContext(
        name=name,
        type=ObjectType(spec.type),
        present=False,
        width=width,
        height=height,
        pages=(PageInfo(width=width, height=height),) if single_page else None,
        duration=getattr(spec, "duration", None),
        frames=getattr(spec, "frames", None),
        fps=getattr(spec, "fps", None),
    )


def _number(data: Mapping[str, Any], key: str, *, integer: bool = False) -> Any:
    value = data.get(key)
    if value is None:
        return None
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not math.isfinite(value) or value <= 0:
        kind = "a positive integer" if integer else "a positive number"
        raise _BadData(f"'{key}' must be {kind}, got {value!r}")
    return value


def _reference(
    value: Any, what: str, keys: tuple[str, ...]
) -> tuple[str | None, Mapping[str, Any]]:
    if isinstance(value, str):
        return value, {}
    if isinstance(value, Mapping):
        src = next((value[k] for k in keys if value.get(k) is not None), None)
        if src is not None and not isinstance(src, str):
            raise _BadData(f"the {what} reference must be a string, got {type(src).__name__}")
        return src, value
    raise _BadData(
        f"{what} data must be a reference string or a mapping, got {type(value).__name__}"
    )


def _pick(*candidates: Any) -> Any:
    return next((c for c in candidates if c is not None), None)


def _read_text(name: str, spec: Any, value: Any, media: Mapping[str, MediaInfo]) -> ObjectContext:
    if not isinstance(value, str):
        raise _BadData(f"text data must be a string, got {type(value).__name__}")
    return ObjectContext(name=name, type=ObjectType.TEXT, text=value)


def _read_media(name: str, spec: Any, value: Any, media: Mapping[str, MediaInfo]) -> ObjectContext:
    kind = ObjectType(spec.type)
    src, data = _reference(value, kind.value, ("src", "url"))
    info = media.get(src, MediaInfo()) if src else MediaInfo()
    fields: dict[str, Any] = {}
    sized = kind in (ObjectType.IMAGE, ObjectType.VIDEO)
    timed = kind in (ObjectType.AUDIO, ObjectType.VIDEO, ObjectType.TIMESERIES)
    if sized:
        fields["width"] = _pick(_number(data, "width"), info.width, spec.width)
        fields["height"] = _pick(_number(data, "height"), info.height, spec.height)
    if timed:
        fields["duration"] = _pick(_number(data, "duration"), info.duration, spec.duration)
    if kind == ObjectType.VIDEO:
        fields["fps"] = _pick(_number(data, "fps"), info.fps, spec.fps)
        fields["frames"] = _pick(_number(data, "frames", integer=True), info.frames, spec.frames)
    pages = None
    if kind == ObjectType.IMAGE:
        pages = (PageInfo(image=src, width=fields["width"], height=fields["height"]),)
    return ObjectContext(name=name, type=kind, src=src, pages=pages, **fields)


def _read_document(
    name: str, spec: Any, value: Any, media: Mapping[str, MediaInfo]
) -> ObjectContext:
    src: str | None = None
    raw_pages: Any = None
    if isinstance(value, str):
        src = value
    elif isinstance(value, Mapping):
        src, _ = _reference(value, "document", ("src", "url"))
        raw_pages = value.get("pages")
    else:
        raw_pages = value
    if raw_pages is None:
        count = media[src].pages if src is not None and src in media else None
        pages = None if count is None else tuple(PageInfo() for _ in range(count))
        return ObjectContext(name=name, type=ObjectType.DOCUMENT, src=src, pages=pages)
    if not isinstance(raw_pages, list | tuple):
        raise _BadData(f"document pages must be a list, got {type(raw_pages).__name__}")
    return ObjectContext(
        name=name,
        type=ObjectType.DOCUMENT,
        src=src,
        pages=tuple(_read_page(i, page, media) for i, page in enumerate(raw_pages)),
    )


def _read_page(index: int, page: Any, media: Mapping[str, MediaInfo]) -> PageInfo:
    try:
        image, data = _reference(page, "page image", ("image", "src", "url"))
        text = data.get("text")
        if text is not None and not isinstance(text, str):
            raise _BadData(f"the text must be a string, got {type(text).__name__}")
        info = media.get(image, MediaInfo()) if image else MediaInfo()
        return PageInfo(
            image=image,
            width=_pick(_number(data, "width"), info.width),
            height=_pick(_number(data, "height"), info.height),
            text=text,
        )
    except _BadData as exc:
        raise _BadData(f"page {index}: {exc}") from None


def _read_conversation(
    name: str, spec: Any, value: Any, media: Mapping[str, MediaInfo]
) -> ObjectContext:
    if not isinstance(value, list | tuple):
        raise _BadData(f"conversation data must be a list of messages, got {type(value).__name__}")
    messages = []
    for index, item in enumerate(value):
        if not (
            isinstance(item, Mapping)
            and isinstance(item.get("role"), str)
            and isinstance(item.get("content"), str)
        ):
            raise _BadData(f"message {index} must be a mapping with string 'role' and 'content'")
        messages.append(Message(role=item["role"], content=item["content"]))
    return ObjectContext(name=name, type=ObjectType.CONVERSATION, messages=tuple(messages))


def _read_responses(
    name: str, spec: Any, value: Any, media: Mapping[str, MediaInfo]
) -> ObjectContext:
    ids = tuple(response.id for response in _responses(value))
    return ObjectContext(name=name, type=ObjectType.RESPONSES, response_ids=ids)


def _responses(value: Any) -> tuple[Response, ...]:
    if not isinstance(value, list | tuple):
        raise _BadData(f"responses data must be a list, got {type(value).__name__}")
    found: list[Response] = []
    ids: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not item["id"]:
            raise _BadData(f"response {index} must be a mapping with a non-empty string 'id'")
        if item.get("text") is not None and not isinstance(item["text"], str):
            raise _BadData(f"response {index}: 'text' must be a string")
        if item["id"] in ids:
            raise _BadData(f"response id '{item['id']}' is used more than once")
        ids.add(item["id"])
        found.append(Response(id=item["id"], text=item.get("text")))
    return tuple(found)


def _timeline(
    name: str, spec: TimelineObject, value: Any, contexts: Mapping[str, ObjectContext]
) -> ObjectContext:
    if value is not None and not isinstance(value, Mapping):
        raise _BadData(f"timeline data must be a mapping, got {type(value).__name__}")
    durations = [contexts[m.name].duration if m.name in contexts else None for m in spec.members]
    ends = [
        member.offset + duration
        for member, duration in zip(spec.members, durations, strict=True)
        if duration is not None
    ]
    derived = max(ends) if len(ends) == len(spec.members) else None
    duration = _pick(_number(value or {}, "duration"), spec.duration, derived)
    return ObjectContext(name=name, type=ObjectType.TIMELINE, duration=duration)


_READERS = {
    ObjectType.TEXT: _read_text,
    ObjectType.IMAGE: _read_media,
    ObjectType.AUDIO: _read_media,
    ObjectType.VIDEO: _read_media,
    ObjectType.TIMESERIES: _read_media,
    ObjectType.DOCUMENT: _read_document,
    ObjectType.CONVERSATION: _read_conversation,
    ObjectType.RESPONSES: _read_responses,
}
