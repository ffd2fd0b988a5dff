"""Reading uploads that hold several files: a zip archive, or one bare file."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from labelwright.errors import Invalid

ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBER_BYTES = 2 * 1024**3


def is_zip(stream: BinaryIO) -> bool:
    """True when the (seekable) stream starts like a zip archive; the position is kept."""
    start = stream.tell()
    head = stream.read(4)
    stream.seek(start)
    return head == ZIP_MAGIC


def open_archive(stream: BinaryIO, fmt: str) -> zipfile.ZipFile:
    """The upload as a zip archive; `Invalid` names the format when it is not one."""
    try:
        return zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        raise Invalid(f"Format '{fmt}' expects a zip archive; the upload is not one.") from None


@dataclass(frozen=True)
class Member:
    """One file of an upload: its path in the archive and its bytes."""

    path: str
    body: bytes

    @property
    def stem(self) -> str:
        return posixpath.splitext(posixpath.basename(self.path))[0]


def members(archive: zipfile.ZipFile, *suffixes: str) -> Iterator[Member]:
    """The archive's files whose names end in one of `suffixes`, in name order."""
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        name = info.filename
        if info.is_dir() or posixpath.basename(name).startswith(".") or "__MACOSX" in name:
            continue
        if suffixes and not name.lower().endswith(suffixes):
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            raise Invalid(f"'{name}' is larger than {MAX_MEMBER_BYTES} bytes.")
        yield Member(name, archive.read(info))


def upload_members(stream: BinaryIO, fmt: str, name: str, *suffixes: str) -> Iterator[Member]:
    """The files of a zip upload, or the upload itself as one file called `name`."""
    if is_zip(stream):
        yield from members(open_archive(stream, fmt), *suffixes)
    else:
        yield Member(name, stream.read())


def decode_text(member: Member) -> str:
    """The member as UTF-8 text (a byte-order mark is dropped); `Invalid` names the file."""
    try:
        return member.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"'{member.path}' is not UTF-8 text: {exc}") from None
