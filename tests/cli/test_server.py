from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.live import free_port


@pytest.mark.parametrize("workers", [1, 2])
def test_start_serves_one_database_and_counts_quality_in_the_background(
    cli_env: dict[str, str], workers: int
) -> None:
    port = free_port()
    env = {
        **os.environ,
        **cli_env,
        "LABELWRIGHT_ADMIN_EMAIL": "w@example.org",
        "LABELWRIGHT_ADMIN_PASSWORD": "worker-password",
        # Reads count nothing themselves: only the background refresher counts.
        "LABELWRIGHT_QUALITY_READ_BUDGET_MS": "0",
        "LABELWRIGHT_QUALITY_REFRESH_SECONDS": "0.5",
    }
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
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        login = httpx.post(
            f"{url}/api/v1/auth/login",
            json={"email": "w@example.org", "password": "worker-password"},
        )
        assert login.status_code == 200
        token = httpx.post(f"{url}/api/v1/tokens", cookies=login.cookies).json()["token"]
        headers = {"Authorization": f"Token {token}"}
        schema = {
            "objects": {"t": {"type": "text"}},
            "controls": [{"name": "c", "type": "textarea", "of": "t"}],
        }
        ids = {
            httpx.post(
                f"{url}/api/v1/projects", json={"name": f"p{i}", "schema": schema}, headers=headers
            ).json()["id"]
            for i in range(8)
        }
        assert len(ids) == 8
        listed = httpx.get(f"{url}/api/v1/projects", headers=headers).json()["items"]
        assert {p["id"] for p in listed} == ids
        _labels_are_counted_in_the_background(url, headers)
    finally:
        proc.terminate()
        proc.wait(20)


def _labels_are_counted_in_the_background(url: str, headers: dict[str, str]) -> None:
    """The quality refresher runs in a process of its own, never in one that serves requests."""
    schema = {
        "objects": {"t": {"type": "text"}},
        "controls": [{"name": "c", "type": "choice", "of": "t", "options": ["x", "y"]}],
    }
    project = httpx.post(
        f"{url}/api/v1/projects", json={"name": "counted", "schema": schema}, headers=headers
    ).json()["id"]
    rows = "".join(f'{{"t": "task {i}"}}\n' for i in range(5))
    imported = httpx.post(
        f"{url}/api/v1/projects/{project}/tasks",
        content=rows.encode(),
        headers={**headers, "Content-Type": "application/x-ndjson"},
    )
    assert imported.status_code in (200, 201), imported.text
    quality = f"{url}/api/v1/projects/{project}/quality"
    assert httpx.get(quality, headers=headers).json()["pending"] == 0  # aggregates exist now
    for _ in range(5):
        served = httpx.post(f"{url}/api/v1/projects/{project}/next", headers=headers).json()
        submitted = httpx.post(
            f"{url}/api/v1/assignments/{served['assignment']['id']}/submit",
            json={"results": {"c": "x"}},
            headers=headers,
        )
        assert submitted.status_code == 200, submitted.text
    pending = None
    for _ in range(100):
        summary = httpx.get(quality, headers=headers).json()
        pending = summary["pending"]
        if pending == 0:
            break
        time.sleep(0.2)
    assert pending == 0
