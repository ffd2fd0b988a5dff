"""The RLHF tools: conversation + responses with pairwise, ranking (tie groups) and rubric."""

from __future__ import annotations

import json
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
    for rid, (helpful, harmless) in {"a1": (2, 3), "a2": (4, 3)}.items():
        response = quality.locator(f"[data-response={rid}]")
        response.locator(f"[data-criterion=helpfulness] [data-value='{helpful}']").click()
        response.locator(f"[data-criterion=harmlessness] [data-value='{harmless}']").click()
    shoot(page, "workbench_rlhf")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector(".done-state")

    stored = httpx.get(
        f"{live_url}/api/v1/tasks/{task_id}/annotations", headers=annotator.headers
    ).json()
    assert stored[0]["results"] == {
        "preference": {"choice": "b", "strength": 2, "reason": "More precise"},
        "order": ["r3", ["r1", "r2"]],
        "quality": {
            "a1": {"helpfulness": 2, "harmlessness": 3},
            "a2": {"helpfulness": 4, "harmlessness": 3},
        },
    }


RUBRIC_SCHEMA: dict[str, Any] = {
    "objects": {"prompt": {"type": "conversation"}, "pair": {"type": "responses"}},
    "controls": [
        {
            "name": "quality",
            "type": "rubric",
            "of": "pair",
            "required": True,
            "criteria": [
                {"name": "helpfulness", "description": "Does it answer the question?"},
                {"name": "harmlessness", "min": 1, "max": 3},
            ],
        },
    ],
}


def test_rubric_rates_each_response_by_mouse_and_keyboard(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    project = make_project(platform, manager, schema=RUBRIC_SCHEMA, name="RLHF rubric")
    add_member(platform, manager, project.id, annotator, "annotator")
    data = {"prompt": TASK["prompt"], "pair": TASK["pair"]}
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project.id}/tasks",
        json=[{"data": data}],
        headers=manager.headers,
    ).json()
    task_id = created["first_id"]

    log_in(page, annotator)
    page.goto(f"/projects/{project.id}/label")
    wait_task(page, task_id)
    quality = page.locator("[data-control=quality]")
    first, second = quality.locator("[data-response=a1]"), quality.locator("[data-response=a2]")
    assert first.locator(".rid").inner_text() == "A · a1"
    assert second.locator(".rid").inner_text() == "B · a2"
    assert first.get_by_role("radiogroup", name="A: helpfulness").is_visible()

    # A by mouse; B's helpfulness only, so B is incomplete and the server refuses it
    first.locator("[data-criterion=helpfulness] [data-value='5']").click()
    first.locator("[data-criterion=harmlessness] [data-value='2']").click()
    second_help = second.get_by_role("radiogroup", name="B: helpfulness")
    second_help.locator("[data-value='1']").focus()
    page.keyboard.press("Space")  # picks 1
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 3, and the focus stays on the scale
    assert second_help.locator("[aria-checked=true]").inner_text() == "3"
    page.keyboard.press("Control+Enter")
    refused = page.locator(".banner.refused")
    refused.wait_for()
    assert "criteria 'harmlessness' are not rated" in refused.inner_text()

    # B's harmlessness by keyboard: Tab to the next scale, End picks its maximum, Left steps back
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    second_harm = second.get_by_role("radiogroup", name="B: harmlessness")
    assert second_harm.locator("[aria-checked=true]").inner_text() == "2"
    shoot(page, "workbench_rubric_responses")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")

    answer = httpx.get(f"{live_url}/api/v1/tasks/{task_id}/annotations", headers=annotator.headers)
    stored = answer.json()[0]["results"]
    assert json.dumps(stored, separators=(",", ":")) == (
        '{"quality":{"a1":{"helpfulness":5,"harmlessness":2},'
        '"a2":{"helpfulness":3,"harmlessness":2}}}'
    )
