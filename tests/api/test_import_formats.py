from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from labelwright.formats.label_studio_config import parse_label_config
from labelwright.services.context import Platform
from tests.api.test_export_formats import IMAGE_SCHEMA, _image_project
from tests.builders import MadeUser, make_project, make_user

FIXTURES = Path(__file__).parents[1] / "formats" / "fixtures" / "label_studio"


def _post(client: TestClient, user: MadeUser, pid: int, body: bytes, **params: str) -> Any:
    return client.post(
        f"/api/v1/projects/{pid}/tasks",
        content=body,
        params=params,
        headers={**user.headers, "Content-Type": "application/octet-stream"},
    )


def _tasks(client: TestClient, user: MadeUser, pid: int) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/projects/{pid}/tasks", headers=user.headers).json()["items"]


def _coco() -> dict[str, Any]:
    return {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 64, "height": 48},
            {"id": 2, "file_name": "b.jpg", "width": 64, "height": 48},
        ],
        "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "person"}],
        "annotations": [
            {"id": 10, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
            {"id": 11, "image_id": 2, "category_id": 2, "bbox": [2, 2, 4, 4]},
        ],
    }


def test_coco_import_stores_tasks_with_imported_annotations(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    pid = make_project(platform, user, schema=IMAGE_SCHEMA).id
    response = _post(client, user, pid, json.dumps(_coco()).encode(), format="coco")
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 2
    tasks = _tasks(client, user, pid)
    assert tasks[0]["data"] == {"photo": {"src": "a.jpg", "width": 64, "height": 48}}
    annotations = client.get(
        f"/api/v1/tasks/{tasks[1]['id']}/annotations", headers=user.headers
    ).json()
    assert annotations[0]["origin"] == "import"
    assert annotations[0]["results"]["objects"][0]["label"] == "person"


def test_bad_coco_annotation_stores_nothing_and_skip_reports_it(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    pid = make_project(platform, user, schema=IMAGE_SCHEMA).id
    body = _coco()
    body["annotations"][1]["bbox"] = [60, 2, 10, 4]
    refused = _post(client, user, pid, json.dumps(body).encode(), format="coco")
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (
        error["line"] == 2
        and "annotation 11" in error["error"]
        and "outside the image" in error["error"]
    )
    assert _tasks(client, user, pid) == []
    skipped = _post(client, user, pid, json.dumps(body).encode(), format="coco", on_error="skip")
    assert skipped.status_code == 201 and skipped.json()["created"] == 1
    assert skipped.json()["rejected_count"] == 1


def test_malformed_files_are_refused_whole(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = make_project(platform, user, schema=IMAGE_SCHEMA).id
    broken = _post(client, user, pid, b'{"images": [', format="coco", on_error="skip")
    assert broken.status_code == 422 and "not valid JSON" in broken.json()["detail"]
    not_zip = _post(client, user, pid, b"hello", format="yolo-detect")
    assert not_zip.status_code == 422 and "zip" in not_zip.json()["detail"]
    unknown = _post(client, user, pid, b"{}", format="tiff")
    assert unknown.status_code == 422 and "coco" in unknown.json()["detail"]
    text_only = make_project(platform, user).id
    unfit = _post(client, user, text_only, b"{}", format="coco")
    assert unfit.status_code == 422 and "image object" in unfit.json()["detail"]
    assert _tasks(client, user, pid) == []


def test_yolo_zip_round_trips_through_the_api(client: TestClient, platform: Platform) -> None:
    user, pid = _image_project(client, platform)
    exported = client.get(
        f"/api/v1/projects/{pid}/export", params={"format": "yolo-detect"}, headers=user.headers
    ).content
    target = make_project(platform, user, schema=IMAGE_SCHEMA).id
    response = _post(client, user, target, exported, format="yolo-detect")
    assert response.status_code == 201 and response.json()["created"] == 4
    assert [t["data"] for t in _tasks(client, user, target)] == [
        t["data"] for t in _tasks(client, user, pid)
    ]
    bad = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(bad, "w") as copy:
        for name in source.namelist():
            body = source.read(name)
            copy.writestr(
                name, body + b"0 0.5 0.5 0.1 0.1 7\n" if name == "labels/img1.txt" else body
            )
    refused = _post(client, user, target, bad.getvalue(), format="yolo-detect")
    assert refused.status_code == 422
    assert "labels/img1.txt line 3: expected 5 values" in refused.json()["errors"][0]["error"]
    assert len(_tasks(client, user, target)) == 4


def test_label_studio_export_migrates_into_a_project_from_its_config(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    schema = parse_label_config((FIXTURES / "text.xml").read_text()).to_json()
    pid = make_project(platform, user, schema=schema).id
    tasks = json.loads((FIXTURES / "text.json").read_text())
    assert tasks[0]["predictions"] == [1]  # Label Studio's JSON export lists prediction ids only
    tasks[0]["predictions"] = [
        {
            "model_version": "ner@1",
            "score": 0.5,
            "result": [
                {
                    "id": "p1",
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": 0, "end": 3, "text": "Ada", "labels": ["PER"]},
                }
            ],
        }
    ]
    response = _post(client, user, pid, json.dumps(tasks).encode(), format="label-studio")
    assert response.status_code == 201, response.text
    first = _tasks(client, user, pid)[0]
    [annotation] = client.get(
        f"/api/v1/tasks/{first['id']}/annotations", headers=user.headers
    ).json()
    assert annotation["results"]["sentiment"] == "positive"
    [prediction] = client.get(
        f"/api/v1/tasks/{first['id']}/predictions", headers=user.headers
    ).json()
    assert prediction["origin"] == "model:ner@1" and prediction["score"] == 0.5


def test_jsonl_export_imports_back_to_the_same_tasks(
    client: TestClient, platform: Platform
) -> None:
    user, pid = _image_project(client, platform)
    exported = client.get(f"/api/v1/projects/{pid}/export", headers=user.headers).content
    target = make_project(platform, user, schema=IMAGE_SCHEMA).id
    assert _post(client, user, target, exported, format="jsonl").status_code == 201
    again = client.get(f"/api/v1/projects/{target}/export", headers=user.headers).content

    def strip(body: bytes) -> list[Any]:
        lines = [json.loads(x) for x in body.splitlines()]
        return [(x["data"], x["meta"], [a["results"] for a in x["annotations"]]) for x in lines]

    assert strip(again) == strip(exported)
