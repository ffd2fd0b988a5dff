from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from labelwright.domain import parse_schema, rle_encode
from tests.formats.conftest import export_bytes, import_errors, import_rows, make_task

SCHEMA = parse_schema(
    {
        "objects": {"photo": {"type": "image"}},
        "controls": [
            {"name": "objects", "type": "boxes", "of": "photo", "labels": ["car", "person"]},
            {"name": "outlines", "type": "polygons", "of": "photo", "labels": ["road"]},
            {"name": "masks", "type": "masks", "of": "photo", "labels": ["sky"]},
            {
                "name": "pose",
                "type": "keypoints",
                "of": "photo",
                "labels": ["head", "hand"],
                "skeleton": [["head", "hand"]],
            },
        ],
    }
)


def _mask(height: int, width: int, top: int, left: int, size: int) -> dict[str, Any]:
    mask = np.zeros((height, width), dtype=np.uint8)
    mask[top : top + size, left : left + size] = 1
    return rle_encode(mask)


def _tasks() -> list[Any]:
    tasks = []
    for i in range(1, 6):
        data = {"photo": {"src": f"images/img{i}.jpg", "width": 64, "height": 48}}
        results = {
            "objects": [
                {"x": 1.5 * i, "y": 2, "w": 10, "h": 12, "label": "car"},
                {"x": 30, "y": 20, "w": 8 + i, "h": 9, "label": "person"},
            ],
            "outlines": [{"points": [[0, 0], [20, 0], [20, 10 + i]], "label": "road"}],
            "masks": [{"rle": _mask(48, 64, i, 2 * i, 7), "label": "sky"}],
            "pose": [
                {"x": 5, "y": 6, "label": "head"},
                {"x": 9, "y": 12, "label": "hand", "visible": False},
            ],
        }
        tasks.append(make_task(i, data, results, schema=SCHEMA, meta={"n": i}))
    tasks.append(
        make_task(
            6, {"photo": {"src": "empty.jpg", "width": 10, "height": 10}}, None, schema=SCHEMA
        )
    )
    return tasks


@pytest.fixture
def coco_file(tmp_path: Path) -> Path:
    path = tmp_path / "coco.json"
    path.write_bytes(export_bytes("coco", SCHEMA, _tasks()))
    return path


def _self_eval(gt: COCO, iou_type: str) -> float:
    """AP of the ground truth scored against itself, over the categories it has for the type."""
    annotations = gt.dataset["annotations"]
    if iou_type == "segm":
        annotations = [a for a in annotations if a.get("segmentation")]
    elif iou_type == "keypoints":
        annotations = [a for a in annotations if "keypoints" in a]
    evaluation = COCOeval(gt, gt.loadRes([dict(a, score=1.0) for a in annotations]), iou_type)
    evaluation.params.catIds = sorted({a["category_id"] for a in annotations})
    if iou_type == "keypoints":
        evaluation.params.kpt_oks_sigmas = np.array([0.5, 0.5])
    evaluation.evaluate()
    evaluation.accumulate()
    evaluation.summarize()
    return float(evaluation.stats[0])


@pytest.mark.parametrize("iou_type", ["bbox", "segm", "keypoints"])
def test_pycocotools_self_evaluation_gives_ap_one(coco_file: Path, iou_type: str) -> None:
    gt = COCO(str(coco_file))
    assert len(gt.getImgIds()) == 6
    assert _self_eval(gt, iou_type) == pytest.approx(1.0)


def test_coco_masks_decode_to_the_same_pixels(coco_file: Path) -> None:
    gt = COCO(str(coco_file))
    category = gt.getCatIds(catNms=["sky"])[0]
    annotation = gt.loadAnns(gt.getAnnIds(imgIds=[3], catIds=[category]))[0]
    mask = gt.annToMask(annotation)
    assert mask.sum() == 49 and mask[3, 6] == 1 and annotation["bbox"] == [6.0, 3.0, 7.0, 7.0]


def test_coco_round_trip_restores_data_and_results(coco_file: Path) -> None:
    tasks = _tasks()
    rows = import_rows("coco", SCHEMA, coco_file.read_bytes())
    assert [r["data"] for r in rows] == [t.data for t in tasks]
    assert [r["meta"] for r in rows] == [t.meta for t in tasks]
    assert [r["results"] for r in rows] == [[dict(a.results) for a in t.annotations] for t in tasks]


def test_plain_coco_file_without_labelwright_keys_imports() -> None:
    body = {
        "images": [{"id": 7, "file_name": "a.jpg", "width": 100, "height": 50}],
        "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "road"}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 2, 3, 4]},
            {
                "id": 2,
                "image_id": 7,
                "category_id": 2,
                "bbox": [0, 0, 5, 5],
                "segmentation": [[0, 0, 5, 0, 5, 5]],
            },
        ],
    }
    [row] = import_rows("coco", SCHEMA, json.dumps(body).encode())
    assert row["data"] == {"photo": {"src": "a.jpg", "width": 100, "height": 50}}
    assert row["results"][0]["objects"][0] | {"id": None} == {
        "id": None,
        "x": 1,
        "y": 2,
        "w": 3,
        "h": 4,
        "label": "car",
    }
    assert row["results"][0]["outlines"][0]["points"] == [[0, 0], [5, 0], [5, 5]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(images="x"), "'images' must be a list"),
        (
            lambda d: d["annotations"][0].update(category_id=9),
            "annotation 1: unknown category_id 9",
        ),
        (lambda d: d["annotations"][0].update(image_id=99), "annotation 1 refers to image 99"),
        (lambda d: d["annotations"][0].update(bbox=[90, 0, 20, 5]), "lies outside the image"),
        (
            lambda d: (
                d["categories"].append({"id": 3, "name": "tree"})
                or d["annotations"][0].update(category_id=3)
            ),
            "'tree' is not a label",
        ),
    ],
)
def test_bad_coco_input_names_the_problem(change: Any, expected: str) -> None:
    body: dict[str, Any] = {
        "images": [{"id": 7, "file_name": "a.jpg", "width": 100, "height": 50}],
        "categories": [{"id": 1, "name": "car"}],
        "annotations": [{"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 2, 3, 4]}],
    }
    change(body)
    problems = import_errors("coco", SCHEMA, json.dumps(body).encode())
    assert problems and expected in problems[0]


def test_malformed_json_is_refused_whole() -> None:
    assert "not valid JSON" in import_errors("coco", SCHEMA, b'{"images": [')[0]
