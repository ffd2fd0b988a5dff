"""Label Studio migration, checked on JSON exports made by a real Label Studio 1.23.2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from labelwright.domain import rle_decode
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
    assert row["data"]["answer1,answer2"] == [
        {"id": "answer1", "text": "Hello!"},
        {"id": "answer2", "text": "Go away."},
    ]
    assert row["results"][0]["pw"] == {"choice": "a"}
    schema, body = _fixture("ranker")
    [row] = import_rows("label-studio", schema, body)
    assert row["results"][0]["rank"] == ["r2", "r1", "r3"]


@pytest.mark.parametrize(
    "name", ["text", "image", "audio", "pairwise", "ranker", "pairwise_rlhf", "per_region"]
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


def test_ranker_buckets_become_tie_groups_in_bucket_order() -> None:
    schema, body = _fixture("ranker_buckets")
    [ranking] = [c for c in schema.controls if c.type == "ranking"]
    assert ranking.allow_ties
    first, second = import_rows("label-studio", schema, body)
    # relevant, maybe, then the unplaced ("_") and any item no bucket holds; empty buckets drop
    assert first["results"][0]["rank"] == [["d3", "d1"], "d5", ["d2", "d4"]]
    assert second["results"][0]["rank"] == ["d1", "d3", ["d2", "d4"]]


def test_ranker_without_buckets_keeps_the_order_and_refuses_ties() -> None:
    schema, _ = _fixture("ranker")
    [ranking] = [c for c in schema.controls if c.type == "ranking"]
    assert not ranking.allow_ties


def test_pairwise_rlhf_template_with_renamed_objects() -> None:
    schema, body = _fixture("pairwise_rlhf")
    assert schema.objects["comparison_responses"].value == "answer1,answer2"
    first, second = import_rows("label-studio", schema, body)
    assert first["data"]["answer1,answer2"] == [
        {"id": "answer1", "text": "DNS maps names to IP addresses."},
        {"id": "answer2", "text": "It is a kind of database, I think."},
    ]
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
