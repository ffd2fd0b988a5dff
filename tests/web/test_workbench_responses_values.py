"""A Label Studio Pairwise project: plain `{prompt, answer1, answer2}` tasks, two responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from labelwright.formats.label_studio_config import parse_label_config
from labelwright.services.context import Platform
from tests.builders import add_member, make_project, make_user
from tests.web.conftest import log_in, shoot
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser

CONFIG = Path(__file__).parents[1] / "formats" / "fixtures" / "label_studio" / "pairwise_rlhf.xml"


def test_pairwise_responses_from_two_data_keys_render_and_are_stored(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    schema = parse_label_config(CONFIG.read_text()).to_json()
    project = make_project(platform, manager, schema=schema, name="LS pairwise")
    add_member(platform, manager, project.id, annotator, "annotator")
    line = {"prompt": "Explain DNS.", "answer1": "It maps names to IPs.", "answer2": "A database?"}
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project.id}/tasks",
        content=json.dumps(line).encode() + b"\n",
        headers={**manager.headers, "Content-Type": "application/x-ndjson"},
    )
    assert created.status_code in (200, 201), created.text
    task_id = created.json()["first_id"]

    log_in(page, annotator)
    page.goto(f"/projects/{project.id}/label")
    wait_task(page, task_id)
    shown = page.locator("[data-object=comparison_responses] [data-response]")
    assert shown.count() == 2
    first, second = shown.nth(0), shown.nth(1)
    assert first.get_attribute("data-response") == "answer1"
    assert first.locator(".rid").inner_text() == "A · answer1"
    assert "It maps names to IPs." in first.inner_text()
    assert second.locator(".rid").inner_text() == "B · answer2"
    assert "A database?" in second.inner_text()
    # the compared texts are shown once, as the responses; the prompt on its own
    assert page.locator("[data-object=left_answer]").count() == 0
    assert page.locator("[data-object=right_answer]").count() == 0
    assert "Explain DNS." in page.locator("[data-object=prompt]").inner_text()
    shoot(page, "workbench_pairwise_values")
    page.keyboard.press("1")  # pairwise: A is better
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector(".done-state")

    stored = httpx.get(
        f"{live_url}/api/v1/tasks/{task_id}/annotations", headers=annotator.headers
    ).json()
    assert stored[0]["results"] == {"comparison": {"choice": "a"}}
    pairs = httpx.get(
        f"{live_url}/api/v1/projects/{project.id}/export",
        params={"format": "preference-pairs"},
        headers=manager.headers,
    )
    [pair] = [json.loads(x) for x in pairs.text.splitlines()]
    assert (pair["prompt"], pair["chosen"], pair["rejected"]) == (
        "Explain DNS.",
        "It maps names to IPs.",
        "A database?",
    )
