"""Media upload and permission-checked download."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import FileResponse

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep, get_current_actor
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.errors import NotFound
from labelwright.schemas.tasks import MediaOut, MediaUrlOut
from labelwright.services import media
from labelwright.services.auth import actor_of
from labelwright.store.models import User

router = APIRouter(prefix=API_PREFIX, tags=["media"])
CHUNK = 1 << 20


def _chunks(upload: UploadFile) -> Iterator[bytes]:
    while chunk := upload.file.read(CHUNK):
        yield chunk


@router.post(
    "/media", response_model=MediaOut, status_code=201, responses=problem_responses(401, 413, 422)
)
def upload_media(
    file: UploadFile, actor: CurrentActor, platform: PlatformDep, session: SessionDep
) -> MediaOut:
    """Upload a file (multipart field `file`); refer to it in tasks as `media:<sha256>`."""
    stored = media.upload_media(
        platform,
        session,
        actor,
        _chunks(file),
        filename=file.filename or "",
        content_type=file.content_type,
    )
    out = MediaOut.model_validate(stored)
    out.ref = f"media:{stored.sha256}"
    return out


@router.get(
    "/media/{sha256}/url", response_model=MediaUrlOut, responses=problem_responses(401, 404, 422)
)
def media_url(
    sha256: str,
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
    preview: int | None = None,
) -> MediaUrlOut:
    """A short-lived signed URL for this media, bound to you (for `<img src>`), with the image
    size; with `preview` (512, 1024, 2048 or 4096), also a URL of a downscaled copy whose longest
    side is at most that, when the image is larger."""
    signed = media.signed_media_urls(platform, session, actor, sha256, preview=preview)
    return MediaUrlOut(
        url=signed.url, preview_url=signed.preview_url, width=signed.width, height=signed.height
    )


@router.get(
    "/media/{sha256}", response_class=FileResponse, responses=problem_responses(401, 404, 422)
)
def get_media(
    sha256: str,
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    user: int | None = None,
    expires: int | None = None,
    sig: str | None = None,
    preview: int | None = None,
) -> FileResponse:
    """The media bytes, for members of a project that uses it (or with a valid signed URL);
    `preview` (512, 1024, 2048 or 4096) asks for a downscaled copy of a larger image."""
    if sig is not None and user is not None and expires is not None:
        user_id = media.verify_signed_url(platform, sha256, user=user, expires=expires, sig=sig)
        row = session.get(User, user_id)
        if row is None or not row.is_active:
            raise NotFound(f"Media {sha256} does not exist.")
        actor = actor_of(row)
    else:
        actor = get_current_actor(request, session)
    if preview is None:
        found = media.open_media(platform, session, actor, sha256)
    else:
        found = media.open_media_preview(platform, session, actor, sha256, max_side=preview)
    if found.path is None:
        raise NotFound(f"Media {sha256} is recorded but its bytes are missing.")
    return FileResponse(
        found.path, media_type=found.media.mime, headers={"Cache-Control": "private, max-age=300"}
    )
