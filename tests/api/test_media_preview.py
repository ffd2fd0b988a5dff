"""Downscaled previews of large images through the media endpoint (permission-checked, cached)."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user

IMAGE_SCHEMA = {
    "objects": {"image": {"type": "image"}},
    "controls": [{"name": "objects", "type": "boxes", "of": "image", "labels": ["car"]}],
}


def _image(width: int, height: int, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    image = Image.new(mode, (width, height))
    # a gradient, so a preview is not trivially one colour
    image.putdata(
        [
            ((x * 255) // width, (y * 255) // height, 90) + ((200,) if mode == "RGBA" else ())
            for y in range(height)
            for x in range(width)
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _upload(client: TestClient, user: MadeUser, data: bytes, name: str) -> str:
    answer = client.post(
        "/api/v1/media", files={"file": (name, data, "image/png")}, headers=user.headers
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["sha256"])


def test_large_image_gets_a_downscaled_preview_url_and_its_size(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    sha = _upload(client, user, _image(1600, 400), "wide.png")
    info = client.get(f"/api/v1/media/{sha}/url?preview=512", headers=user.headers).json()
    assert (info["width"], info["height"]) == (1600, 400)
    assert info["preview_url"].startswith(info["url"]) and info["preview_url"].endswith(
        "&preview=512"
    )
    preview = client.get(info["preview_url"])
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(preview.content)) as small:
        assert small.size == (512, 128)
        # the gradient survives the downscale: left is dark red, right is bright red
        assert small.getpixel((2, 64))[0] < 20 and small.getpixel((509, 64))[0] > 235
    original = client.get(info["url"])
    with Image.open(io.BytesIO(original.content)) as full:
        assert full.size == (1600, 400)


def test_preview_is_made_once_and_kept_as_a_derived_blob(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    sha = _upload(client, user, _image(1200, 900), "kept.png")
    first = client.get(f"/api/v1/media/{sha}?preview=1024", headers=user.headers)
    index = platform.settings.data_dir / "derived" / sha[:2] / f"{sha}.preview-1024"
    derived, mime = index.read_text().split()
    assert mime == "image/jpeg" and platform.blobs.exists(derived)
    stamp = index.stat().st_mtime_ns
    second = client.get(f"/api/v1/media/{sha}?preview=1024", headers=user.headers)
    assert second.content == first.content
    assert index.stat().st_mtime_ns == stamp  # served from the cache, not made again
    # the derived blob is not media of its own: nobody reads it by its hash
    assert client.get(f"/api/v1/media/{derived}", headers=user.headers).status_code == 404


def test_small_images_and_transparency(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    small = _image(300, 200)
    sha = _upload(client, user, small, "small.png")
    info = client.get(f"/api/v1/media/{sha}/url?preview=512", headers=user.headers).json()
    assert info["preview_url"] is None and (info["width"], info["height"]) == (300, 200)
    assert client.get(f"/api/v1/media/{sha}?preview=512", headers=user.headers).content == small
    clear = _upload(client, user, _image(700, 600, mode="RGBA"), "alpha.png")
    preview = client.get(f"/api/v1/media/{clear}?preview=512", headers=user.headers)
    assert preview.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(preview.content)) as image:
        assert image.mode == "RGBA" and image.size == (512, 439)


def test_preview_is_permission_checked_like_the_original(
    client: TestClient, platform: Platform
) -> None:
    owner, member, stranger = make_user(platform), make_user(platform), make_user(platform)
    sha = _upload(client, owner, _image(1100, 300), "guarded.png")
    project = make_project(platform, owner, schema=IMAGE_SCHEMA)
    add_member(platform, owner, project.id, member, "annotator")
    import_jsonl(client, owner, project.id, [{"image": f"media:{sha}"}])
    path = f"/api/v1/media/{sha}?preview=1024"
    assert client.get(path, headers=member.headers).status_code == 200
    assert client.get(path, headers=stranger.headers).status_code == 404
    assert client.get(path).status_code == 401
    url = client.get(f"/api/v1/media/{sha}/url?preview=1024", headers=member.headers).json()[
        "preview_url"
    ]
    assert client.get(url).status_code == 200
    tampered = url.replace(f"user={member.actor.id}", f"user={stranger.actor.id}")
    assert client.get(tampered).status_code == 404
    assert (
        client.get(f"/api/v1/media/{sha}/url?preview=1024", headers=stranger.headers).status_code
        == 404
    )


def test_preview_sizes_outside_the_fixed_set_are_refused(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    sha = _upload(client, user, _image(900, 900), "square.png")
    for path in (f"/api/v1/media/{sha}?preview=777", f"/api/v1/media/{sha}/url?preview=99999"):
        answer = client.get(path, headers=user.headers)
        assert answer.status_code == 422
        assert "preview must be one of 512, 1024, 2048, 4096" in answer.json()["detail"]
