"""Request bodies of bulk endpoints: spooled to a file, or piped into the work as they arrive.

Piping lets an import parse and store rows while the client is still uploading, with memory
bounded by a small queue of chunks; spooling is for readers that must seek (zip files).
"""

from __future__ import annotations

import asyncio
import io
import queue
import tempfile
import threading
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from labelwright.errors import Invalid, PayloadTooLarge

T = TypeVar("T")

SPOOL_IN_MEMORY = 8 * 1024 * 1024
PIPE_CHUNKS = 64  # chunks queued between the upload and the work (a few MB)
_EOF = b""


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The body exceeds the limit of {max_bytes} bytes.")


def _check_declared_size(request: Request, max_bytes: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)


async def spool_body(request: Request, max_bytes: int) -> BinaryIO:
    """Copy the request body to a temporary file as it arrives (memory stays flat)."""
    _check_declared_size(request, max_bytes)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            spool.close()
            raise _too_large(max_bytes)
        spool.write(chunk)
    spool.seek(0)
    return spool  # type: ignore[return-value]


class _Pipe(io.RawIOBase):
    """The reading end, used by the worker thread; the event loop feeds it chunks."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes | BaseException] = queue.Queue(PIPE_CHUNKS)
        self.finished = threading.Event()  # the work is over: stop feeding
        self._view = memoryview(b"")
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._view and not self._eof:
            item = self.chunks.get()
            if isinstance(item, BaseException):
                raise item
            if item is _EOF:
                self._eof = True
            else:
                self._view = memoryview(item)
        n = min(len(buffer), len(self._view))
        buffer[:n] = self._view[:n]
        self._view = self._view[n:]
        return n

    async def put(self, item: bytes | BaseException) -> bool:
        """Queue an item without blocking the event loop; False once the work is over."""
        while True:
            if self.finished.is_set():
                return False
            try:
                self.chunks.put_nowait(item)
                return True
            except queue.Full:
                await asyncio.sleep(0.002)


async def run_piped(request: Request, max_bytes: int, work: Callable[[BinaryIO], T]) -> T:
    """Run `work(body)` in a worker thread while the body is still arriving.

    An oversized or interrupted upload makes the work's reads raise, so it stores nothing; an
    error of the work itself (say, an unknown project) ends the upload early.
    """
    _check_declared_size(request, max_bytes)
    pipe = _Pipe()

    def run() -> T:
        try:
            with io.BufferedReader(pipe, buffer_size=1 << 16) as body:
                return work(body)  # type: ignore[arg-type]
        finally:
            pipe.finished.set()

    job = asyncio.ensure_future(run_in_threadpool(run))
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                await pipe.put(_too_large(max_bytes))
                break
            if chunk and not await pipe.put(chunk):
                break
        else:
            await pipe.put(_EOF)
    except BaseException:
        await pipe.put(Invalid("The upload was interrupted; nothing was stored."))
        await asyncio.gather(job, return_exceptions=True)
        raise
    return await job
