"""The RLHF tools: conversation + responses with pairwise, ranking (tie groups) and rubric."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from tests.builders import add_member, make_project, make_user
from tests.web.conftest import log_in, shoot
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser

RLHF_SCHEMA: dict[str, Any] = {
    "objects": {
        "prompt": {"type": "conversation"},
        "pair": {"type": "responses"},
        "candidates": {"type": "responses"},
    },
    "controls": [
        {"name": "preference", "type": "pairwise", "of": "pair", "required": True},
        {"name": "order", "type": "ranking", "of": "candidates"},
        {
            "name": "quality",
            "type": "rubric",
            "of": "pair",
            "criteria": [{"name": "helpfulness"}, {"name": "harmlessness", "min": 1, "max": 3}],
        },
    ],
}
TASK = {
    "prompt": [
        {"role": "user", "content": "How do I boil an egg?"},
        {"role": "assistant", "content": "Here are two drafts."},
    ],
    "pair": [
        {"id": "a1", "text": "Put it in water."},
        {"id": "a2", "text": "Simmer it for 9 minutes, then cool it in ice water."},
    ],
    "candidates": [
        {"id": "r1", "text": "Boil 9 minutes."},
        {"id": "r2", "text": "Boil 7 minutes."},
        {"id": "r3", "text": "Steam for 12 minutes, then shock in ice water."},
    ],
}


def test_pairwise_ranking_and_rubric_are_stored_exactly(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    project = make_project(platform, manager, schema=RLHF_SCHEMA, name="RLHF")
    add_member(platform, manager, project.id, annotator, "annotator")
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project.id}/tasks",
        json=[{"data": TASK}],
        headers=manager.headers,
    ).json()
    task_id = created["first_id"]

    log_in(page, annotator)
    page.goto(f"/projects/{project.id}/label")
    wait_task(page, task_id)
    page.keyboard.press("3")  # pairwise: B is better
    pref = page.locator("[data-control=preference]")
    pref.locator("[data-strength='2']").click()
    pref.locator("input[aria-label=reason]").fill("More precise")
    pref.locator("input[aria-label=reason]").press("Tab")
    order = page.locator("[data-control=order]")
    order.get_by_role("button", name="Move r3 up").click()
    order.get_by_role("button", name="Move r3 up").click()
    order.get_by_role("button", name="Tie r1 with next").click()
    quality = page.locator("[data-control=quality]")
    quality.locator("[data-criterion=helpfulness] [data-value='4']").click()
    quality.locator("[data-criterion=harmlessness] [data-value='3']").click()
    shoot(page, "workbench_rlhf")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector(".done-state")

    stored = httpx.get(
        f"{live_url}/api/v1/tasks/{task_id}/annotations", headers=annotator.headers
    ).json()
    assert stored[0]["results"] == {
        "preference": {"choice": "b", "strength": 2, "reason": "More precise"},
        "order": ["r3", ["r1", "r2"]],
        "quality": {"helpfulness": 4, "harmlessness": 3},
    }
