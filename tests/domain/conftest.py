"""Shared fixtures of the domain tests: building schemas and running validation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from labelwright import errors
from labelwright.domain import (
    LabelingSchema,
    MediaInfo,
    describe_objects,
    parse_schema,
    validate_results,
)

Validate = Callable[..., dict[str, Any]]
Mismatch = Callable[..., list[dict[str, Any]]]


def _run(
    schema: LabelingSchema | str | Mapping[str, Any],
    results: Any,
    data: Mapping[str, Any] | None = None,
    *,
    media: Mapping[str, MediaInfo] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    parsed = schema if isinstance(schema, LabelingSchema) else parse_schema(schema)
    context = describe_objects(parsed, data or {}, media=media)
    return validate_results(parsed, results, context=context, partial=partial)


@pytest.fixture(scope="session")
def validate() -> Validate:
    """`validate(schema, results, data=None, *, media=None, partial=False)` -> normalized."""
    return _run


@pytest.fixture(scope="session")
def mismatch() -> Mismatch:
    """Like `validate`, but expects `SchemaMismatch` and returns its `errors`."""

    def run(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        with pytest.raises(errors.SchemaMismatch) as caught:
            _run(*args, **kwargs)
        problems = caught.value.errors
        assert problems, "a SchemaMismatch lists its problems"
        for problem in problems:
            assert set(problem) == {"control", "index", "reason"}
            assert f"Control '{problem['control']}'" in caught.value.message
        return problems

    return run
