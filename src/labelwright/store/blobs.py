"""Content-addressed blob storage (sha256). Local directory backend; S3 can implement it later."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from labelwright.errors import Invalid, NotFound, PayloadTooLarge

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    created: bool  # False when the same bytes were already stored


class BlobStore(Protocol):
    """What every media backend offers."""

    def put_stream(self, chunks: Iterator[bytes], *, max_bytes: int | None = None) -> StoredBlob:
        """Store a stream without buffering it whole; dedupe by content hash."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored blob for reading; `NotFound` when absent."""
        ...

    def path(self, sha256: str) -> Path | None:
        """A local file path for the blob when the backend has one (for efficient serving)."""
        ...

    def exists(self, sha256: str) -> bool: ...


def is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


class LocalBlobStore:
    """Blobs under `root/ab/cd/<sha256>`; writes go to a temp file then are renamed in place."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def _blob_path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise Invalid(f"'{sha256}' is not a sha256 hex digest.")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_stream(self, chunks: Iterator[bytes], *, max_bytes: int | None = None) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise PayloadTooLarge(f"Upload exceeds the limit of {max_bytes} bytes.")
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            final = self._blob_path(sha)
            if final.exists():
                os.unlink(tmp_name)
                return StoredBlob(sha, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)
            return StoredBlob(sha, size, created=True)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def open(self, sha256: str) -> BinaryIO:
        path = self._blob_path(sha256)
        if not path.exists():
            raise NotFound(f"Media {sha256} is not stored.")
        return path.open("rb")

    def path(self, sha256: str) -> Path | None:
        path = self._blob_path(sha256)
        return path if path.exists() else None

    def exists(self, sha256: str) -> bool:
        return self._blob_path(sha256).exists()
