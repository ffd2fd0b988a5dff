"""Reading schema text: JSON or YAML (1.2 booleans), refusing duplicate keys."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from labelwright import errors


class _SchemaLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and no duplicate keys.

    YAML 1.1 reads `yes`, `no`, `on` and `off` as booleans, which silently turns
    `options: [yes, no]` into `[true, false]`; only `true` and `false` are booleans here.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_SchemaLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key '{key}'")
        result[key] = value
    return result


def load_schema_source(source: str | bytes | Mapping[str, Any]) -> Any:
    """Return the plain data of a schema given as text, bytes or a mapping.

    Raises:
        errors.Invalid: The text is not UTF-8, not JSON/YAML, or has duplicate keys.
    """
    if isinstance(source, Mapping):
        return source
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _unreadable(f"it is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not isinstance(source, str):
        raise _unreadable(f"expected YAML or JSON text or a mapping, got {type(source).__name__}")
    if source.lstrip().startswith("{"):
        try:
            return json.loads(source, object_pairs_hook=_refuse_duplicates)
        except ValueError as exc:
            if "duplicate key" in str(exc):
                raise _unreadable(f"JSON {exc}") from None
            # Not JSON after all: flow-style YAML also starts with "{".
    try:
        return yaml.load(source, Loader=_SchemaLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _unreadable(f"YAML {problem}{where}") from None


def _unreadable(reason: str) -> errors.Invalid:
    message = f"The labeling schema cannot be read: {reason}."
    return errors.Invalid(message, errors=[{"loc": [], "msg": message}])
