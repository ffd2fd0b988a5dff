"""Preference data for RLHF: DPO-style pairs and rankings, as JSONL.

`preference-pairs` writes one `{"prompt", "chosen", "rejected", "margin", "id"}` line per
preference, the layout TRL's DPO and reward trainers read: from a pairwise value (`a` or `b`
wins; ties are left out; `margin` is the strength 1-3, or 0 when none was given: TRL's
`RewardTrainer` subtracts the margin in its loss and cannot read a null one) and from a ranking
(every pair of responses in different places; `margin` is how many places apart they are, the
empty places of a ranking with named buckets included). With a conversation object the prompt
is its messages and `chosen`/`rejected` are one assistant message each (TRL's conversational
format); otherwise all three are strings, the prompt from the first text object that is not
one of the responses (`values` of a responses object).
`ranking-jsonl` writes `{"id", "prompt", "responses": [{"id", "text"}], "ranking"}` per
annotation, the ranking best first with ties as lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson

from labelwright.domain import ControlType, LabelingSchema, ObjectType
from labelwright.domain.context import Response, read_responses
from labelwright.domain.objects import ResponsesObject
from labelwright.errors import Invalid
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import controls_of, find_object, require_controls, require_object


def _prompt(task: ExportTask, schema: LabelingSchema) -> tuple[Any, bool]:
    """The prompt and whether it is a conversation (list of messages): the first conversation,
    else the first text object that is not one of the responses (a Label Studio Pairwise shows
    its responses as text objects too)."""
    conversation = find_object(schema, ObjectType.CONVERSATION)
    if conversation is not None:
        messages = task.data.get(schema.data_key(conversation)) or []
        return [{"role": m["role"], "content": m["content"]} for m in messages], True
    response_keys = {
        key
        for spec in schema.objects.values()
        if isinstance(spec, ResponsesObject)
        for key in spec.values or ()
    }
    text = next(
        (
            name
            for name, spec in schema.objects.items()
            if spec.type == ObjectType.TEXT.value and schema.data_key(name) not in response_keys
        ),
        None,
    )
    return (task.data.get(schema.data_key(text)) if text else "") or "", False


def _responses(task: ExportTask, schema: LabelingSchema, name: str) -> list[Response]:
    """The task's responses (none when its data lacks them or has the wrong shape)."""
    try:
        return list(read_responses(schema, name, task.data) or ())
    except Invalid:
        return []


def _completion(text: str, conversational: bool) -> Any:
    return [{"role": "assistant", "content": text}] if conversational else text


class PreferencePairsExporter:
    """`prompt`/`chosen`/`rejected` lines from pairwise and ranking values."""

    name = "preference-pairs"
    version = 1
    description = "DPO preference pairs JSONL (prompt, chosen, rejected, margin) as TRL reads."
    media_type = "application/x-ndjson"
    extension = "jsonl"
    default_selection = Selection.ALL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a responses object with a pairwise or ranking control."""
        responses = require_object(schema, self.name, ObjectType.RESPONSES)
        require_controls(schema, self.name, ControlType.PAIRWISE, ControlType.RANKING, of=responses)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield one line per preference."""
        self.check_schema(schema)
        responses_object = require_object(schema, self.name, ObjectType.RESPONSES)
        controls = controls_of(
            schema, ControlType.PAIRWISE, ControlType.RANKING, of=responses_object
        )
        for task in tasks:
            prompt, conversational = _prompt(task, schema)
            responses = _responses(task, schema, responses_object)
            texts = {r.id: r.text or "" for r in responses}
            for annotation in task.annotations:
                for control in controls:
                    value = annotation.results.get(control.name)
                    if value is None:
                        continue
                    if control.type == ControlType.PAIRWISE.value:
                        pairs = _pairwise_pairs(value, [r.id for r in responses])
                    else:
                        pairs = _ranking_pairs(value)
                    for chosen, rejected, margin in pairs:
                        line = {
                            "prompt": prompt,
                            "chosen": _completion(texts.get(chosen, ""), conversational),
                            "rejected": _completion(texts.get(rejected, ""), conversational),
                            "margin": margin,
                            "id": task.id,
                            "chosen_id": chosen,
                            "rejected_id": rejected,
                        }
                        yield orjson.dumps(line) + b"\n"


def _pairwise_pairs(value: Mapping[str, Any], ids: Sequence[str]) -> list[tuple[str, str, int]]:
    if value.get("choice") not in ("a", "b") or len(ids) != 2:
        return []
    winner, loser = (ids[0], ids[1]) if value["choice"] == "a" else (ids[1], ids[0])
    return [(winner, loser, value.get("strength") or 0)]


def _ranking_pairs(value: Sequence[Any]) -> list[tuple[str, str, int]]:
    places = [entry if isinstance(entry, list) else [entry] for entry in value]
    pairs: list[tuple[str, str, int]] = []
    for better, group in enumerate(places):
        for worse in range(better + 1, len(places)):
            for chosen in group:
                for rejected in places[worse]:
                    pairs.append((chosen, rejected, worse - better))
    return pairs


class RankingJsonlExporter:
    """Prompt, responses and the ranking per annotation."""

    name = "ranking-jsonl"
    version = 1
    description = "Ranking JSONL: prompt, responses and their order (ties as lists)."
    media_type = "application/x-ndjson"
    extension = "jsonl"
    default_selection = Selection.ALL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a responses object with a ranking control."""
        responses = require_object(schema, self.name, ObjectType.RESPONSES)
        require_controls(schema, self.name, ControlType.RANKING, of=responses)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield one line per annotation with a ranking."""
        self.check_schema(schema)
        responses_object = require_object(schema, self.name, ObjectType.RESPONSES)
        control = controls_of(schema, ControlType.RANKING, of=responses_object)[0]
        for task in tasks:
            prompt, _ = _prompt(task, schema)
            responses = [
                {"id": r.id, "text": r.text or ""}
                for r in _responses(task, schema, responses_object)
            ]
            for annotation in task.annotations:
                ranking = annotation.results.get(control.name)
                if ranking is None:
                    continue
                line = {
                    "id": task.id,
                    "prompt": prompt,
                    "responses": responses,
                    "ranking": ranking,
                    "annotator": annotation.author,
                }
                yield orjson.dumps(line) + b"\n"
