from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from pycocotools.coco import COCO

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user

IMAGE_SCHEMA: dict[str, Any] = {
    "objects": {"photo": {"type": "image"}},
    "controls": [
        {"name": "objects", "type": "boxes", "of": "photo", "labels": ["car", "person"]},
        {"name": "kind", "type": "choice", "of": "photo", "options": ["street", "park"]},
    ],
}


def _box(x: float, label: str = "car") -> dict[str, Any]:
    return {"x": x, "y": 1, "w": 5, "h": 5, "label": label}


def _image_project(client: TestClient, platform: Platform) -> tuple[MadeUser, int]:
    user = make_user(platform)
    pid = make_project(platform, user, schema=IMAGE_SCHEMA).id
    rows = [
        {
            "data": {"photo": {"src": f"img{i}.jpg", "width": 64, "height": 48}},
            "annotations": [
                {"results": {"objects": [_box(i), _box(20, "person")], "kind": "park"}}
            ],
        }
        for i in range(3)
    ]
    rows.append({"data": {"photo": {"src": "empty.jpg", "width": 10, "height": 10}}})
    assert import_jsonl(client, user, pid, rows).status_code == 201
    return user, pid


def _export(client: TestClient, user: MadeUser, pid: int, **params: str) -> Any:
    return client.get(f"/api/v1/projects/{pid}/export", params=params, headers=user.headers)


def test_coco_export_loads_in_pycocotools_and_is_audited(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    user, pid = _image_project(client, platform)
    response = _export(client, user, pid, format="coco")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert f'project-{pid}.json"' in response.headers["content-disposition"]
    path = tmp_path / "coco.json"
    path.write_bytes(response.content)
    coco = COCO(str(path))
    assert len(coco.getImgIds()) == 4 and len(coco.getAnnIds()) == 6
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["car", "person"]
    events = client.get(
        "/api/v1/audit",
        headers=user.headers,
        params={"project_id": pid, "action": "project.export"},
    ).json()["items"]
    assert events[-1]["payload"]["format"] == "coco@1" and events[-1]["payload"]["tasks"] == 4
    assert events[-1]["payload"]["annotations"] == "final"


def test_zip_formats_stream_valid_archives(client: TestClient, platform: Platform) -> None:
    user, pid = _image_project(client, platform)
    for fmt, member in (
        ("yolo-detect", "data.yaml"),
        ("voc", "Annotations/img0.xml"),
        ("hf-dataset", "README.md"),
    ):
        response = _export(client, user, pid, format=fmt)
        assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        assert member in archive.namelist()
    parquet = _export(client, user, pid, format="parquet")
    assert parquet.status_code == 200 and parquet.content[:4] == b"PAR1"


def test_media_sizes_come_from_the_media_store(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = make_project(platform, user, schema=IMAGE_SCHEMA).id
    image = io.BytesIO()
    Image.new("RGB", (40, 30)).save(image, format="PNG")
    media = client.post(
        "/api/v1/media",
        files={"file": ("cat.png", image.getvalue(), "image/png")},
        headers=user.headers,
    ).json()
    rows = [{"data": {"photo": media["ref"]}, "annotations": [{"results": {"objects": [_box(1)]}}]}]
    assert import_jsonl(client, user, pid, rows).status_code == 201
    coco = _export(client, user, pid, format="coco").json()
    assert (coco["images"][0]["width"], coco["images"][0]["height"]) == (40, 30)
    yolo = zipfile.ZipFile(io.BytesIO(_export(client, user, pid, format="yolo-detect").content))
    assert [n for n in yolo.namelist() if n.startswith("labels/")] == [
        f"labels/task-{coco['images'][0]['id']}.txt"
    ]


def test_final_all_and_history_selections(client: TestClient, platform: Platform) -> None:
    manager, other = make_user(platform), make_user(platform)
    pid = make_project(platform, manager, schema=IMAGE_SCHEMA).id
    add_member(platform, manager, pid, other, "annotator")
    task_id = import_jsonl(
        client, manager, pid, [{"data": {"photo": {"src": "a.jpg", "width": 64, "height": 48}}}]
    ).json()["first_id"]
    url = f"/api/v1/tasks/{task_id}/annotations"
    first = client.post(url, json={"results": {"kind": "street"}}, headers=manager.headers).json()
    client.post(
        url, json={"results": {"kind": "park"}, "parent_id": first["id"]}, headers=manager.headers
    )
    client.post(
        url, json={"results": {"kind": "street", "objects": [_box(3)]}}, headers=other.headers
    )

    def kinds(selection: str | None) -> list[tuple[str, str]]:
        params = {"format": "jsonl", **({"annotations": selection} if selection else {})}
        [line] = [json.loads(x) for x in _export(client, manager, pid, **params).text.splitlines()]
        return [(a["results"]["kind"], a["status"]) for a in line["annotations"]]

    history = [("street", "superseded"), ("park", "submitted"), ("street", "submitted")]
    assert kinds(None) == history and kinds("history") == history
    assert kinds("all") == [("park", "submitted"), ("street", "submitted")]
    # The workflow made the first annotation final, and its correction replaced it.
    assert kinds("final") == [("park", "submitted")]
    task = client.get(f"/api/v1/tasks/{task_id}", headers=manager.headers).json()
    assert task["final_path"] == "correction"
    assert _export(client, manager, pid, format="coco").json()["annotations"] == []
    everyone = _export(client, manager, pid, format="coco", annotations="all").json()
    assert len(everyone["annotations"]) == 1
    assert _export(client, manager, pid, format="csv", annotations="all").text.count("\n") == 3


def test_since_exports_only_tasks_changed_after_the_time(
    client: TestClient, platform: Platform
) -> None:
    user, pid = _image_project(client, platform)
    time.sleep(0.05)
    cut = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    tasks = client.get(f"/api/v1/projects/{pid}/tasks", headers=user.headers).json()["items"]
    client.post(
        f"/api/v1/tasks/{tasks[1]['id']}/annotations",
        json={"results": {"kind": "street"}},
        headers=user.headers,
    )
    import_jsonl(
        client, user, pid, [{"data": {"photo": {"src": "new.jpg", "width": 5, "height": 5}}}]
    )
    lines = [
        json.loads(x)
        for x in _export(client, user, pid, format="jsonl", since=cut).text.splitlines()
    ]
    assert [line["data"]["photo"]["src"] for line in lines] == ["img1.jpg", "new.jpg"]
    assert _export(client, user, pid, since="2999-01-01T00:00:00").text == ""
    naive = _export(client, user, pid, format="jsonl", since="2000-01-01T00:00:00")
    assert len(naive.text.splitlines()) == 5


def test_unknown_or_unfit_formats_are_refused_before_streaming(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    pid = make_project(platform, user).id
    unknown = _export(client, user, pid, format="xml")
    assert unknown.status_code == 422 and "coco" in unknown.json()["detail"]
    unfit = _export(client, user, pid, format="coco")
    assert (
        unfit.status_code == 422
        and "Format 'coco' needs a schema with an image object" in unfit.json()["detail"]
    )
    bad_selection = _export(client, user, pid, annotations="some")
    assert bad_selection.status_code == 422


def test_text_project_exports_to_training_formats(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = make_project(platform, user).id
    rows = [
        {
            "data": {"text": "Ada met Bob"},
            "annotations": [
                {
                    "results": {
                        "sentiment": "positive",
                        "entities": [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}],
                    }
                }
            ],
        }
    ]
    import_jsonl(client, user, pid, rows)
    conll = _export(client, user, pid, format="conll-iob2").text
    assert conll == "-DOCSTART- O\n\nAda B-PER\nmet O\nBob O\n\n"
    assert (
        _export(client, user, pid, format="classification-csv").text.splitlines()[1]
        == "Ada met Bob,positive"
    )
    studio = _export(client, user, pid, format="label-studio").json()
    assert studio[0]["annotations"][0]["result"][0]["value"] == {"choices": ["positive"]}
