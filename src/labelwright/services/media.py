"""Media: streamed, content-addressed uploads; permission-checked reads; signed URLs; previews."""

from __future__ import annotations

import hashlib
import hmac
import io
import mimetypes
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from labelwright.errors import Forbidden, Invalid, NotFound
from labelwright.services.context import Actor, Platform
from labelwright.store.audit import append_event
from labelwright.store.blobs import is_sha256
from labelwright.store.db import begin_write
from labelwright.store.models import Media
from labelwright.store.repositories import media as media_repo


def upload_media(
    platform: Platform,
    session: Session,
    actor: Actor,
    chunks: Iterator[bytes],
    *,
    filename: str = "",
    content_type: str | None = None,
) -> Media:
    """Store an upload without buffering it whole; the same bytes are stored once."""
    limit = platform.settings.max_upload_mb * 1024 * 1024
    blob = platform.blobs.put_stream(chunks, max_bytes=limit)
    mime = _mime(content_type, filename)
    begin_write(session)
    values: dict[str, Any] = {
        "sha256": blob.sha256,
        "size": blob.size,
        "mime": mime,
        "filename": filename[:500],
    }
    if session.get(Media, blob.sha256) is None:
        width, height = _image_size(platform, blob.sha256, mime)
        values |= {"width": width, "height": height, "created_by": actor.id}
    # Whoever uploads the bytes holds them, so they may use them (not only the first uploader).
    media = media_repo.record_upload(session, values, user_id=actor.id)
    append_event(
        session,
        actor=actor.email,
        action="media.upload",
        entity="media",
        entity_id=blob.sha256,
        payload={"size": blob.size, "mime": media.mime, "new": blob.created},
    )
    session.commit()
    return media


def _mime(content_type: str | None, filename: str) -> str:
    if content_type and content_type != "application/octet-stream":
        return content_type.split(";")[0].strip()
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def _image_size(platform: Platform, sha256: str, mime: str) -> tuple[int | None, int | None]:
    if not mime.startswith("image/"):
        return None, None
    from PIL import Image, UnidentifiedImageError

    try:
        with platform.blobs.open(sha256) as handle, Image.open(handle) as image:
            return image.width, image.height  # reads the header only
    except (UnidentifiedImageError, OSError):
        return None, None


def can_read_media(session: Session, actor: Actor, media: Media) -> bool:
    """Admins, anyone who uploaded the bytes, and members of a project that refers to them."""
    if actor.is_admin or (actor.id is not None and media.created_by == actor.id):
        return True
    if actor.id is None:
        return False
    return media_repo.is_uploader(session, media.sha256, actor.id) or media_repo.is_in_projects_of(
        session, media.sha256, actor.id
    )


@dataclass(frozen=True)
class MediaFile:
    media: Media
    path: Path | None


def open_media(platform: Platform, session: Session, actor: Actor, sha256: str) -> MediaFile:
    """The media record and file for a reader allowed to see it (else `NotFound`)."""
    media = session.get(Media, sha256) if is_sha256(sha256) else None
    if media is None or not can_read_media(session, actor, media):
        raise NotFound(f"Media {sha256} does not exist.")
    return MediaFile(media, platform.blobs.path(sha256))


def _signature(platform: Platform, sha256: str, user_id: int, expires: int) -> str:
    message = f"{sha256}:{user_id}:{expires}".encode()
    return hmac.new(platform.secret_key.encode(), message, hashlib.sha256).hexdigest()


def signed_media_url(platform: Platform, session: Session, actor: Actor, sha256: str) -> str:
    """A short-lived URL for `<img>`/`<audio>` tags, bound to the user who asked for it."""
    open_media(platform, session, actor, sha256)
    if actor.id is None:
        raise Forbidden("Only users get signed media URLs.")
    expires = int(time.time()) + platform.settings.media_url_seconds
    sig = _signature(platform, sha256, actor.id, expires)
    return f"/api/v1/media/{sha256}?user={actor.id}&expires={expires}&sig={sig}"


PREVIEW_SIDES = (512, 1024, 2048, 4096)
"""Longest sides a downscaled preview may be asked for (a fixed set keeps the cache small)."""


@dataclass(frozen=True)
class SignedMedia:
    """Signed URLs for one media file: the original and, for large images, a preview."""

    url: str
    preview_url: str | None
    width: int | None
    height: int | None


def signed_media_urls(
    platform: Platform, session: Session, actor: Actor, sha256: str, *, preview: int | None = None
) -> SignedMedia:
    """Signed URLs bound to the user; `preview_url` only when the image is larger than `preview`."""
    url = signed_media_url(platform, session, actor, sha256)
    found = open_media(platform, session, actor, sha256)
    preview_url = None
    if preview is not None:
        _check_preview_side(preview)
        if _needs_preview(found.media, preview):
            preview_url = f"{url}&preview={preview}"
    return SignedMedia(url, preview_url, found.media.width, found.media.height)


def _check_preview_side(side: int) -> None:
    if side not in PREVIEW_SIDES:
        sides = ", ".join(str(s) for s in PREVIEW_SIDES)
        raise Invalid(
            f"preview must be one of {sides}, got {side}.",
            errors=[{"loc": ["query", "preview"], "msg": f"must be one of {sides}"}],
        )


def _needs_preview(media: Media, side: int) -> bool:
    if not media.mime.startswith("image/") or media.width is None or media.height is None:
        return False
    return max(media.width, media.height) > side


def open_media_preview(
    platform: Platform, session: Session, actor: Actor, sha256: str, *, max_side: int
) -> MediaFile:
    """A downscaled copy of an image (longest side `max_side`), for a reader of the original.

    The copy is made once and kept as a derived blob (content-addressed like any blob); a small
    index file under the data directory maps `(original, side)` to it. Images already small
    enough, and media that are not images, are served as they are.
    """
    _check_preview_side(max_side)
    found = open_media(platform, session, actor, sha256)
    if not _needs_preview(found.media, max_side):
        return found
    index = platform.settings.data_dir / "derived" / sha256[:2] / f"{sha256}.preview-{max_side}"
    derived = _read_derived(index)
    if derived is None or not platform.blobs.exists(derived[0]):
        derived = _make_preview(platform, sha256, max_side)
        _write_derived(index, derived)
    digest, mime = derived
    preview = Media(
        sha256=digest,
        size=found.media.size,
        mime=mime,
        filename=found.media.filename,
        width=found.media.width,
        height=found.media.height,
    )
    return MediaFile(preview, platform.blobs.path(digest))


def _read_derived(index: Path) -> tuple[str, str] | None:
    try:
        digest, mime = index.read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return None
    return (digest, mime) if is_sha256(digest) else None


def _write_derived(index: Path, derived: tuple[str, str]) -> None:
    index.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=index.parent)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(f"{derived[0]} {derived[1]}\n")
    os.replace(tmp, index)


def _make_preview(platform: Platform, sha256: str, side: int) -> tuple[str, str]:
    from PIL import Image

    with platform.blobs.open(sha256) as handle, Image.open(handle) as image:
        image.draft("RGB", (side, side))  # JPEG: decode at a reduced scale, much faster
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        small = image.convert("RGBA" if has_alpha else "RGB")
        small.thumbnail((side, side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if has_alpha:
        small.save(buffer, format="PNG", optimize=True)
        mime = "image/png"
    else:
        small.save(buffer, format="JPEG", quality=85)
        mime = "image/jpeg"
    blob = platform.blobs.put_stream(iter([buffer.getvalue()]))
    return blob.sha256, mime


def verify_signed_url(platform: Platform, sha256: str, *, user: int, expires: int, sig: str) -> int:
    """The user id a valid, unexpired signature was issued to; `NotFound` otherwise."""
    good = _signature(platform, sha256, user, expires)
    if expires < time.time() or not hmac.compare_digest(good, sig):
        raise NotFound(f"Media {sha256} does not exist (the link is invalid or expired).")
    return user
