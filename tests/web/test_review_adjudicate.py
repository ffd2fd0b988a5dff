"""Review (reject with a comment returns the task) and adjudication (pick one annotation)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from tests.builders import TEXT_SCHEMA, MadeUser, add_member, make_user
from tests.web.conftest import log_in, shoot
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser


def setup_project(
    live_url: str, platform: Platform, workflow: dict[str, Any], roles: list[str]
) -> tuple[int, int, list[MadeUser]]:
    manager = make_user(platform, prefix="mgr")
    answer = httpx.post(
        f"{live_url}/api/v1/projects",
        json={"name": "Flow", "schema": TEXT_SCHEMA, "workflow": workflow},
        headers=manager.headers,
    )
    answer.raise_for_status()
    project_id = answer.json()["id"]
    people = []
    for role in roles:
        person = make_user(platform, prefix=role[:3])
        add_member(platform, manager, project_id, person, role)
        people.append(person)
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project_id}/tasks",
        json=[{"data": {"text": "Acme opened an office in Lyon."}}],
        headers=manager.headers,
    ).json()
    return project_id, created["first_id"], people


def label(live_url: str, project_id: int, user: MadeUser, results: dict[str, Any]) -> None:
    base = f"{live_url}/api/v1"
    served = httpx.post(f"{base}/projects/{project_id}/next", headers=user.headers).json()
    httpx.post(
        f"{base}/assignments/{served['assignment']['id']}/submit",
        json={"results": results},
        headers=user.headers,
    ).raise_for_status()


def test_reviewer_rejects_and_the_task_returns(
    page: Any, platform: Platform, live_url: str
) -> None:
    project_id, task_id, (annotator, reviewer, fresh) = setup_project(
        live_url, platform, {"review": {"sample": 1.0}}, ["annotator", "reviewer", "annotator"]
    )
    results = {
        "sentiment": "negative",
        "entities": [{"id": "s1", "start": 0, "end": 4, "text": "Acme", "label": "LOC"}],
    }
    label(live_url, project_id, annotator, results)

    log_in(page, reviewer)
    page.goto(f"/projects/{project_id}/review")
    wait_task(page, task_id)
    assert page.get_attribute("[data-control=sentiment] [data-option=negative]", "aria-checked")
    assert "Acme" in page.inner_text("[data-control=entities] .span-list")
    page.fill("#review-comment", "Acme is an organisation, not a place.")
    page.select_option("#review-severity", "major")
    page.fill("#review-category", "wrong label")
    shoot(page, "review")
    page.get_by_role("button", name="Reject").click()
    page.wait_for_selector(".done-state")

    base = f"{live_url}/api/v1"
    assert httpx.get(f"{base}/tasks/{task_id}", headers=reviewer.headers).json()["state"] == (
        "labeling"
    )
    assert httpx.post(
        f"{base}/projects/{project_id}/next", headers=annotator.headers
    ).status_code == (204)  # the original annotator does not get it back
    again = httpx.post(f"{base}/projects/{project_id}/next", headers=fresh.headers).json()
    assert again["task"]["id"] == task_id
    review = again["reviews"][0]
    assert (review["verdict"], review["severity"], review["category"]) == (
        "reject",
        "major",
        "wrong label",
    )
    assert review["comment"] == "Acme is an organisation, not a place."

    log_in(page, fresh)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, task_id)
    assert "Acme is an organisation" in page.inner_text("#banner-area")


def test_expert_adjudicates_a_disagreement(page: Any, platform: Platform, live_url: str) -> None:
    project_id, task_id, (first, second, expert) = setup_project(
        live_url, platform, {"overlap": 2}, ["annotator", "annotator", "expert"]
    )
    label(live_url, project_id, first, {"sentiment": "positive"})
    label(live_url, project_id, second, {"sentiment": "neutral"})
    base = f"{live_url}/api/v1"
    assert httpx.get(f"{base}/tasks/{task_id}", headers=expert.headers).json()["state"] == (
        "adjudication"
    )

    log_in(page, expert)
    page.goto(f"/projects/{project_id}/adjudicate")
    wait_task(page, task_id)
    row = page.locator("#compare tr[data-control=sentiment] td")
    assert row.count() == 2 and "diff" in (row.first.get_attribute("class") or "")
    shoot(page, "adjudicate")
    picks = page.locator("#compare [data-pick]")
    chosen = int(picks.nth(1).get_attribute("data-pick") or 0)
    picks.nth(1).click()
    page.wait_for_selector(".done-state")
    task = httpx.get(f"{base}/tasks/{task_id}", headers=expert.headers).json()
    assert task["state"] == "done"
    assert task["final_annotation_id"] == chosen
    assert task["final_path"] == "adjudication:choose"
