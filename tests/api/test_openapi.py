from __future__ import annotations

from fastapi.testclient import TestClient


def test_openapi_lists_the_fixed_surface(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/users",
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/schema",
        "/api/v1/projects/{project_id}/guidelines",
        "/api/v1/projects/{project_id}/members",
        "/api/v1/projects/{project_id}/members/{user_id}",
        "/api/v1/projects/{project_id}/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/projects/{project_id}/predictions",
        "/api/v1/tasks/{task_id}/predictions",
        "/api/v1/tasks/{task_id}/annotations",
        "/api/v1/annotations/{annotation_id}",
        "/api/v1/media",
        "/api/v1/media/{sha256}",
        "/api/v1/projects/{project_id}/export",
        "/api/v1/audit",
        "/api/v1/projects/{project_id}/next",
        "/api/v1/assignments/{assignment_id}/submit",
    ):
        assert path in paths, path
    problem = spec["paths"]["/api/v1/projects/{project_id}"]["get"]["responses"]["404"]
    assert problem["content"]["application/json"]["schema"]["$ref"].endswith("/Problem")


def test_docs_page_loads_its_assets_locally(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page.split("openapi")[0]
    assert client.get("/api/v1/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs-assets/swagger-ui.css").status_code == 200


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"
