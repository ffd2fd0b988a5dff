"""Writing a zip archive as a stream of bytes, entry by entry, without seeking.

`zipfile` writes data descriptors when its file cannot seek, so every byte it produces can be
handed on at once; memory holds one compressed chunk at a time.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO, Any

_EPOCH = (1980, 1, 1, 0, 0, 0)


class ByteSink(io.RawIOBase):
    """A write-only, non-seekable file that keeps what was written until taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


class ZipStream:
    """A zip archive whose bytes are taken (`take`) as entries are written.

    >>> archive = ZipStream()
    >>> head = archive.add("a.txt", b"hello")
    >>> tail = archive.close()
    >>> zipfile.ZipFile(io.BytesIO(head + tail)).read("a.txt")
    b'hello'
    """

    def __init__(self) -> None:
        self._sink = ByteSink()
        self._zip = zipfile.ZipFile(self._sink, "w", compression=zipfile.ZIP_DEFLATED)

    def add(self, name: str, data: bytes) -> bytes:
        """Write a whole entry; return the archive bytes produced so far."""
        with self.open(name) as entry:
            entry.write(data)
        return self._sink.take()

    def open(self, name: str) -> IO[bytes]:
        """An entry to write in pieces (close it before the next); `take` the bytes between."""
        info = zipfile.ZipInfo(name, date_time=_EPOCH)  # fixed: the same export, the same bytes
        info.compress_type = zipfile.ZIP_DEFLATED
        return self._zip.open(info, "w", force_zip64=True)

    def take(self) -> bytes:
        """The archive bytes produced since the last call."""
        return self._sink.take()

    def close(self) -> bytes:
        """Write the central directory; return the last bytes."""
        self._zip.close()
        return self._sink.take()
