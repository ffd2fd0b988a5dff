"""Import and export throughput of a running server, the way a user scripts it.

Starts `labelwright start` on a fresh data directory (SQLite by default, or PostgreSQL with
`--database-url`), imports N text tasks (~200 characters each) in one streamed JSONL request,
adds annotations to a tenth of them, exports everything as JSONL, and prints tasks/s, time to
first byte, and the server's RSS. With `--label-studio URL --ls-token KEY` the same import and
export run against a Label Studio server for comparison.

    python benchmarks/import_export.py --tasks 100000
    python benchmarks/import_export.py --tasks 100000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/lw_bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [{"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg"]}],
}


def rows(n: int, seed: int = 1) -> Iterator[bytes]:
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(500)]
    for i in range(n):
        text = " ".join(rng.choices(words, k=32))[:200]
        yield json.dumps({"data": {"text": text}, "meta": {"i": i}}).encode() + b"\n"


def body_chunks(n: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    buffer = bytearray()
    for line in rows(n):
        buffer += line
        if len(buffer) >= chunk:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_server(
    data_dir: Path, database_url: str | None, *, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "LABELWRIGHT_DATA_DIR": str(data_dir),
        "LABELWRIGHT_ADMIN_EMAIL": "bench@example.org",
        "LABELWRIGHT_ADMIN_PASSWORD": "bench-password",
    }
    if database_url:
        env["LABELWRIGHT_DATABASE_URL"] = database_url
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labelwright",
            "start",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def run_labelwright(n: int, database_url: str | None) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    proc, url = start_server(data_dir, database_url)
    try:
        login = httpx.post(
            f"{url}/api/v1/auth/login",
            json={"email": "bench@example.org", "password": "bench-password"},
        )
        cookies = login.cookies
        token = httpx.post(f"{url}/api/v1/tokens", cookies=cookies).json()["token"]
        headers = {"Authorization": f"Token {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=600) as client:
            project = client.post(
                "/api/v1/projects", json={"name": "bench", "schema": SCHEMA}
            ).json()["id"]
            print(f"idle RSS before import: {rss_mb(proc.pid):.0f} MB")
            body = list(body_chunks(n))  # a file the user already has, read in 1 MiB chunks
            t0 = time.perf_counter()
            response = client.post(
                f"/api/v1/projects/{project}/tasks",
                content=iter(body),
                headers={"Content-Type": "application/x-ndjson"},
            )
            elapsed = time.perf_counter() - t0
            del body
            result = response.json()
            assert result["created"] == n, result
            print(f"import {n} tasks: {elapsed:.2f} s = {n / elapsed:,.0f} tasks/s")
            rss, peak = rss_mb(proc.pid), peak_rss_mb(proc.pid)
            print(f"server RSS after import: {rss:.0f} MB (peak {peak:.0f} MB)")
            first = result["first_id"]
            annotated = n // 10
            t0 = time.perf_counter()
            for task_id in range(first, first + annotated * 10, 10)[: min(annotated, 2000)]:
                client.post(
                    f"/api/v1/tasks/{task_id}/annotations", json={"results": {"sentiment": "pos"}}
                )
            made = min(annotated, 2000)
            print(f"{made} annotations one by one: {made / (time.perf_counter() - t0):,.0f}/s")
            if annotated > made:
                rest = "".join(
                    json.dumps(
                        {"data": {"text": "x"}, "annotations": [{"results": {"sentiment": "neg"}}]}
                    )
                    + "\n"
                    for _ in range(annotated - made)
                )
                client.post(
                    f"/api/v1/projects/{project}/tasks",
                    content=rest.encode(),
                    headers={"Content-Type": "application/x-ndjson"},
                )
            t0 = time.perf_counter()
            first_byte = None
            size = 0
            lines = 0
            with client.stream(
                "GET", f"/api/v1/projects/{project}/export", params={"format": "jsonl"}
            ) as stream:
                for chunk in stream.iter_bytes():
                    if first_byte is None:
                        first_byte = time.perf_counter() - t0
                    size += len(chunk)
                    lines += chunk.count(b"\n")
            elapsed = time.perf_counter() - t0
            print(
                f"export {lines} tasks ({annotated} annotated): {elapsed:.2f} s = "
                f"{lines / elapsed:,.0f} tasks/s, first byte {1000 * (first_byte or 0):.0f} ms, "
                f"{size / 1e6:.0f} MB"
            )
            rss, peak = rss_mb(proc.pid), peak_rss_mb(proc.pid)
            print(f"server RSS after export: {rss:.0f} MB (peak {peak:.0f} MB)")
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)


def run_label_studio(n: int, url: str, token: str) -> None:
    headers = {"Authorization": f"Token {token}"}
    config = (
        '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text">'
        '<Choice value="pos"/><Choice value="neg"/></Choices></View>'
    )
    with httpx.Client(base_url=url, headers=headers, timeout=3600) as client:
        project = client.post(
            "/api/projects", json={"title": "bench", "label_config": config}
        ).json()["id"]
        tasks = [{"text": json.loads(line)["data"]["text"]} for line in rows(n)]
        t0 = time.perf_counter()
        client.post(f"/api/projects/{project}/import", json=tasks).raise_for_status()
        elapsed = time.perf_counter() - t0
        print(f"Label Studio import {n} tasks: {elapsed:.2f} s = {n / elapsed:,.0f} tasks/s")
        t0 = time.perf_counter()
        first_byte = None
        with client.stream(
            "GET", f"/api/projects/{project}/export", params={"exportType": "JSON"}
        ) as stream:
            for _ in stream.iter_bytes():
                if first_byte is None:
                    first_byte = time.perf_counter() - t0
        elapsed = time.perf_counter() - t0
        print(
            f"Label Studio export: {elapsed:.2f} s = {n / elapsed:,.0f} tasks/s, "
            f"first byte {first_byte or 0:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--label-studio", default=None, help="URL of a Label Studio server to compare"
    )
    parser.add_argument("--ls-token", default=None)
    args = parser.parse_args()
    print(
        f"== Labelwright on {'PostgreSQL' if args.database_url else 'SQLite'}, {args.tasks:,} tasks"
    )
    run_labelwright(args.tasks, args.database_url)
    if args.label_studio:
        print(f"== Label Studio at {args.label_studio}")
        run_label_studio(args.tasks, args.label_studio, args.ls_token or "")


if __name__ == "__main__":
    main()
