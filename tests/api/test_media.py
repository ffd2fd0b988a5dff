from __future__ import annotations

import hashlib
import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user

IMAGE_SCHEMA = {
    "objects": {"image": {"type": "image"}},
    "controls": [{"name": "objects", "type": "boxes", "of": "image", "labels": ["car"]}],
}


def _png(width: int = 64, height: int = 48, color: tuple[int, int, int] = (10, 20, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(
    client: TestClient, user: MadeUser, data: bytes, name: str = "a.png"
) -> dict[str, object]:
    response = client.post(
        "/api/v1/media", files={"file": (name, data, "image/png")}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_upload_is_content_addressed_and_deduplicated(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    data = _png()
    first = _upload(client, user, data)
    second = _upload(client, user, data, "copy.png")
    assert first["sha256"] == second["sha256"] == hashlib.sha256(data).hexdigest()
    assert first["ref"] == f"media:{first['sha256']}"
    assert (first["width"], first["height"], first["mime"]) == (64, 48, "image/png")
    assert client.get(f"/api/v1/media/{first['sha256']}", headers=user.headers).content == data


def test_media_is_visible_to_project_members_only(client: TestClient, platform: Platform) -> None:
    owner, member, stranger = make_user(platform), make_user(platform), make_user(platform)
    media = _upload(client, owner, _png(color=(1, 2, 3)))
    project = make_project(platform, owner, schema=IMAGE_SCHEMA)
    add_member(platform, owner, project.id, member, "annotator")
    sha = media["sha256"]
    assert client.get(f"/api/v1/media/{sha}", headers=member.headers).status_code == 404
    import_jsonl(client, owner, project.id, [{"image": media["ref"]}])
    assert client.get(f"/api/v1/media/{sha}", headers=member.headers).status_code == 200
    assert client.get(f"/api/v1/media/{sha}", headers=stranger.headers).status_code == 404
    assert client.get(f"/api/v1/media/{sha}").status_code == 401


def test_task_cannot_refer_to_media_the_importer_may_not_use(
    client: TestClient, platform: Platform
) -> None:
    owner, thief = make_user(platform), make_user(platform)
    media = _upload(client, owner, _png(color=(9, 9, 9)))
    project = make_project(platform, thief, schema=IMAGE_SCHEMA)
    response = import_jsonl(client, thief, project.id, [{"image": media["ref"]}])
    assert response.status_code == 422
    assert "not stored or you may not use it" in response.json()["errors"][0]["error"]
    assert client.get(f"/api/v1/media/{media['sha256']}", headers=thief.headers).status_code == 404


def test_box_outside_a_known_image_size_is_refused(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    media = _upload(client, user, _png(100, 50, (5, 6, 7)))
    project = make_project(platform, user, schema=IMAGE_SCHEMA)
    task_id = import_jsonl(client, user, project.id, [{"image": media["ref"]}]).json()["first_id"]
    inside = {"objects": [{"x": 10, "y": 10, "w": 80, "h": 30, "label": "car"}]}
    outside = {"objects": [{"x": 10, "y": 10, "w": 95, "h": 30, "label": "car"}]}
    ok = client.post(
        f"/api/v1/tasks/{task_id}/annotations", json={"results": inside}, headers=user.headers
    )
    assert ok.status_code == 201, ok.text
    refused = client.post(
        f"/api/v1/tasks/{task_id}/annotations", json={"results": outside}, headers=user.headers
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["index"] == 0


def test_signed_url_is_bound_to_user_and_expires(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    media = _upload(client, user, _png(color=(4, 4, 4)))
    url = client.get(f"/api/v1/media/{media['sha256']}/url", headers=user.headers).json()["url"]
    assert client.get(url).status_code == 200
    tampered = url.replace(f"user={user.actor.id}", f"user={(user.actor.id or 0) + 1}")
    assert client.get(tampered).status_code == 404
    expired = url.split("&expires=")[0] + "&expires=1&sig=" + url.split("&sig=")[1]
    assert client.get(expired).status_code == 404


def test_every_uploader_of_the_same_bytes_may_use_them_and_others_may_not(
    client: TestClient, platform: Platform
) -> None:
    first, second, stranger = make_user(platform), make_user(platform), make_user(platform)
    data = _png(color=(7, 77, 177))
    one = _upload(client, first, data, "one.png")
    two = _upload(client, second, data, "two.png")
    assert one["sha256"] == two["sha256"]
    sha, ref = one["sha256"], one["ref"]
    for user in (first, second):
        project = make_project(platform, user, schema=IMAGE_SCHEMA)
        imported = import_jsonl(client, user, project.id, [{"image": ref}])
        assert imported.status_code == 201, imported.text
        fetched = client.get(f"/api/v1/media/{sha}", headers=user.headers)
        assert fetched.status_code == 200 and fetched.content == data
    assert client.get(f"/api/v1/media/{sha}", headers=stranger.headers).status_code == 404
    project = make_project(platform, stranger, schema=IMAGE_SCHEMA)
    refused = import_jsonl(client, stranger, project.id, [{"image": ref}])
    assert refused.status_code == 422
    assert "not stored or you may not use it" in refused.json()["errors"][0]["error"]
    url = client.get(f"/api/v1/media/{sha}/url", headers=stranger.headers)
    assert url.status_code == 404


def test_uploading_known_bytes_again_keeps_the_first_record(
    client: TestClient, platform: Platform
) -> None:
    first, second = make_user(platform), make_user(platform)
    data = _png(color=(8, 88, 188))
    _upload(client, first, data, "original.png")
    again = _upload(client, second, data, "renamed.png")
    assert (again["width"], again["height"]) == (64, 48)
    with platform.db.session() as session:
        from labelwright.store.models import Media, MediaUpload

        media = session.get(Media, again["sha256"])
        assert media is not None
        assert media.filename == "original.png" and media.created_by == first.actor.id
        uploaders = session.scalars(
            select(MediaUpload.user_id).where(MediaUpload.sha256 == media.sha256)
        )
        assert set(uploaders) == {first.actor.id, second.actor.id}
