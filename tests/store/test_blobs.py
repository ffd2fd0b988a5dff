from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from labelwright.errors import NotFound, PayloadTooLarge
from labelwright.store.blobs import LocalBlobStore


def test_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = b"hello" * 1000
    first = store.put_stream(iter([data[:10], data[10:]]))
    second = store.put_stream(iter([data]))
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert first.created and not second.created
    with store.open(first.sha256) as handle:
        assert handle.read() == data
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1


def test_upload_over_the_limit_leaves_nothing_behind(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(PayloadTooLarge):
        store.put_stream(iter([b"x" * 100, b"y" * 100]), max_bytes=150)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_missing_blob_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        LocalBlobStore(tmp_path).open("0" * 64)
