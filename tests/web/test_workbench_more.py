"""The workbench beyond the basic flows: keyboard spans, suggestions, escalate/release,
guidelines, number/textarea, translation pairs, relation drawing, drag ranking."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, make_project, make_user
from tests.web.conftest import log_in, shoot
from tests.web.workbench_helpers import select_text, wait_task

pytestmark = pytest.mark.browser

SPANS_ONLY: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]},
    ],
}
TEXT = "Zoë 👩🏽‍💻 works at Acme in Zu\u0308rich."


def span(ident: str, needle: str, label: str, text: str = TEXT) -> dict[str, Any]:
    start = text.index(needle)  # Python counts code points, as the server does
    return {"id": ident, "start": start, "end": start + len(needle), "text": needle, "label": label}


def project_with_tasks(
    platform: Platform,
    live_url: str,
    schema: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    role: str = "annotator",
    **project: Any,
) -> tuple[MadeUser, MadeUser, int, int]:
    """A project with `rows` imported; returns (manager, member with `role`, project, first)."""
    manager = make_user(platform, prefix="mgr")
    member = make_user(platform, prefix=role[:3])
    if project:
        answer = httpx.post(
            f"{live_url}/api/v1/projects",
            json={"name": "More", "schema": schema, **project},
            headers=manager.headers,
        )
        answer.raise_for_status()
        project_id = int(answer.json()["id"])
    else:
        project_id = make_project(platform, manager, schema=schema, name="More").id
    add_member(platform, manager, project_id, member, role)
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project_id}/tasks", json=rows, headers=manager.headers
    )
    created.raise_for_status()
    return manager, member, project_id, int(created.json()["first_id"])


def stored(live_url: str, user: MadeUser, task_id: int) -> list[dict[str, Any]]:
    answer = httpx.get(f"{live_url}/api/v1/tasks/{task_id}/annotations", headers=user.headers)
    answer.raise_for_status()
    return list(answer.json())


def test_keyboard_only_span_selection_keeps_code_point_offsets(
    page: Any, platform: Platform, live_url: str
) -> None:
    _, annotator, project_id, task_id = project_with_tasks(
        platform, live_url, SPANS_ONLY, [{"data": {"text": TEXT}}]
    )
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, task_id)
    box = page.locator("[data-control=entities] .spans-text")
    status = page.locator("[data-control=entities] .spans-status")
    box.focus()
    keys = page.keyboard

    # "Zoë" by word, then the space and the whole emoji by character
    keys.press("Control+Shift+ArrowRight")
    assert "“Zoë”" in status.inner_text()
    keys.press("Shift+ArrowRight")
    keys.press("Shift+ArrowRight")
    person = "Zoë 👩🏽‍💻"
    selected = f"Selected 0\u2013{len(person)} “{person}”"  # code points
    assert selected in status.inner_text()
    keys.press("1")  # PER
    assert page.locator("[data-control=entities] .span-list li").count() == 1
    assert page.evaluate("document.activeElement.classList.contains('spans-text')")

    # "Acme" character by character, after two words; Shift+ArrowLeft shrinks again
    keys.press("Control+ArrowRight")
    keys.press("Control+ArrowRight")
    keys.press("ArrowRight")
    for _ in range(5):
        keys.press("Shift+ArrowRight")
    keys.press("Shift+ArrowLeft")
    assert "“Acme”" in status.inner_text()
    keys.press("2")  # ORG

    # Escape drops a selection; a pressed label arms it, Enter applies it
    keys.press("Shift+End")
    assert "Selected" in status.inner_text()
    keys.press("Escape")
    assert f"Caret at {len(TEXT)} of {len(TEXT)}" in status.inner_text()
    keys.press("3")  # nothing selected: arms LOC
    assert page.get_attribute("[data-control=entities] [data-label=LOC]", "aria-pressed") == "true"
    keys.press("Control+ArrowLeft")  # from the end to the start of the last word
    keys.press("Shift+ArrowRight")
    keys.press("Shift+ArrowRight")
    assert "“Zu\u0308”" in status.inner_text()  # u and its combining mark move together
    keys.press("Control+Shift+ArrowRight")
    keys.press("Enter")
    shoot(page, "workbench_keyboard_spans")
    keys.press("Control+Enter")
    page.wait_for_selector(".done-state")

    (annotation,) = stored(live_url, annotator, task_id)
    assert annotation["results"] == {
        "entities": [
            span("s1", "Zoë 👩🏽‍💻", "PER"),
            span("s2", "Acme", "ORG"),
            span("s3", "Zu\u0308rich", "LOC"),
        ]
    }


def test_mouse_click_places_the_keyboard_caret(
    page: Any, platform: Platform, live_url: str
) -> None:
    _, annotator, project_id, task_id = project_with_tasks(
        platform, live_url, SPANS_ONLY, [{"data": {"text": TEXT}}]
    )
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, task_id)
    page.locator("[data-control=entities] .spans-text").focus()  # as the mouse press does
    select_text(page, "entities", "Acme")
    page.keyboard.press("Shift+ArrowRight")  # extends the mouse selection by the space...
    page.keyboard.press("Control+Shift+ArrowRight")  # ...and the next word
    assert "“Acme in”" in page.inner_text("[data-control=entities] .spans-status")
    page.keyboard.press("2")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    (annotation,) = stored(live_url, annotator, task_id)
    assert annotation["results"]["entities"] == [span("s1", "Acme in", "ORG")]


NER: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg", "neu"]},
        {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]},
        {"name": "links", "type": "relations", "between": ["entities"], "labels": ["works_at"]},
    ],
}
PLAIN = "Ann works at Acme in Oslo."


def test_accepting_and_correcting_suggestions_record_their_origin(
    page: Any, platform: Platform, live_url: str
) -> None:
    suggested = {
        "sentiment": "pos",
        "entities": [span("s1", "Ann", "PER", PLAIN), span("s2", "Acme", "LOC", PLAIN)],
    }
    prediction = {"results": suggested, "score": 0.73, "origin": "model:ner@3"}
    rows = [{"data": {"text": PLAIN}, "predictions": [prediction]} for _ in range(2)]
    _, annotator, project_id, first = project_with_tasks(platform, live_url, NER, rows)
    base = f"{live_url}/api/v1"
    ids = [
        httpx.get(f"{base}/tasks/{t}/predictions", headers=annotator.headers).json()[0]["id"]
        for t in (first, first + 1)
    ]
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, first)
    card = page.locator(f".suggestion[data-prediction='{ids[0]}']")
    assert "model:ner@3" in card.inner_text() and "score 0.73" in card.inner_text()
    card.get_by_role("button", name="Use suggestion").click()
    assert page.get_attribute("[data-option=pos]", "aria-checked") == "true"
    assert page.locator("[data-control=entities] .span-list li").count() == 2
    assert card.get_by_role("button").inner_text() == "In use"
    shoot(page, "workbench_suggestion")
    page.keyboard.press("Control+Enter")  # accepted as it is
    wait_task(page, first + 1)

    page.locator(".suggestion button").click()
    page.keyboard.press("2")  # sentiment: neg
    page.locator("[data-control=entities] .span-list li[data-span=s2] button").click()
    select_text(page, "entities", "Acme")
    page.keyboard.press("5")  # ORG
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")

    (accepted,) = stored(live_url, annotator, first)
    assert accepted["origin"] == f"prediction:{ids[0]}"
    assert accepted["results"] == suggested
    (corrected,) = stored(live_url, annotator, first + 1)
    assert corrected["origin"] == f"prediction:{ids[1]}"
    assert corrected["results"] == {
        "sentiment": "neg",
        "entities": [span("s1", "Ann", "PER", PLAIN), span("s2", "Acme", "ORG", PLAIN)],
    }


def label_by_api(live_url: str, project_id: int, user: MadeUser, results: dict[str, Any]) -> int:
    base = f"{live_url}/api/v1"
    served = httpx.post(f"{base}/projects/{project_id}/next", headers=user.headers).json()
    answer = httpx.post(
        f"{base}/assignments/{served['assignment']['id']}/submit",
        json={"results": results},
        headers=user.headers,
    )
    answer.raise_for_status()
    return int(served["task"]["id"])


def test_reviewer_accepts_one_and_fixes_another(
    page: Any, platform: Platform, live_url: str
) -> None:
    rows = [{"data": {"text": PLAIN}}, {"data": {"text": PLAIN}}]
    manager, annotator, project_id, first = project_with_tasks(
        platform, live_url, NER, rows, workflow={"review": {"sample": 1.0}}
    )
    reviewer = make_user(platform, prefix="rev")
    add_member(platform, manager, project_id, reviewer, "reviewer")
    label_by_api(live_url, project_id, annotator, {"sentiment": "pos"})
    label_by_api(
        live_url,
        project_id,
        annotator,
        {"sentiment": "neg", "entities": [span("s1", "Oslo", "PER", PLAIN)]},
    )
    base = f"{live_url}/api/v1"

    log_in(page, reviewer)
    page.goto(f"/projects/{project_id}/review")
    wait_task(page, first)
    assert "Annotation under review" in (page.text_content(".review-card") or "")
    page.keyboard.press("Alt+a")  # accept
    wait_task(page, first + 1)
    task = httpx.get(f"{base}/tasks/{first}", headers=manager.headers).json()
    assert (task["state"], task["final_path"]) == ("done", "review:accept")

    original = stored(live_url, manager, first + 1)[0]
    page.keyboard.press("Alt+f")  # fix it myself
    page.wait_for_selector("[data-action='submit fix']")
    page.locator("[data-control=entities] .span-list li[data-span=s1] button").click()
    select_text(page, "entities", "Oslo")
    page.keyboard.press("6")  # LOC
    page.fill("#review-comment", "Oslo is a place.")
    page.select_option("#review-severity", "minor")
    shoot(page, "review_fix")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")

    task = httpx.get(f"{base}/tasks/{first + 1}", headers=manager.headers).json()
    assert (task["state"], task["final_path"]) == ("done", "review:fix")
    final = next(a for a in stored(live_url, manager, first + 1) if a["id"] != original["id"])
    assert task["final_annotation_id"] == final["id"] and final["parent_id"] == original["id"]
    assert final["results"] == {"sentiment": "neg", "entities": [span("s1", "Oslo", "LOC", PLAIN)]}


def test_expert_composes_the_final_result(page: Any, platform: Platform, live_url: str) -> None:
    manager, first_annotator, project_id, task_id = project_with_tasks(
        platform, live_url, NER, [{"data": {"text": PLAIN}}], workflow={"overlap": 2}
    )
    second = make_user(platform, prefix="ann")
    expert = make_user(platform, prefix="exp")
    add_member(platform, manager, project_id, second, "annotator")
    add_member(platform, manager, project_id, expert, "expert")
    label_by_api(live_url, project_id, first_annotator, {"sentiment": "pos"})
    label_by_api(
        live_url,
        project_id,
        second,
        {"sentiment": "neg", "entities": [span("s1", "Acme", "ORG", PLAIN)]},
    )
    log_in(page, expert)
    page.goto(f"/projects/{project_id}/adjudicate")
    wait_task(page, task_id)
    diff = page.locator("#compare tr[data-control=entities] td")
    assert diff.count() == 2 and "diff" in (diff.first.get_attribute("class") or "")
    # start from the first annotation, take the second one's span, pick a third sentiment
    page.keyboard.press("3")  # sentiment: neu
    select_text(page, "entities", "Acme")
    page.keyboard.press("5")  # ORG
    select_text(page, "entities", "Ann")
    page.keyboard.press("4")  # PER
    shoot(page, "adjudicate_compose")
    page.get_by_role("button", name="Submit final").click()
    page.wait_for_selector(".done-state")
    task = httpx.get(f"{live_url}/api/v1/tasks/{task_id}", headers=manager.headers).json()
    assert (task["state"], task["final_path"]) == ("done", "adjudication:write")
    final = next(
        a for a in stored(live_url, manager, task_id) if a["id"] == task["final_annotation_id"]
    )
    assert final["results"] == {
        "sentiment": "neu",
        "entities": [span("s2", "Ann", "PER", PLAIN), span("s1", "Acme", "ORG", PLAIN)],
    }


def test_escalate_with_a_reason_and_release(page: Any, platform: Platform, live_url: str) -> None:
    rows = [{"data": {"text": PLAIN}}, {"data": {"text": "Second text."}}]
    manager, annotator, project_id, first = project_with_tasks(platform, live_url, NER, rows)
    expert = make_user(platform, prefix="exp")
    add_member(platform, manager, project_id, expert, "expert")
    base = f"{live_url}/api/v1"
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, first)
    page.keyboard.press("2")  # a draft: neg
    page.keyboard.press("Alt+e")
    dialog = page.locator("#escalate-dialog")
    dialog.wait_for(state="visible")
    page.locator("#escalate-confirm").click()  # no reason: refused, the dialog stays
    assert dialog.is_visible()
    page.fill("#escalate-reason", "Is a company a person here?")
    shoot(page, "workbench_escalate")
    page.locator("#escalate-confirm").click()
    wait_task(page, first + 1)
    task = httpx.get(f"{base}/tasks/{first}", headers=manager.headers).json()
    assert task["state"] == "adjudication"

    page.keyboard.press("Alt+r")  # release the second task: it goes back to the pool
    page.wait_for_function(
        "document.querySelector('#toast').textContent === 'Released'", polling=100
    )
    wait_task(page, first + 1)  # released, it is the next available task again

    log_in(page, expert)
    page.goto(f"/projects/{project_id}/adjudicate")
    wait_task(page, first)
    assert "Escalated: Is a company a person here?" in page.inner_text("#banner-area")
    # the annotator's draft is where the expert starts
    assert page.get_attribute("[data-control=sentiment] [data-option=neg]", "aria-checked") == (
        "true"
    )


def test_changed_guidelines_are_shown_until_acknowledged(
    page: Any, platform: Platform, live_url: str
) -> None:
    rows = [{"data": {"text": PLAIN}}, {"data": {"text": "Second text."}}]
    manager, annotator, project_id, first = project_with_tasks(
        platform, live_url, NER, rows, guidelines="# Rules\n\nLabel **people** as PER."
    )
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, first)
    assert page.locator("#banner-area .banner").count() == 0
    page.keyboard.press("g")
    dialog = page.locator("#guidelines-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator("#guidelines-body h1").inner_text() == "Rules"
    assert dialog.locator("#guidelines-body strong").inner_text() == "people"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    changed = httpx.put(
        f"{live_url}/api/v1/projects/{project_id}/guidelines",
        json={"text": "# Rules\n\nCompanies are ORG, never PER.", "changelog": "companies"},
        headers=manager.headers,
    )
    assert changed.json()["version"] == 2
    page.reload()
    wait_task(page, first)
    banner = page.locator("#banner-area .banner.warn")
    assert "The guidelines changed: v2: companies." in banner.inner_text()
    shoot(page, "workbench_guidelines_changed")
    page.locator("#ack-guidelines").click()
    dialog.wait_for(state="visible")
    assert "never PER" in dialog.inner_text()
    banner.wait_for(state="detached")
    dialog.locator("[data-close]").click()
    page.reload()
    wait_task(page, first)
    assert page.locator("#banner-area .banner").count() == 0


SCALARS: dict[str, Any] = {
    "objects": {"source": {"type": "text"}, "context": {"type": "text"}},
    "controls": [
        {"name": "translation", "type": "textarea", "of": "source", "max_length": 80},
        {"name": "fluency", "type": "number", "of": "source", "min": 0, "max": 10},
        {"name": "words", "type": "number", "of": "source", "integer": True},
        {"name": "note", "type": "textarea", "of": "context"},
        {"name": "topic", "type": "choice", "of": "context", "options": ["travel", "food"]},
        {"name": "context_entities", "type": "spans", "of": "context", "labels": ["LOC"]},
    ],
}


def test_number_textarea_and_translation_pair(page: Any, platform: Platform, live_url: str) -> None:
    data = {"source": "Der Zug fährt um acht.", "context": "Bahnhof Zürich"}
    _, annotator, project_id, task_id = project_with_tasks(
        platform, live_url, SCALARS, [{"data": data}]
    )
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, task_id)
    pair = page.locator("[data-control=translation] .pair")
    assert pair.locator(".pair-text").inner_text() == data["source"]
    # the paired source is not shown a second time; the spans' text object is not paired
    assert page.locator("[data-object=source]").count() == 0
    assert page.locator("[data-control=note] .pair").count() == 0
    box = pair.locator(".pair-text").bounding_box()
    area = pair.locator("textarea").bounding_box()
    assert box and area and area["x"] > box["x"] + box["width"] - 1  # side by side
    pair.locator("textarea").fill("The train leaves at eight. 🚆")
    assert pair.locator(".ta-count").inner_text() == "28 / 80"  # code points
    page.locator("[data-control=fluency] input").fill("7.5")
    page.locator("[data-control=words] input").fill("5")
    page.locator("[data-control=words] input").press("Tab")
    page.locator("[data-control=note] textarea").fill("Station name")
    page.locator("[data-control=note] textarea").press("Tab")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    shoot(page, "workbench_translation_pair")
    page.reload()  # the draft keeps all four
    wait_task(page, task_id)
    assert page.locator("[data-control=fluency] input").input_value() == "7.5"
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector(".done-state")
    (annotation,) = stored(live_url, annotator, task_id)
    assert annotation["results"] == {
        "translation": "The train leaves at eight. 🚆",
        "fluency": 7.5,
        "words": 5,
        "note": "Station name",
    }


def test_relation_drawn_by_clicking_two_spans(page: Any, platform: Platform, live_url: str) -> None:
    schema = {
        **NER,
        "controls": [
            *NER["controls"][:2],
            {
                "name": "links",
                "type": "relations",
                "between": ["entities"],
                "labels": ["works_at", "lives_in"],
            },
        ],
    }
    _, annotator, project_id, task_id = project_with_tasks(
        platform, live_url, schema, [{"data": {"text": PLAIN}}]
    )
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, task_id)
    for needle, key in (("Ann", "4"), ("Acme", "5"), ("Oslo", "6")):
        select_text(page, "entities", needle)
        page.keyboard.press(key)
    marks = page.locator("[data-control=entities] .spans-text mark")
    draw = page.locator("[data-control=links] .rel-draw")
    marks.nth(0).click()
    assert "now click the other region" in draw.inner_text()
    marks.nth(2).click()
    assert draw.locator("[data-relation-label]").count() == 2
    shoot(page, "workbench_relation_draw")
    page.keyboard.press("Escape")  # changed my mind
    assert draw.locator("[data-relation-label]").count() == 0
    marks.nth(0).click()
    marks.nth(1).click()
    draw.locator("[data-relation-label=works_at]").click()
    marks.nth(0).click()
    marks.nth(2).click()
    draw.locator("[data-relation-label=lives_in]").click()
    assert page.locator("[data-control=links] [data-relation]").count() == 2
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    (annotation,) = stored(live_url, annotator, task_id)
    assert annotation["results"]["links"] == [
        {"from": "s1", "to": "s2", "label": "works_at"},
        {"from": "s1", "to": "s3", "label": "lives_in"},
    ]


RANKING: dict[str, Any] = {
    "objects": {"candidates": {"type": "responses"}},
    "controls": [{"name": "order", "type": "ranking", "of": "candidates"}],
}
CANDIDATES = [
    {"id": "r1", "text": "Boil 9 minutes."},
    {"id": "r2", "text": "Boil 7 minutes."},
    {"id": "r3", "text": "Steam 12 minutes."},
    {"id": "r4", "text": "Fry it."},
]


def test_ranking_by_drag_and_by_keys(page: Any, platform: Platform, live_url: str) -> None:
    rows = [{"data": {"candidates": CANDIDATES}} for _ in range(2)]
    _, annotator, project_id, first = project_with_tasks(platform, live_url, RANKING, rows)
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, first)
    items = page.locator("[data-control=order] .rank-item")
    items.nth(2).drag_to(items.nth(0))  # r3 to the top
    assert items.nth(0).get_attribute("data-group") == "r3"
    items.nth(3).drag_to(items.nth(1))  # r4 second
    shoot(page, "workbench_ranking_drag")
    page.keyboard.press("Control+Enter")
    wait_task(page, first + 1)

    items.nth(3).focus()  # r4: up twice, then tie it with r2
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("t")
    assert items.nth(1).get_attribute("data-group") == "r4,r2"
    page.keyboard.press("ArrowDown")  # the tie group moves as one
    assert items.nth(2).get_attribute("data-group") == "r4,r2"
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    assert stored(live_url, annotator, first)[0]["results"] == {"order": ["r3", "r4", "r1", "r2"]}
    assert stored(live_url, annotator, first + 1)[0]["results"] == {
        "order": ["r1", "r3", ["r4", "r2"]]
    }


BUCKETS: dict[str, Any] = {
    "objects": {"candidates": {"type": "responses"}},
    "controls": [
        {
            "name": "order",
            "type": "ranking",
            "of": "candidates",
            "allow_ties": True,
            "buckets": ["good", "fair", "bad"],
        }
    ],
}


def test_named_buckets_keep_empty_places_and_store_by_bucket(
    page: Any, platform: Platform, live_url: str
) -> None:
    rows = [{"data": {"candidates": CANDIDATES}}]
    _, annotator, project_id, first = project_with_tasks(platform, live_url, BUCKETS, rows)
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, first)
    places = page.locator("[data-control=order] .bucket")
    assert places.evaluate_all("ps => ps.map(p => p.dataset.bucket)") == [
        "good",
        "fair",
        "bad",
        "No bucket",
    ]
    page.get_by_role("button", name="Move r3 to good").click()
    page.get_by_role("button", name="Move r1 to good").click()
    page.locator("[data-control=order] .member[data-response=r4]").focus()
    page.keyboard.press("3")  # r4 to the third bucket, by key
    assert page.locator("[data-bucket=bad] .member").evaluate_all(
        "ms => ms.map(m => m.dataset.response)"
    ) == ["r4"]
    shoot(page, "workbench_ranking_buckets")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    # fair stays an empty place; r2, in no bucket, is the last place
    assert stored(live_url, annotator, first)[0]["results"] == {
        "order": [["r3", "r1"], [], "r4", "r2"]
    }
