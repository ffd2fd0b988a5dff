from __future__ import annotations

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import make_user


def test_login_sets_a_session_cookie_that_authenticates(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    response = client.post(
        "/api/v1/auth/login", json={"email": user.actor.email, "password": user.password}
    )
    assert response.status_code == 200
    assert response.json()["user"]["email"] == user.actor.email
    assert "lw_session" in response.cookies
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["id"] == user.actor.id
    assert client.post("/api/v1/auth/logout").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/me").status_code == 401


def test_logged_out_session_token_no_longer_works(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    client.post("/api/v1/auth/login", json={"email": user.actor.email, "password": user.password})
    token = client.cookies.get("lw_session")
    client.post("/api/v1/auth/logout")
    client.cookies.clear()
    client.cookies.set("lw_session", token or "")
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()


def test_wrong_password_is_a_401_problem(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    response = client.post(
        "/api/v1/auth/login", json={"email": user.actor.email, "password": "nope-nope"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "/problems/unauthenticated" and body["status"] == 401
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "ghost@example.org", "password": "x" * 10}
    )
    assert unknown.status_code == 401


def test_api_token_create_use_and_revoke(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    created = client.post("/api/v1/tokens", headers=user.headers, json={"name": "ci"})
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "token"}
    headers = {"Authorization": f"Token {body['token']}"}
    assert client.get("/api/v1/me", headers=headers).json()["email"] == user.actor.email
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=user.headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client: TestClient, platform: Platform) -> None:
    alice, bob = make_user(platform), make_user(platform)
    token_id = client.post("/api/v1/tokens", headers=alice.headers).json()["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bob.headers).status_code == 404


def test_tokens_are_stored_hashed(client: TestClient, platform: Platform) -> None:
    from sqlalchemy import select

    from labelwright.store.models import ApiToken

    user = make_user(platform)
    with platform.db.session() as session:
        stored = session.scalars(
            select(ApiToken.token_sha256).where(ApiToken.user_id == user.actor.id)
        ).all()
    assert user.token not in stored
    assert all(len(s) == 64 for s in stored)


def test_missing_or_malformed_credentials_are_401(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Token nope"}).status_code == 401


def test_admin_creates_users_and_others_cannot(client: TestClient, platform: Platform) -> None:
    admin, plain = make_user(platform, admin=True), make_user(platform)
    body = {"email": "New.Person@Example.org", "password": "long-enough-pw"}
    assert client.post("/api/v1/users", json=body, headers=plain.headers).status_code == 403
    created = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert created.status_code == 201 and created.json()["email"] == "new.person@example.org"
    assert client.post("/api/v1/users", json=body, headers=admin.headers).status_code == 409
    short = client.post(
        "/api/v1/users", json={"email": "x@y.z", "password": "short"}, headers=admin.headers
    )
    assert short.status_code == 422 and short.json()["errors"][0]["loc"] == ["password"]
    listed = client.get("/api/v1/users", headers=admin.headers, params={"limit": 1000}).json()[
        "items"
    ]
    assert "new.person@example.org" in {u["email"] for u in listed}
    assert client.get("/api/v1/users", headers=plain.headers).status_code == 403
