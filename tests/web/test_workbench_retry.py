"""A submit that fails on the network is kept, shown, survives a reload and is retried."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from tests.builders import add_member, make_project, make_user
from tests.web.conftest import log_in, shoot
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser


def test_failed_submit_is_retried_until_it_arrives(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    project = make_project(platform, manager, name="Retry")
    add_member(platform, manager, project.id, annotator, "annotator")
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project.id}/tasks",
        json=[{"data": {"text": "First"}}, {"data": {"text": "Second"}}],
        headers=manager.headers,
    ).json()
    first = created["first_id"]
    network = {"down": True}

    def submit_route(route: Any) -> None:
        if network["down"]:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/assignments/*/submit", submit_route)
    log_in(page, annotator)
    page.goto(f"/projects/{project.id}/label")
    wait_task(page, first)
    page.keyboard.press("2")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#outbox-state:not([hidden])")
    shoot(page, "workbench_retry")

    page.reload()  # the queued submission survives a reload
    page.wait_for_selector("#outbox-state:not([hidden])")
    assert (
        httpx.get(f"{live_url}/api/v1/tasks/{first}/annotations", headers=annotator.headers).json()
        == []
    )

    network["down"] = False
    wait_task(page, first + 1)
    assert page.locator("#outbox-state").is_hidden()
    stored = httpx.get(
        f"{live_url}/api/v1/tasks/{first}/annotations", headers=annotator.headers
    ).json()
    assert [a["results"] for a in stored] == [{"sentiment": "negative"}]
