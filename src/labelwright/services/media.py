"""Media: streamed, content-addressed uploads; permission-checked reads; signed URLs."""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from labelwright.errors import Forbidden, NotFound
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
    media = session.get(Media, blob.sha256)
    if media is None:
        width, height = _image_size(platform, blob.sha256, mime)
        media = Media(
            sha256=blob.sha256,
            size=blob.size,
            mime=mime,
            filename=filename[:500],
            width=width,
            height=height,
            created_by=actor.id,
        )
        session.add(media)
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
    if actor.is_admin or (actor.id is not None and media.created_by == actor.id):
        return True
    return actor.id is not None and media_repo.is_in_projects_of(session, media.sha256, actor.id)


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


def verify_signed_url(platform: Platform, sha256: str, *, user: int, expires: int, sig: str) -> int:
    """The user id a valid, unexpired signature was issued to; `NotFound` otherwise."""
    good = _signature(platform, sha256, user, expires)
    if expires < time.time() or not hmac.compare_digest(good, sig):
        raise NotFound(f"Media {sha256} does not exist (the link is invalid or expired).")
    return user
