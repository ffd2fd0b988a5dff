"""Login, the app shell, the project list and the project overview in headless Chromium."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from tests.builders import add_member, make_project, make_user
from tests.web.conftest import log_in, shoot

pytestmark = pytest.mark.browser


def test_login_lists_projects_and_logout(page: Any, platform: Platform) -> None:
    manager = make_user(platform, prefix="mgr")
    project = make_project(platform, manager, name="Support tickets")
    page.goto(f"/projects/{project.id}")
    assert "/login" in page.url
    page.fill("input[name=email]", manager.actor.email)
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    shoot(page, "login")
    page.fill("input[name=password]", manager.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.url.endswith(f"/projects/{project.id}")
    page.goto("/projects")
    card = page.locator(f"a.card[data-project='{project.id}']")
    card.wait_for()
    assert "Support tickets" in card.inner_text()
    shoot(page, "projects")
    page.click("text=Log out")
    page.wait_for_url("**/login")
    page.goto("/projects")
    assert "/login" in page.url


def test_overview_shows_progress_chart_and_data_browser(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    project = make_project(platform, manager, name="News NER")
    add_member(platform, manager, project.id, annotator, "annotator")
    rows = "\n".join(
        f'{{"data": {{"text": "Story {i} about Acme in Paris"}}, "meta": {{"lang": "en"}}}}'
        for i in range(30)
    )
    base = f"{live_url}/api/v1"
    httpx.post(
        f"{base}/projects/{project.id}/tasks",
        content=rows.encode(),
        headers={**manager.headers, "Content-Type": "application/x-ndjson"},
    ).raise_for_status()
    for _ in range(3):
        served = httpx.post(f"{base}/projects/{project.id}/next", headers=annotator.headers).json()
        httpx.post(
            f"{base}/assignments/{served['assignment']['id']}/submit",
            json={"results": {"sentiment": "positive"}, "lead_time_ms": 1200},
            headers=annotator.headers,
        ).raise_for_status()
    log_in(page, manager)
    page.goto(f"/projects/{project.id}")
    page.wait_for_selector("#state-chart svg rect[data-state='done']")
    assert page.locator("#state-chart rect[data-state='done']").get_attribute("data-value") == "3"
    page.wait_for_selector("#activity li")
    shoot(page, "project_overview")
    page.click("nav.tabs >> text=Data")
    page.wait_for_selector("#task-table tbody tr[data-task]")
    assert page.locator("#task-table tbody tr[data-task]").count() == 25
    page.fill("input[name=q]", "Story 7 ")
    page.click("#filters button[type=submit]")
    page.wait_for_function(
        "document.querySelectorAll('#task-table tbody tr[data-task]').length === 1"
    )
    page.click("#filters button[type=submit]")
    page.fill("input[name=q]", "")
    page.select_option("select[name=state]", "done")
    page.click("#filters button[type=submit]")
    page.wait_for_function(
        "document.querySelectorAll('#task-table tbody tr[data-task]').length === 3"
    )
    page.locator("#task-table tbody tr[data-task]").first.click()
    page.wait_for_selector("#drawer-body [data-annotation]")
    assert "sentiment: positive" in page.inner_text("#drawer-body")
    shoot(page, "data_browser")
