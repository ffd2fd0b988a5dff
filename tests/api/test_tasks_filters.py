"""Data browser filters: tasks by annotator and by label (every value shape that has labels)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user

SCHEMA: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg"]},
        {"name": "topics", "type": "choices", "of": "text", "options": ["pos", "sport", "news"]},
        {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG"]},
        {"name": "links", "type": "relations", "between": ["entities"], "labels": ["works_at"]},
        {"name": "note", "type": "textarea", "of": "text"},
    ],
}
TEXT = "Ann works at Acme, pos"


def _span(ident: str, start: int, end: int, label: str) -> dict[str, Any]:
    return {"id": ident, "start": start, "end": end, "text": TEXT[start:end], "label": label}


def _setup(client: TestClient, platform: Platform) -> tuple[MadeUser, MadeUser, int, list[int]]:
    manager = make_user(platform, prefix="mgr")
    other = make_user(platform, prefix="ann")
    pid = make_project(platform, manager, schema=SCHEMA).id
    add_member(platform, manager, pid, other, "manager")
    created = import_jsonl(client, manager, pid, [{"text": TEXT} for _ in range(5)]).json()
    ids = list(range(created["first_id"], created["last_id"] + 1))
    return manager, other, pid, ids


def _annotate(client: TestClient, user: MadeUser, task_id: int, results: dict[str, Any]) -> int:
    answer = client.post(
        f"/api/v1/tasks/{task_id}/annotations", json={"results": results}, headers=user.headers
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _ids(client: TestClient, user: MadeUser, pid: int, **params: Any) -> list[int]:
    answer = client.get(f"/api/v1/projects/{pid}/tasks", headers=user.headers, params=params)
    assert answer.status_code == 200, answer.text
    return [t["id"] for t in answer.json()["items"]]


def test_filter_by_label_finds_choice_choices_spans_and_relations(
    client: TestClient, platform: Platform
) -> None:
    manager, _, pid, (t1, t2, t3, t4, t5) = _setup(client, platform)
    _annotate(client, manager, t1, {"sentiment": "pos"})
    _annotate(client, manager, t2, {"topics": ["sport", "pos"]})
    _annotate(client, manager, t3, {"entities": [_span("s1", 0, 3, "PER")]})
    _annotate(
        client,
        manager,
        t4,
        {
            "entities": [_span("s1", 0, 3, "PER"), _span("s2", 13, 17, "ORG")],
            "links": [{"from": "s1", "to": "s2", "label": "works_at"}],
        },
    )
    # free text that contains a label's name is not a label
    _annotate(client, manager, t5, {"note": "pos PER ORG works_at"})

    assert _ids(client, manager, pid, label="pos") == [t1, t2]
    assert _ids(client, manager, pid, label="pos", control="topics") == [t2]
    assert _ids(client, manager, pid, label="pos", control="sentiment") == [t1]
    assert _ids(client, manager, pid, label="PER") == [t3, t4]
    assert _ids(client, manager, pid, label="ORG") == [t4]
    assert _ids(client, manager, pid, label="works_at") == [t4]
    assert _ids(client, manager, pid, label="news") == []
    # combined with the other filters and paginated
    first = client.get(
        f"/api/v1/projects/{pid}/tasks",
        headers=manager.headers,
        params={"label": "PER", "limit": 1},
    ).json()
    assert [t["id"] for t in first["items"]] == [t3]
    assert _ids(client, manager, pid, label="PER", cursor=first["next_cursor"]) == [t4]


def test_filter_by_annotator_and_by_annotator_with_label(
    client: TestClient, platform: Platform
) -> None:
    manager, other, pid, (t1, t2, t3, _, _) = _setup(client, platform)
    _annotate(client, manager, t1, {"sentiment": "pos"})
    _annotate(client, other, t1, {"sentiment": "neg"})
    _annotate(client, other, t2, {"sentiment": "pos"})
    gone = _annotate(client, other, t3, {"sentiment": "pos"})
    assert client.delete(f"/api/v1/annotations/{gone}", headers=other.headers).status_code == 204

    mine = manager.actor.id
    theirs = other.actor.id
    assert _ids(client, manager, pid, annotator=mine) == [t1]
    assert _ids(client, manager, pid, annotator=theirs) == [t1, t2]  # deleted ones do not count
    # the same annotation must be by that user and carry the label
    assert _ids(client, manager, pid, annotator=theirs, label="pos") == [t2]
    assert _ids(client, manager, pid, annotator=mine, label="neg") == []
    assert _ids(client, manager, pid, annotator=theirs, label="neg", state="done") == [t1]


def test_unknown_label_or_control_is_a_422_naming_the_known_ones(
    client: TestClient, platform: Platform
) -> None:
    manager, _, pid, _ = _setup(client, platform)
    url = f"/api/v1/projects/{pid}/tasks"
    answer = client.get(url, headers=manager.headers, params={"label": "LOC"})
    assert answer.status_code == 422
    assert "'LOC' is not a label" in answer.json()["detail"]
    assert "ORG, PER" in answer.json()["detail"]
    answer = client.get(url, headers=manager.headers, params={"label": "pos", "control": "note"})
    assert answer.status_code == 422 and "not a labeled control" in answer.json()["detail"]
    answer = client.get(url, headers=manager.headers, params={"control": "topics"})
    assert answer.status_code == 422 and "needs a label" in answer.json()["detail"]
    answer = client.get(url, headers=manager.headers, params={"annotator": "x"})
    assert answer.status_code == 422
