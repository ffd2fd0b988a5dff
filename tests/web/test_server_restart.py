"""The server dies mid-submit (SIGKILL) and comes back: the workbench's queued submission
arrives exactly once after the restart.

The server runs as a real `labelwright start` process on a free port, on a database of its own
(SQLite file or PostgreSQL database), and is restarted on the same port and data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from labelwright.settings import Settings
from tests.builders import MadeUser, add_member, make_project, make_user
from tests.conftest import DatabaseFactory
from tests.live import free_port
from tests.web.conftest import log_in, shoot
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser

SECRET = "restart-test-secret-0123456789"


class ServerProcess:
    """`labelwright start` as a child process that can be killed and started again."""

    def __init__(self, database_url: str, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "LABELWRIGHT_DATABASE_URL": database_url,
            "LABELWRIGHT_DATA_DIR": str(data_dir),
            "LABELWRIGHT_SECRET_KEY": SECRET,
            "LABELWRIGHT_ADMIN_EMAIL": "admin@example.org",
            "LABELWRIGHT_ADMIN_PASSWORD": "admin-password-0123",
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "labelwright", "start", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not come up: {self.log.read_text()[-2000:]}")

    def signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        os.kill(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, connections reset."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def is_alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture
def world(
    databases: DatabaseFactory, tmp_path: Path
) -> Iterator[tuple[ServerProcess, MadeUser, int, int]]:
    """A server process on its own database with a project of two tasks and an annotator."""
    url = databases.create()
    settings = Settings(data_dir=tmp_path / "data", database_url=url, secret_key=SECRET)
    platform = Platform.open(settings)
    try:
        manager = make_user(platform, prefix="mgr")
        annotator = make_user(platform, prefix="ann")
        project = make_project(platform, manager, name="Restart")
        add_member(platform, manager, project.id, annotator, "annotator")
    finally:
        platform.close()
    server = ServerProcess(url, tmp_path / "data", tmp_path / "server.log")
    server.start()
    try:
        created = httpx.post(
            f"{server.url}/api/v1/projects/{project.id}/tasks",
            json=[{"data": {"text": "First"}}, {"data": {"text": "Second"}}],
            headers=manager.headers,
        )
        created.raise_for_status()
        yield server, annotator, project.id, int(created.json()["first_id"])
    finally:
        if server.is_alive():
            server.signal(signal.SIGCONT)
        server.kill()


@pytest.fixture
def tab(browser: Any, world: tuple[ServerProcess, MadeUser, int, int]) -> Iterator[Any]:
    server = world[0]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server.url)
    context.set_default_timeout(20000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def annotations_of(server: ServerProcess, user: MadeUser, task_id: int) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/api/v1/tasks/{task_id}/annotations", headers=user.headers)
    answer.raise_for_status()
    return list(answer.json())


def wait_until(page: Any, condition: Callable[[], bool], seconds: float = 30) -> None:
    """Poll while letting Playwright run route handlers."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            seen = page.evaluate(
                "() => ({outbox: localStorage.length, dialog: !!document.querySelector("
                "'dialog[open]'), focus: document.activeElement?.tagName, text: "
                "document.body.innerText.slice(0, 300)})"
            )
            raise AssertionError(f"timed out; the page: {seen}")
        page.wait_for_timeout(50)


def open_first_task(page: Any, annotator: MadeUser, project_id: int, first: int) -> None:
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, first)
    page.keyboard.press("2")  # sentiment: negative
    assert page.get_attribute("[data-option=negative]", "aria-checked") == "true"


def test_server_killed_while_the_submit_is_in_flight(
    tab: Any, world: tuple[ServerProcess, MadeUser, int, int]
) -> None:
    server, annotator, project_id, first = world
    open_first_task(tab, annotator, project_id, first)
    sent = {"count": 0}

    def freeze_then_send(route: Any) -> None:
        # freeze the server, then let the request go: it is on the wire, unanswered
        if sent["count"] == 0:
            server.signal(signal.SIGSTOP)
        sent["count"] += 1
        route.continue_()

    tab.route("**/api/v1/assignments/*/submit", freeze_then_send)
    tab.keyboard.press("Control+Enter")
    wait_until(tab, lambda: sent["count"] > 0)
    tab.wait_for_timeout(300)  # the request is written to the frozen server's socket
    server.kill()

    tab.wait_for_selector("#outbox-state:not([hidden])")
    assert "pending" in tab.inner_text("#outbox-state")
    shoot(tab, "workbench_server_down")
    tab.wait_for_timeout(2000)  # a retry or two against the dead port
    server.start()

    wait_task(tab, first + 1)
    assert tab.locator("#outbox-state").is_hidden()
    stored = annotations_of(server, annotator, first)
    assert [a["results"] for a in stored] == [{"sentiment": "negative"}]
    assert sent["count"] >= 2  # the lost request and at least one retry


def test_server_killed_after_storing_but_before_answering(
    tab: Any, world: tuple[ServerProcess, MadeUser, int, int]
) -> None:
    server, annotator, project_id, first = world
    open_first_task(tab, annotator, project_id, first)
    attempts: list[int] = []

    def store_then_die(route: Any) -> None:
        if not attempts:
            answer = route.fetch()  # the server stores the annotation and answers...
            attempts.append(answer.status)
            server.kill()  # ...but dies before the browser hears it
            route.abort("connectionreset")
        else:
            attempts.append(0)
            route.continue_()

    tab.route("**/api/v1/assignments/*/submit", store_then_die)
    tab.keyboard.press("Control+Enter")
    wait_until(tab, lambda: bool(attempts))
    tab.wait_for_selector("#outbox-state:not([hidden])")
    assert attempts[0] == 200
    server.start()

    wait_task(tab, first + 1)  # the retry is told "already submitted" and moves on
    assert len(attempts) >= 2
    stored = annotations_of(server, annotator, first)
    assert [a["results"] for a in stored] == [{"sentiment": "negative"}]
    # the reload keeps nothing queued
    tab.reload()
    wait_task(tab, first + 1)
    assert tab.locator("#outbox-state").is_hidden()
