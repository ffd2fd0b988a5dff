"""The labeling workbench: choice + NER spans (emoji, combining marks) + a relation."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from tests.builders import add_member, make_project, make_user
from tests.web.conftest import log_in, shoot
from tests.web.workbench_helpers import select_text, wait_task

pytestmark = pytest.mark.browser

NER_SCHEMA: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "of": "text",
            "options": ["positive", "negative", "neutral"],
        },
        {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]},
        {"name": "links", "type": "relations", "between": ["entities"], "labels": ["lives_in"]},
    ],
}
TEXT = "Zoë 👩🏽‍💻 works at Acme in Zu\u0308rich. Café ☕ after."
PERSON = "Zoë 👩🏽‍💻"
PLACE = "Zu\u0308rich"


def span(ident: str, needle: str, label: str) -> dict[str, Any]:
    start = TEXT.index(needle)  # Python counts code points, as the server does
    return {
        "id": ident,
        "start": start,
        "end": start + len(needle),
        "text": needle,
        "label": label,
    }


def test_label_choice_spans_relation_and_submit(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    project = make_project(platform, manager, schema=NER_SCHEMA, name="NER")
    add_member(platform, manager, project.id, annotator, "annotator")
    rows = [{"data": {"text": TEXT}}, {"data": {"text": "Second task about Oslo."}}]
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project.id}/tasks",
        json=rows,
        headers=manager.headers,
    ).json()
    first = created["first_id"]

    log_in(page, annotator)
    page.goto(f"/projects/{project.id}/label")
    wait_task(page, first)
    page.keyboard.press("1")
    select_text(page, "entities", PERSON)
    page.keyboard.press("4")
    select_text(page, "entities", PLACE)
    page.keyboard.press("6")
    chips = page.locator("[data-control=entities] .span-list li")
    assert chips.count() == 2
    links = page.locator("[data-control=links]")
    links.locator("select[name=from]").select_option("s1")
    links.locator("select[name=to]").select_option("s2")
    links.locator("button", has_text="Add relation").click()
    page.wait_for_selector("[data-control=links] [data-relation='0']")
    shoot(page, "workbench_label")

    # the draft survives a reload
    page.reload()
    wait_task(page, first)
    assert page.locator("[data-control=entities] .span-list li").count() == 2
    assert page.locator("[data-control=links] [data-relation]").count() == 1
    assert page.get_attribute("[data-option=positive]", "aria-checked") == "true"

    page.keyboard.press("Control+Enter")
    wait_task(page, first + 1)

    stored = httpx.get(
        f"{live_url}/api/v1/tasks/{first}/annotations", headers=annotator.headers
    ).json()
    assert len(stored) == 1
    expected = {
        "sentiment": "positive",
        "entities": [span("s1", PERSON, "PER"), span("s2", PLACE, "LOC")],
        "links": [{"from": "s1", "to": "s2", "label": "lives_in"}],
    }
    assert json.dumps(stored[0]["results"], sort_keys=True, ensure_ascii=False) == json.dumps(
        expected, sort_keys=True, ensure_ascii=False
    )
    assert stored[0]["lead_time_ms"] > 0

    # undo / redo on the next task, then skip it
    page.keyboard.press("2")
    assert page.get_attribute("[data-option=negative]", "aria-checked") == "true"
    page.keyboard.press("Control+z")
    assert page.get_attribute("[data-option=negative]", "aria-checked") == "false"
    page.keyboard.press("Control+Shift+Z")
    assert page.get_attribute("[data-option=negative]", "aria-checked") == "true"
    page.keyboard.press("Alt+s")
    page.wait_for_selector(".done-state")
    shoot(page, "workbench_done")
