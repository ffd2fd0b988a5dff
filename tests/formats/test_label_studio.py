"""Label Studio migration, checked on JSON exports made by a real Label Studio 1.23.2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.domain import describe_objects, parse_schema, rle_decode
from labelwright.errors import Invalid
from labelwright.formats.label_studio_config import label_config, parse_label_config
from labelwright.formats.ls_brush import decode_brush, encode_brush
from tests.formats.conftest import export_bytes, import_errors, import_rows, make_task, same_items

FIXTURES = Path(__file__).parent / "fixtures" / "label_studio"


def _fixture(name: str) -> tuple[object, bytes]:
    schema = parse_label_config((FIXTURES / f"{name}.xml").read_text())
    return schema, (FIXTURES / f"{name}.json").read_bytes()


def test_text_config_and_export_import_with_relations_and_predictions() -> None:
    schema, body = _fixture("text")
    assert [(c.name, c.type) for c in schema.controls] == [
        ("label", "spans"),
        ("relations", "relations"),
        ("sentiment", "choice"),
        ("summary", "textarea"),
        ("quality", "rating"),
    ]
    rows = import_rows("label-studio", schema, body)
    results = rows[0]["results"][0]
    assert [(s["id"], s["text"], s["label"]) for s in results["label"]] == [
        ("r1", "Ada Lovelace", "PER"),
        ("r2", "Analytical Engines Ltd", "ORG"),
    ]
    assert results["relations"] == [{"from": "r1", "to": "r2", "label": "works_at"}]
    assert (results["sentiment"], results["summary"], results["quality"]) == (
        "positive",
        "A note",
        4,
    )
    assert rows[0]["meta"]["label_studio_id"] == 1 and rows[1]["results"] == []


def test_image_export_converts_percentages_and_brush_masks() -> None:
    schema, body = _fixture("image")
    [row] = import_rows("label-studio", schema, body)
    results = row["results"][0]
    car = results["box"][0]
    assert (car["x"], car["y"], car["w"], car["h"], car["label"]) == pytest.approx(
        (20, 20, 50, 50, "car")
    )
    assert results["poly"][0]["points"] == [[0, 100], [100, 60], [200, 100]]
    assert (results["kp"][0]["x"], results["kp"][0]["y"]) == pytest.approx((105, 12))
    mask = rle_decode(results["brush"][0]["rle"])
    assert mask.shape == (100, 200) and mask.sum() == 1000 and mask[10:30, 40:90].all()
    assert results["tags"] == ["day", "rain"]


def test_audio_pairwise_and_ranker_exports() -> None:
    schema, body = _fixture("audio")
    [row] = import_rows("label-studio", schema, body)
    assert [(s["start"], s["end"], s["label"]) for s in row["results"][0]["speaker"]] == [
        (0.5, 2.25, "alice"),
        (2.25, 4.0, "bob"),
    ]
    schema, body = _fixture("pairwise")
    [row] = import_rows("label-studio", schema, body)
    assert row["data"] == {"prompt": "Say hi", "answer1": "Hello!", "answer2": "Go away."}
    assert row["results"][0]["pw"] == {"choice": "a"}
    schema, body = _fixture("ranker")
    [row] = import_rows("label-studio", schema, body)
    assert row["results"][0]["rank"] == ["r2", "r1", "r3"]


@pytest.mark.parametrize(
    "name",
    [
        "text",
        "image",
        "audio",
        "pairwise",
        "ranker",
        "ranker_buckets",
        "pairwise_rlhf",
        "per_region",
    ],
)
def test_export_back_to_label_studio_reimports_the_same(name: str) -> None:
    schema, body = _fixture(name)
    rows = import_rows("label-studio", schema, body)
    tasks = [
        make_task(i + 1, r["data"], r["results"][0] if r["results"] else None, schema=schema)
        for i, r in enumerate(rows)
    ]
    exported = export_bytes("label-studio", schema, tasks)
    original = json.loads(body)
    again = json.loads(exported)
    assert [t["data"] for t in again] == [t["data"] for t in original]
    first_types = sorted(r["type"] for r in original[0]["annotations"][0]["result"])
    assert sorted(r["type"] for r in again[0]["annotations"][0]["result"]) == first_types
    back = import_rows("label-studio", schema, exported)
    assert same_items([r["results"] for r in back], [r["results"] for r in rows])
    reparsed = parse_label_config(label_config(schema))
    assert reparsed == schema


def test_spans_offsets_are_utf16_in_label_studio() -> None:
    schema = parse_label_config(
        '<View><Text name="text" value="$text"/><Labels name="ner" toName="text">'
        '<Label value="X"/></Labels></View>'
    )
    text = "🙂 Ada"
    task = make_task(
        1,
        {"text": text},
        {"ner": [{"start": 2, "end": 5, "text": "Ada", "label": "X"}]},
        schema=schema,
    )
    [exported] = json.loads(export_bytes("label-studio", schema, [task]))
    assert exported["annotations"][0]["result"][0]["value"]["start"] == 3
    [row] = import_rows("label-studio", schema, json.dumps([exported]).encode())
    assert row["results"][0]["ner"][0]["start"] == 2


def test_brush_codec_matches_label_studio_fixture() -> None:
    fixture = json.loads((FIXTURES / "image.json").read_text())
    rle = fixture[0]["annotations"][0]["result"][4]["value"]["rle"]
    mask = decode_brush(rle, 100, 200)
    assert (decode_brush(encode_brush(mask), 100, 200) == mask).all()
    empty = np.zeros((3, 4), dtype=np.uint8)
    assert decode_brush(encode_brush(empty), 3, 4).sum() == 0


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ('<View><HyperText name="h" value="$h"/></View>', "tag <HyperText> is not supported"),
        ('<View><Text name="t" value="$t"/><Taxonomy name="x" toName="t"/></View>', "<Taxonomy>"),
        ('<View><Text name="t" value="$t"/>', "not well-formed XML"),
        (
            '<View><Text name="t" value="$t"/><Choices name="c" toName="t"/></View>',
            "has no Choices",
        ),
    ],
)
def test_unsupported_or_broken_configs_name_the_problem(xml: str, expected: str) -> None:
    with pytest.raises(Invalid, match=expected.replace("<", "<").replace("(", r"\(")):
        parse_label_config(xml)


def test_results_naming_unknown_controls_are_refused() -> None:
    schema, _ = _fixture("text")
    body = json.dumps(
        [
            {
                "data": {"text": "x"},
                "annotations": [
                    {
                        "result": [
                            {
                                "from_name": "nope",
                                "to_name": "text",
                                "type": "choices",
                                "value": {"choices": ["a"]},
                            }
                        ]
                    }
                ],
            }
        ]
    ).encode()
    assert "from_name 'nope' is not a control" in import_errors("label-studio", schema, body)[0]


def test_ranker_buckets_become_named_places_in_bucket_order() -> None:
    schema, body = _fixture("ranker_buckets")
    [ranking] = [c for c in schema.controls if c.type == "ranking"]
    assert ranking.allow_ties and ranking.buckets == ("relevant", "maybe", "off_topic")
    first, second = import_rows("label-studio", schema, body)
    # one place per bucket (empty: []), then the unplaced ("_") and any item no bucket holds
    assert first["results"][0]["rank"] == [["d3", "d1"], "d5", [], ["d2", "d4"]]
    assert second["results"][0]["rank"] == ["d1", "d3", [], ["d2", "d4"]]


def test_ranker_bucket_names_go_back_to_label_studio() -> None:
    schema, body = _fixture("ranker_buckets")
    config = label_config(schema)
    assert (
        '<Ranker name="rank" toName="results"><Bucket name="relevant"/><Bucket name="maybe"/>'
        '<Bucket name="off_topic"/></Ranker>'
    ) in config
    assert parse_label_config(config) == schema
    rows = import_rows("label-studio", schema, body)
    tasks = [
        make_task(i + 1, r["data"], r["results"][0], schema=schema) for i, r in enumerate(rows)
    ]
    first, second = json.loads(export_bytes("label-studio", schema, tasks))
    [result] = first["annotations"][0]["result"]
    assert result["value"]["ranker"] == {
        "relevant": ["d3", "d1"],
        "maybe": ["d5"],
        "off_topic": [],
        "_": ["d2", "d4"],
    }
    assert (result["from_name"], result["to_name"], result["type"]) == ("rank", "results", "ranker")
    assert second["annotations"][0]["result"][0]["value"]["ranker"] == {
        "relevant": ["d1"],
        "maybe": ["d3"],
        "off_topic": [],
        "_": ["d2", "d4"],
    }
    complete = make_task(
        3, rows[0]["data"], {"rank": [["d3", "d1"], [], ["d2", "d4", "d5"]]}, schema=schema
    )
    [exported] = json.loads(export_bytes("label-studio", schema, [complete]))
    ranker = exported["annotations"][0]["result"][0]["value"]["ranker"]
    assert ranker == {"relevant": ["d3", "d1"], "maybe": [], "off_topic": ["d2", "d4", "d5"]}
    [back] = import_rows("label-studio", schema, json.dumps([exported]).encode())
    assert back["results"][0]["rank"] == [["d3", "d1"], [], ["d2", "d4", "d5"]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_any_bucketed_ranking_round_trips_through_label_studio(places: list[int]) -> None:
    """Each generated item goes to bucket 0-2 or (3) to no bucket."""
    schema, _ = _fixture("ranker_buckets")
    items = [{"id": f"d{i}", "title": f"Doc {i}"} for i in range(len(places))]
    groups: list[list[str]] = [
        [item["id"] for item, p in zip(items, places, strict=True) if p == b] for b in range(4)
    ]
    ranking = [g if len(g) != 1 else g[0] for g in (groups if groups[3] else groups[:3])]
    task = make_task(1, {"query": "q", "items": items}, {"rank": ranking}, schema=schema)
    exported = export_bytes("label-studio", schema, [task])
    [back] = import_rows("label-studio", schema, exported)
    assert back["results"][0]["rank"] == task.annotations[0].results["rank"]


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ('<Bucket name="_"/>', "Label Studio's name for the items in no bucket"),
        ('<Bucket title="x"/>', "a <Bucket> of Ranker 'rank' has no name"),
        ('<Bucket name="a"/><Bucket name="a"/>', "'a' is listed more than once"),
    ],
)
def test_bad_ranker_buckets_are_refused(xml: str, expected: str) -> None:
    config = (
        '<View><List name="results" value="$items"/>'
        f'<Ranker name="rank" toName="results">{xml}</Ranker></View>'
    )
    with pytest.raises(Invalid, match=expected):
        parse_label_config(config)


def test_ranker_result_naming_an_unknown_bucket_is_refused() -> None:
    schema, body = _fixture("ranker_buckets")
    tasks = json.loads(body)
    tasks[0]["annotations"][0]["result"][0]["value"]["ranker"]["junk"] = ["d2"]
    [error, *_] = import_errors("label-studio", schema, json.dumps(tasks).encode())
    assert "bucket 'junk' is not one of the Ranker's buckets" in error


def test_ranker_without_buckets_keeps_the_order_and_refuses_ties() -> None:
    schema, _ = _fixture("ranker")
    [ranking] = [c for c in schema.controls if c.type == "ranking"]
    assert not ranking.allow_ties


def test_pairwise_rlhf_template_with_renamed_objects() -> None:
    schema, body = _fixture("pairwise_rlhf")
    responses = schema.objects["comparison_responses"]
    assert responses.model_dump(exclude_none=True) == {
        "type": "responses",
        "values": ("answer1", "answer2"),
    }
    first, second = import_rows("label-studio", schema, body)
    assert first["data"] == {
        "prompt": "Explain DNS in one line.",
        "answer1": "DNS maps names to IP addresses.",
        "answer2": "It is a kind of database, I think.",
    }
    context = describe_objects(schema, first["data"])
    assert context["comparison_responses"].response_ids == ("answer1", "answer2")
    assert first["results"][0]["comparison"] == {"choice": "a"}
    assert second["results"][0]["comparison"] == {"choice": "b"}
    config = label_config(schema)
    assert 'toName="left_answer,right_answer"' in config
    assert parse_label_config(config) == schema


def test_pairwise_imports_feed_the_preference_pairs_export() -> None:
    schema, body = _fixture("pairwise_rlhf")
    rows = import_rows("label-studio", schema, body)
    tasks = [
        make_task(i + 1, r["data"], r["results"][0], schema=schema) for i, r in enumerate(rows)
    ]
    pairs = [json.loads(x) for x in export_bytes("preference-pairs", schema, tasks).splitlines()]
    assert [(p["prompt"], p["chosen"]) for p in pairs] == [
        ("Explain DNS in one line.", "DNS maps names to IP addresses."),
        ("Say hello.", "Hello!"),
    ]


def test_plain_jsonl_tasks_of_a_pairwise_config_feed_the_preference_pairs_export() -> None:
    schema, _ = _fixture("pairwise_rlhf")
    lines = [
        {"prompt": "Capital of France?", "answer1": "Paris.", "answer2": "Lyon."},
        {
            "data": {"prompt": "2 + 2?", "answer1": "5", "answer2": "4"},
            "annotations": [{"results": {"comparison": {"choice": "b", "strength": 3}}}],
        },
    ]
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    first, second = import_rows("jsonl", schema, body)
    assert first["data"] == lines[0] and first["results"] == []
    tasks = [
        make_task(1, first["data"], {"comparison": {"choice": "a"}}, schema=schema),
        make_task(2, second["data"], second["results"][0], schema=schema),
    ]
    pairs = [json.loads(x) for x in export_bytes("preference-pairs", schema, tasks).splitlines()]
    assert pairs == [
        {
            "prompt": "Capital of France?",
            "chosen": "Paris.",
            "rejected": "Lyon.",
            "margin": 0,
            "id": 1,
            "chosen_id": "answer1",
            "rejected_id": "answer2",
        },
        {
            "prompt": "2 + 2?",
            "chosen": "4",
            "rejected": "5",
            "margin": 3,
            "id": 2,
            "chosen_id": "answer2",
            "rejected_id": "answer1",
        },
    ]
    [exported, _] = json.loads(export_bytes("label-studio", schema, tasks))
    assert exported["data"] == first["data"]  # nothing added to the task data
    assert exported["annotations"][0]["result"][0]["value"] == {"selected": "left"}


def test_pairwise_prompt_is_not_one_of_the_compared_texts() -> None:
    schema, _ = _fixture("pairwise")  # the prompt is only a <Header>, not an object
    data = {"prompt": "Say hi", "answer1": "Hello!", "answer2": "Go away."}
    task = make_task(1, data, {"pw": {"choice": "a"}}, schema=schema)
    [pair] = [json.loads(x) for x in export_bytes("preference-pairs", schema, [task]).splitlines()]
    assert (pair["prompt"], pair["chosen"], pair["rejected"]) == ("", "Hello!", "Go away.")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"answer1": "x"}, "the task data has no response under 'answer2'"),
        ({"answer1": "x", "answer2": 7}, "the response under 'answer2' must be a string, got int"),
    ],
)
def test_pairwise_tasks_missing_a_response_are_refused(
    data: dict[str, object], reason: str
) -> None:
    schema, _ = _fixture("pairwise")
    row = {"data": data, "annotations": [{"results": {"pw": {"choice": "a"}}}]}
    with pytest.raises(Invalid) as refused:
        import_rows("jsonl", schema, json.dumps(row).encode())
    problem = {"object": "pw_responses", "key": "answer1, answer2", "reason": reason}
    assert problem in refused.value.errors  # (the text object answer2 may complain too)


def test_a_hand_written_responses_object_with_values_exports_a_pairwise_config() -> None:
    schema = parse_schema(
        {
            "objects": {"q": {"type": "text"}, "pair": {"type": "responses", "values": ["x", "y"]}},
            "controls": [{"name": "pick", "type": "pairwise", "of": "pair"}],
        }
    )
    config = label_config(schema)
    assert '<Text name="x" value="$x"/>' in config and 'toName="x,y"' in config
    again = parse_label_config(config)
    assert again.objects["pick_responses"].values == ("x", "y")  # type: ignore[union-attr]
    ranked = parse_schema(
        {
            "objects": {"pair": {"type": "responses", "values": ["x", "y"]}},
            "controls": [{"name": "order", "type": "ranking", "of": "pair"}],
        }
    )
    with pytest.raises(Invalid, match="Control 'order' \\(ranking\\) labels object 'pair'"):
        label_config(ranked)


def test_pairwise_tie_cannot_go_to_label_studio() -> None:
    schema, body = _fixture("pairwise")
    [row] = import_rows("label-studio", schema, body)
    task = make_task(1, row["data"], {"pw": {"choice": "tie"}}, schema=schema)
    with pytest.raises(Invalid, match="is a tie"):
        export_bytes("label-studio", schema, [task])


def test_per_region_controls_become_region_attributes() -> None:
    schema, body = _fixture("per_region")
    controls = {c.name: c for c in schema.controls}
    assert set(controls) == {"speaker", "box"}
    assert controls["speaker"].attributes == {"transcription": "str"}
    assert controls["box"].attributes == {"plate_text": "str", "legible": ("yes", "no")}
    [row] = import_rows("label-studio", schema, body)
    results = row["results"][0]
    assert [(s["id"], s["label"], s["attributes"]) for s in results["speaker"]] == [
        ("w1", "alice", {"transcription": "Hello Bob."}),
        ("w2", "bob", {"transcription": "Hi,\nAlice."}),
    ]
    [plate] = results["box"]
    assert plate["attributes"] == {"plate_text": "AB-123", "legible": "yes"}
    assert (plate["x"], plate["w"]) == pytest.approx((20, 50))


def test_per_region_values_go_back_to_label_studio_with_their_region() -> None:
    schema, body = _fixture("per_region")
    [row] = import_rows("label-studio", schema, body)
    task = make_task(1, row["data"], row["results"][0], schema=schema)
    [exported] = json.loads(export_bytes("label-studio", schema, [task]))
    result = exported["annotations"][0]["result"]
    text = [r for r in result if r["from_name"] == "transcription"]
    assert [(r["id"], r["type"], r["value"]) for r in text] == [
        ("w1", "textarea", {"start": 0.5, "end": 2.25, "text": ["Hello Bob."]}),
        ("w2", "textarea", {"start": 2.25, "end": 4.0, "text": ["Hi,\nAlice."]}),
    ]
    [legible] = [r for r in result if r["from_name"] == "legible"]
    assert legible["value"]["choices"] == ["yes"] and legible["original_width"] == 200
    assert legible["value"]["x"] == pytest.approx(10) and legible["id"] == "b1"
    back = import_rows("label-studio", schema, json.dumps([exported]).encode())
    assert same_items([r["results"] for r in back], [row["results"]])
    assert parse_label_config(label_config(schema)) == schema


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (
            '<View><Text name="t" value="$t"/>'
            '<TextArea name="note" toName="t" perRegion="true"/></View>',
            "no region control",
        ),
        (
            '<View><Text name="t" value="$t"/><Labels name="l" toName="t"><Label value="A"/>'
            '</Labels><Choices name="c" toName="t" perRegion="true" choice="multiple">'
            '<Choice value="x"/></Choices></View>',
            "has no Labelwright equivalent",
        ),
        (
            '<View><Text name="a" value="$a"/><Pairwise name="pw" toName="a,b"/></View>',
            "compares 'b', which is not an object",
        ),
    ],
)
def test_per_region_and_pairwise_config_errors_name_the_tag(xml: str, expected: str) -> None:
    with pytest.raises(Invalid, match=expected):
        parse_label_config(xml)


def test_per_region_result_for_a_missing_region_is_refused() -> None:
    schema, _ = _fixture("per_region")
    body = json.dumps(
        [
            {
                "data": {"audio": "a.wav", "image": "b.jpg"},
                "annotations": [
                    {
                        "result": [
                            {
                                "id": "zz",
                                "from_name": "transcription",
                                "to_name": "audio",
                                "type": "textarea",
                                "value": {"start": 0, "end": 1, "text": ["x"]},
                            }
                        ]
                    }
                ],
            }
        ]
    ).encode()
    assert "belongs to region 'zz'" in import_errors("label-studio", schema, body)[0]
