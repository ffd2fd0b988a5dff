"""Turning Pydantic's validation errors on a schema into readable sentences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

from labelwright.domain.controls import CONTROL_MODELS
from labelwright.domain.kinds import ControlType, ObjectType
from labelwright.domain.objects import OBJECT_MODELS


def describe_validation_error(error: ErrorDetails, raw: Any) -> dict[str, Any]:
    """Return `{"loc": [...], "msg": sentence}` for one Pydantic error on schema data `raw`.

    The discriminator tag Pydantic puts in the location (`controls.2.boxes.labels`) is removed,
    and the sentence names the control or object by name.
    """
    loc = list(error["loc"])
    kind: str | None = None
    if len(loc) >= 3 and loc[0] in ("controls", "objects") and isinstance(loc[2], str):
        tags = ControlType if loc[0] == "controls" else ObjectType
        if loc[2] in tags.__members__.values():
            kind = str(loc.pop(2))
    subject, rest = _subject(loc, raw)
    kind_word = "control" if loc[:1] == ["controls"] else "object"
    error_type = error["type"]
    ctx = error.get("ctx") or {}
    if error_type in ("union_tag_invalid", "union_tag_not_found"):
        known = ", ".join(t.value for t in (ControlType if kind_word == "control" else ObjectType))
        tag = ctx.get("tag")
        what = f"unknown type '{tag}'" if error_type == "union_tag_invalid" else "no type"
        msg = f"{subject} has {what}; known {kind_word} types: {known}."
    elif error_type == "extra_forbidden":
        msg = f"{subject} has unknown option '{_path(rest)}'{_allowed_options(kind, kind_word)}."
    elif error_type == "string_pattern_mismatch" and (rest[-1:] in (["name"], ["[key]"])):
        msg = (
            f"{subject}: {error['input']!r} is not a valid name; a name starts with a letter or "
            "'_' followed by letters, digits, '_' or '-' (at most 64)."
        )
    elif error_type == "missing":
        msg = f"{subject} is missing required option '{_path(rest)}'."
    else:
        reason = str(ctx["error"]) if error_type == "value_error" else error["msg"]
        reason = reason[:1].lower() + reason[1:]
        field = _path(rest)
        msg = f"{subject}: {field + ': ' if field else ''}{reason.rstrip('.')}."
    return {"loc": loc, "msg": msg}


def _subject(loc: list[Any], raw: Any) -> tuple[str, list[Any]]:
    if len(loc) >= 2 and loc[0] == "controls" and isinstance(loc[1], int):
        name = _raw_control_name(raw, loc[1])
        label = f"Control '{name}'" if name else f"Control #{loc[1]}"
        return label, loc[2:]
    if len(loc) >= 2 and loc[0] == "objects":
        return f"Object '{loc[1]}'", loc[2:]
    return "The labeling schema", loc


def _raw_control_name(raw: Any, index: int) -> str | None:
    controls = raw.get("controls") if isinstance(raw, dict) else None
    if isinstance(controls, Sequence) and 0 <= index < len(controls):
        item = controls[index]
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            return str(item["name"])
    return None


def _path(parts: Sequence[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _allowed_options(kind: str | None, kind_word: str) -> str:
    if kind is None:
        return ""
    if kind_word == "control":
        model: Any = CONTROL_MODELS[ControlType(kind)]
    else:
        model = OBJECT_MODELS[ObjectType(kind)]
    names = ", ".join(name for name in model.model_fields if name != "type")
    return f"; options of {kind}: {names}"
