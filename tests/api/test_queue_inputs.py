"""Bad input to the two hot queue endpoints, which the queue's fast path passes on to the app,
gets the 422 problem of a declared parameter and claims or stores nothing; the API schema
documents both endpoints."""

from __future__ import annotations

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from labelwright.store.models import Annotation, Assignment
from tests.api.test_queue import Team


def _count(platform: Platform, model: type, project_id: int) -> int:
    with platform.db.session() as session:
        return session.query(model).filter(model.project_id == project_id).count()


def test_bad_query_of_next_is_a_422_problem_and_claims_nothing(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=2)
    ann = team.member("ann", "annotator")
    url = f"/api/v1/projects/{team.project_id}/next"
    for params in ({"stage": "nope"}, {"prefetch": "maybe"}):
        answer = client.post(url, params=params, headers=ann.headers)
        assert answer.status_code == 422, params
        problem = answer.json()
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert problem["type"] == "/problems/invalid"
        assert problem["errors"][0]["loc"][0] == "query"
        assert problem["errors"][0]["loc"][1] in params
    assert _count(platform, Assignment, team.project_id) == 0
    assert client.post(url, headers=ann.headers).status_code == 200
    assert client.post(url, params={"prefetch": "true"}, headers=ann.headers).status_code == 200
    assert _count(platform, Assignment, team.project_id) == 2  # the task and the one to load next
    assert client.post("/api/v1/projects/abc/next", headers=ann.headers).status_code == 422


def test_bad_body_of_submit_is_a_422_problem_and_stores_nothing(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=1)
    ann = team.member("ann", "annotator")
    served = team.next(ann)
    assert served is not None
    url = f"/api/v1/assignments/{served['assignment']['id']}/submit"
    for body, where in (
        (b"{not json", "body"),
        (b'{"results": {"label": "a"}, "lead_time_ms": -5}', "lead_time_ms"),
        (b'{"results": "a"}', "results"),
        (b"", "body"),
    ):
        answer = client.post(
            url, content=body, headers={**ann.headers, "Content-Type": "application/json"}
        )
        assert answer.status_code == 422, body
        locations = [e["loc"] for e in answer.json()["errors"]]
        assert locations[0][0] == "body" and where in locations[0], locations
    assert _count(platform, Annotation, team.project_id) == 0
    assert team.submit(ann, served, results={"label": "a"}).status_code == 200
    assert _count(platform, Annotation, team.project_id) == 1


def test_schema_documents_the_hot_endpoints_parameters_and_body(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    claim = spec["paths"]["/api/v1/projects/{project_id}/next"]["post"]
    parameters = {p["name"]: p for p in claim["parameters"]}
    assert parameters["project_id"]["in"] == "path"
    assert parameters["stage"]["in"] == "query"
    assert parameters["stage"]["schema"]["enum"] == ["label", "review", "adjudicate"]
    assert parameters["prefetch"]["schema"]["type"] == "boolean"
    answer = claim["responses"]["200"]["content"]["application/json"]["schema"]
    assert "NextOut" in answer["$ref"]
    submit = spec["paths"]["/api/v1/assignments/{assignment_id}/submit"]["post"]
    body = submit["requestBody"]["content"]["application/json"]["schema"]
    fields = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"results", "lead_time_ms", "verdict", "choose_annotation_id"} <= set(fields)
    assert (
        "SubmitOut" in submit["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    )
