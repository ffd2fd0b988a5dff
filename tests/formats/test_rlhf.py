from __future__ import annotations

import json

from tests.formats.conftest import export_bytes
from tests.formats.samples import ranking_sample, responses_sample


def _lines(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.splitlines()]


def test_pairwise_preferences_are_dpo_pairs_and_ties_are_left_out() -> None:
    sample = responses_sample()
    [pair] = _lines(export_bytes("preference-pairs", sample.schema, sample.tasks))
    assert {k: pair[k] for k in ("prompt", "chosen", "rejected", "margin")} == {
        "prompt": "Say hi",
        "chosen": "Hello!",
        "rejected": "No.",
        "margin": 2,
    }


def test_rankings_give_every_ordered_pair_in_conversational_form() -> None:
    sample = ranking_sample()
    pairs = _lines(export_bytes("preference-pairs", sample.schema, sample.tasks))
    assert [(p["chosen_id"], p["rejected_id"], p["margin"]) for p in pairs] == [
        ("b", "a", 1),
        ("b", "c", 1),
    ]
    assert pairs[0]["prompt"] == [{"role": "user", "content": "Pick one"}]
    assert pairs[0]["chosen"] == [{"role": "assistant", "content": "B"}]
    [line] = _lines(export_bytes("ranking-jsonl", sample.schema, sample.tasks))
    assert line["ranking"] == ["b", ["a", "c"]] and [r["id"] for r in line["responses"]] == [
        "a",
        "b",
        "c",
    ]


def test_pairs_load_as_a_dataset_with_the_columns_trl_expects() -> None:
    import datasets

    sample = responses_sample()
    rows = _lines(export_bytes("preference-pairs", sample.schema, sample.tasks))
    dataset = datasets.Dataset.from_list(rows)
    assert {"prompt", "chosen", "rejected"} <= set(dataset.column_names)


def test_pairwise_without_strength_has_margin_zero_for_trl_reward_training() -> None:
    from labelwright.domain import parse_schema
    from tests.formats.conftest import make_task

    schema = parse_schema(
        {
            "objects": {"prompt": {"type": "text"}, "answers": {"type": "responses"}},
            "controls": [{"name": "prefer", "type": "pairwise", "of": "answers"}],
        }
    )
    data = {"prompt": "Hi", "answers": [{"id": "x", "text": "Hey"}, {"id": "y", "text": "Go"}]}
    task = make_task(1, data, {"prefer": {"choice": "b"}}, schema=schema)
    [pair] = _lines(export_bytes("preference-pairs", schema, [task]))
    assert (pair["chosen"], pair["rejected"], pair["margin"]) == ("Go", "Hey", 0)
