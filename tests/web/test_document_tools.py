"""Document tools in the workbench: a 3-page PDF, a drawn region that takes the text under it, a
suggested region (from the PDF text layer) accepted and its text edited, a field linked to it,
the document type; the stored values are compared with what was done."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from labelwright.services import document_suggestions
from labelwright.services.context import Platform
from labelwright.services.demo_documents import DOCUMENT_SCHEMA, make_invoice
from tests.builders import MadeUser, add_member, make_project, make_user
from tests.web.conftest import ARTIFACTS, log_in
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def shoot(page: Any, name: str) -> None:
    for folder in (ARTIFACTS, SHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"))


def document_task(platform: Platform, live_url: str) -> tuple[MadeUser, int, int, dict[str, Any]]:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    project = make_project(platform, manager, schema=DOCUMENT_SCHEMA, name="Invoices")
    add_member(platform, manager, project.id, annotator, "annotator")
    invoice = make_invoice(random.Random(11), random.randint(100, 9999))
    stored = httpx.post(
        f"{live_url}/api/v1/media",
        files={"file": (invoice.filename, invoice.pdf, "application/pdf")},
        headers=manager.headers,
    ).json()
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project.id}/tasks",
        json=[{"data": {"document": stored["ref"]}}],
        headers=manager.headers,
    ).json()
    with platform.db.session() as session:
        job, options = document_suggestions.start_document_suggestions(
            session,
            manager.actor,
            project.id,
            engine=document_suggestions.SuggestEngine.TEXT_LAYER,
        )
    document_suggestions.run_document_suggestions(
        platform, manager.actor, job.id, project.id, options
    )
    return annotator, project.id, created["first_id"], invoice.fields


SUGGESTED = """
(texts) => {
  const tool = document.querySelector('[data-control=layout] lw-regions');
  return texts.map((t) => tool.context.suggestions.find((s) => s.text === t));
}
"""


def at(page: Any, x: float, y: float) -> tuple[float, float]:
    cx, cy = page.evaluate(
        "([x, y]) => document.querySelector('lw-document lw-image-stage').clientOf(x, y)", [x, y]
    )
    return float(cx), float(cy)


def drag(page: Any, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*at(page, *a))
    page.mouse.down()
    page.mouse.move(*at(page, *b), steps=6)
    page.mouse.up()


def test_region_suggestion_field_and_type_are_stored(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    annotator, project_id, task_id, truth = document_task(platform, live_url)
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, task_id)
    page.wait_for_selector("lw-document lw-image-stage[data-ready=true]")
    assert page.locator("lw-document .doc-thumb").count() == 3
    assert page.locator("lw-document .doc-page-label").text_content() == "Page 1 / 3"
    layout = page.locator("[data-control=layout]")
    # the text-layer suggestions of page 1 are listed and drawn dashed
    assert layout.locator(".doc-sugg li").count() >= 10
    assert page.locator("lw-document .ghost").count() >= 10
    page.locator("[data-control=doctype] [data-option=invoice]").click()
    shoot(page, "doc-suggestions")

    # accept the suggestion for the invoice number, then edit its text
    number = truth["invoice_number"]
    row = layout.locator(".doc-sugg li", has_text=number)
    row.locator("[data-action=accept]").click()
    assert layout.locator(".rt-list li").count() == 1
    text = layout.locator("textarea[name=text]")
    assert text.input_value() == number
    text.fill(f"{number} (checked)")
    text.press("Tab")
    shoot(page, "doc-accepted")

    # draw a region around the "Total:" line on page 1: it takes the text under it
    page.locator("[data-control=layout] [data-label=value]").click()
    page.wait_for_function("document.querySelector('lw-document').layers.get(0)")
    key, amount = page.evaluate(SUGGESTED, ["Total:", f"${truth['total']:,.2f}"])
    box = (key["x"] - 8, key["y"] - 6, amount["x"] + amount["w"] + 8, amount["y"] + amount["h"] + 6)
    drag(page, box[:2], box[2:])
    assert layout.locator(".rt-list li").count() == 2
    drawn_text = layout.locator("textarea[name=text]").input_value()
    assert drawn_text == f"Total: ${truth['total']:,.2f}"

    # link the invoice_number field to the accepted region by picking it in the region list
    fields = page.locator("[data-control=fields]")
    fields.locator("[data-field=invoice_number] [data-action=link]").click()
    layout.locator(".rt-list li", has_text=number).locator(".rt-pick").click()
    assert (
        fields.locator("[data-field=invoice_number] input[name=value-invoice_number]").input_value()
        == f"{number} (checked)"
    )
    value = fields.locator("input[name=value-total]")
    value.fill("$1.234,50")
    value.press("Tab")
    assert fields.locator("input[name=normalized-total]").input_value() == "1234.5"
    shoot(page, "doc-fields")

    # page 2 shows its own suggestions and none of page 1's regions
    page.locator("lw-document [data-page=next]").click()
    page.wait_for_function("document.querySelector('lw-document').dataset.page === '1'")
    page.wait_for_selector("lw-document lw-image-stage[data-ready=true]")
    assert layout.locator(".rt-list li").count() == 0
    assert layout.locator(".doc-sugg li", has_text="Terms and conditions").count() == 1
    shoot(page, "doc-page2")

    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    stored = httpx.get(
        f"{live_url}/api/v1/tasks/{task_id}/annotations", headers=annotator.headers
    ).json()
    assert len(stored) == 1
    results = stored[0]["results"]
    assert results["doctype"] == "invoice"
    regions = {r["text"]: r for r in results["layout"]}
    accepted = regions[f"{number} (checked)"]
    assert accepted["page"] == 0 and accepted["label"] == "value" and accepted["order"] == 0
    drawn = regions[f"Total: ${truth['total']:,.2f}"]
    assert drawn["page"] == 0 and drawn["order"] == 1 and drawn["label"] == "value"
    # the drag's screen pixels map back to source pixels within one screen pixel
    for got, want in zip(
        (drawn["x"], drawn["y"], drawn["x"] + drawn["w"], drawn["y"] + drawn["h"]), box, strict=True
    ):
        assert abs(got - want) <= 3, (drawn, box)
    by_name = {f["name"]: f for f in results["fields"]}
    assert by_name["invoice_number"]["region"] == accepted["id"]
    assert by_name["invoice_number"]["value"] == f"{number} (checked)"
    assert by_name["invoice_number"]["normalized"] == f"{number}(checked)"
    assert by_name["total"] == {
        "id": by_name["total"]["id"],
        "name": "total",
        "value": "$1.234,50",
        "normalized": 1234.5,
    }
