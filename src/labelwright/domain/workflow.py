"""Workflow settings of a project (DESIGN.md section 7) and its routing-rule language.

Routing conditions are small expressions evaluated by `simpleeval` (no `eval`): names are
`prediction.score`, `prediction.origin`, `meta.<key>` and `task.priority`; operators are
comparisons, `and`, `or`, `not` and `in`. A missing meta key or prediction reads as `None`, and
a comparison with `None` is false.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from simpleeval import EvalWithCompoundTypes, InvalidExpression

from labelwright.errors import Invalid


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewSettings(_Settings):
    sample: float = Field(default=0.0, ge=0.0, le=1.0)


class AdjudicationSettings(_Settings):
    agreement_below: float = Field(default=0.8, ge=0.0, le=1.0)


class GoldSettings(_Settings):
    rate: float = Field(default=0.0, ge=0.0, le=0.5)


class _Missing(dict[str, Any]):
    """A mapping that reads absent keys as None (so `meta.lang == 'en'` is simply false)."""

    def __missing__(self, key: str) -> None:
        return None


def _names(
    prediction: Mapping[str, Any] | None, meta: Mapping[str, Any], priority: int
) -> dict[str, Any]:
    return {
        "prediction": _Missing(prediction or {}),
        "meta": _Missing(meta),
        "task": _Missing({"priority": priority}),
    }


def _evaluator(names: dict[str, Any]) -> EvalWithCompoundTypes:
    return EvalWithCompoundTypes(names=names, functions={})


class RoutingRule(_Settings):
    when: str = Field(min_length=1, max_length=500)
    to: Literal["expert"] = "expert"

    @field_validator("when")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            _evaluator(_names({"score": 0.5, "origin": "model:x"}, {}, 0)).eval(value)
        except (InvalidExpression, SyntaxError, KeyError, AttributeError) as exc:
            raise ValueError(f"cannot read routing condition '{value}': {exc}") from None
        except TypeError:
            pass  # e.g. a comparison with None on the sample data: fine at save time
        return value

    def matches(
        self, *, prediction: Mapping[str, Any] | None, meta: Mapping[str, Any], priority: int
    ) -> bool:
        try:
            return bool(_evaluator(_names(prediction, meta, priority)).eval(self.when))
        except (TypeError, InvalidExpression, KeyError, AttributeError):
            return False


class WorkflowSettings(_Settings):
    """Per-project workflow: overlap, leases, review, adjudication, routing, gold, caps."""

    overlap: int = Field(default=1, ge=1, le=50)
    max_overlap: int | None = Field(default=None, ge=1, le=50)
    lease_minutes: float = Field(default=30.0, gt=0, le=7 * 24 * 60)
    review: ReviewSettings = ReviewSettings()
    adjudication: AdjudicationSettings = AdjudicationSettings()
    routing: list[RoutingRule] = []
    gold: GoldSettings = GoldSettings()
    max_tasks_per_user: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _overlap_range(self) -> WorkflowSettings:
        if self.max_overlap is not None and self.max_overlap < self.overlap:
            raise ValueError(f"max_overlap ({self.max_overlap}) is below overlap ({self.overlap})")
        return self

    @property
    def most_annotators(self) -> int:
        return self.max_overlap or self.overlap

    def route(
        self, *, prediction: Mapping[str, Any] | None, meta: Mapping[str, Any], priority: int
    ) -> RoutingRule | None:
        """The first rule whose condition holds for this task, if any."""
        for rule in self.routing:
            if rule.matches(prediction=prediction, meta=meta, priority=priority):
                return rule
        return None


def parse_workflow(source: Mapping[str, Any] | None) -> WorkflowSettings:
    """Validate workflow settings; `Invalid` names each bad field."""
    try:
        return WorkflowSettings.model_validate(dict(source or {}))
    except ValidationError as exc:
        problems = [
            {"loc": ["workflow", *e["loc"]], "msg": e["msg"].removeprefix("Value error, ")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in problems)
        raise Invalid(f"Invalid workflow settings: {detail}", errors=problems) from None
