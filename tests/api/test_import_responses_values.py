"""Plain JSONL tasks for a Label Studio Pairwise project: one data key per response."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from labelwright.formats.label_studio_config import parse_label_config
from labelwright.services.context import Platform
from tests.builders import import_jsonl, make_project, make_user

CONFIG = Path(__file__).parents[1] / "formats" / "fixtures" / "label_studio" / "pairwise_rlhf.xml"


def test_plain_jsonl_tasks_import_and_export_as_preference_pairs(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    schema = parse_label_config(CONFIG.read_text()).to_json()
    pid = make_project(platform, user, schema=schema).id
    rows = [
        {"prompt": "Capital of France?", "answer1": "Paris.", "answer2": "Lyon."},
        {
            "data": {"prompt": "2 + 2?", "answer1": "5", "answer2": "4"},
            "annotations": [{"results": {"comparison": {"choice": "b", "strength": 2}}}],
        },
    ]
    made = import_jsonl(client, user, pid, rows)
    assert made.status_code == 201, made.text
    first = made.json()["first_id"]
    stored = client.get(f"/api/v1/tasks/{first}", headers=user.headers).json()
    assert stored["data"] == rows[0]  # the task data is kept as it came
    labeled = client.post(
        f"/api/v1/tasks/{first}/annotations",
        json={"results": {"comparison": {"choice": "a"}}},
        headers=user.headers,
    )
    assert labeled.status_code == 201, labeled.text
    pairs = client.get(
        f"/api/v1/projects/{pid}/export",
        params={"format": "preference-pairs"},
        headers=user.headers,
    )
    lines = [json.loads(x) for x in pairs.text.splitlines()]
    assert [(p["prompt"], p["chosen"], p["rejected"], p["margin"]) for p in lines] == [
        ("Capital of France?", "Paris.", "Lyon.", 0),
        ("2 + 2?", "4", "5", 2),
    ]


def test_a_task_missing_a_response_key_is_refused_naming_it(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    schema = parse_label_config(CONFIG.read_text()).to_json()
    pid = make_project(platform, user, schema=schema).id
    refused = import_jsonl(client, user, pid, [{"prompt": "Hi", "answer1": "Hello"}])
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"line": 1, "error": "data has no 'answer2' for object 'comparison_responses'"}
    ]
    bad = {
        "data": {"prompt": "Hi", "answer1": "Hello", "answer2": ["Hey"]},
        "annotations": [{"results": {"comparison": {"choice": "a"}}}],
    }
    refused = import_jsonl(client, user, pid, [bad])
    assert refused.status_code == 422
    assert "the response under 'answer2' must be a string, got list" in refused.text
