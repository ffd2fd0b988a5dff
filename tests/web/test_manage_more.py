"""Manager pages beyond project creation: guidelines editor, export download, import with
rejected rows, and the data browser's annotator and label filters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from labelwright.services.context import Platform
from tests.builders import TEXT_SCHEMA, MadeUser, add_member, make_project, make_user
from tests.web.conftest import log_in, shoot

pytestmark = pytest.mark.browser


def project_of(platform: Platform, live_url: str, rows: list[Any]) -> tuple[MadeUser, int, int]:
    manager = make_user(platform, prefix="mgr")
    project_id = make_project(platform, manager, name="Support tickets").id
    first = 0
    if rows:
        created = httpx.post(
            f"{live_url}/api/v1/projects/{project_id}/tasks", json=rows, headers=manager.headers
        )
        created.raise_for_status()
        first = int(created.json()["first_id"])
    return manager, project_id, first


def test_guidelines_editor_previews_safely_and_saves_a_version(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager, project_id, _ = project_of(platform, live_url, [])
    log_in(page, manager)
    page.goto(f"/projects/{project_id}/settings")
    # the editor is read-only until the project's guidelines are in it
    page.wait_for_function("document.querySelector('#guidelines-source').dataset.loaded")
    source = page.locator("#guidelines-source")
    source.fill(
        "# Entities\n\nMark **people** as `PER`.\n\n- companies: ORG\n- places: LOC\n\n"
        '<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script>'
    )
    preview = page.locator("#guidelines-preview")
    assert preview.locator("h1").inner_text() == "Entities"
    assert preview.locator("strong").inner_text() == "people"
    assert preview.locator("code").inner_text() == "PER"
    assert preview.locator("li").count() == 2
    # raw HTML is shown as text, never run
    assert preview.locator("img, script").count() == 0
    assert "<img" in preview.inner_text()
    assert page.evaluate("window.__pwned") is None
    page.fill("#guidelines-changelog", "entity types")
    shoot(page, "guidelines_editor")
    page.click("#guidelines-save")
    page.wait_for_function("document.querySelector('#toast').textContent === 'Saved as version 2'")
    project = httpx.get(f"{live_url}/api/v1/projects/{project_id}", headers=manager.headers).json()
    assert project["guidelines"].startswith("# Entities")
    assert project["guideline_version"] == 2


def test_export_page_downloads_a_file_that_parses(
    page: Any, platform: Platform, live_url: str, tmp_path: Path
) -> None:
    rows = [{"data": {"text": f"Ticket {i}"}} for i in range(3)]
    manager, project_id, first = project_of(platform, live_url, rows)
    httpx.post(
        f"{live_url}/api/v1/tasks/{first}/annotations",
        json={"results": {"sentiment": "negative"}},
        headers=manager.headers,
    ).raise_for_status()
    log_in(page, manager)
    page.goto(f"/projects/{project_id}/export")
    shoot(page, "export")
    for fmt, suffix in (("jsonl", ".jsonl"), ("csv", ".csv")):
        page.select_option("#export-format", fmt)
        with page.expect_download() as info:
            page.get_by_role("button", name="Download").click()
        download = info.value
        assert download.suggested_filename.endswith(suffix)
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        text = target.read_text(encoding="utf-8")
        if fmt == "jsonl":
            lines = [json.loads(line) for line in text.splitlines() if line.strip()]
            assert [line["data"]["text"] for line in lines] == ["Ticket 0", "Ticket 1", "Ticket 2"]
            assert "negative" in json.dumps(lines[0])
        else:
            import csv

            table = list(csv.DictReader(text.splitlines()))
            assert len(table) == 3 and any("negative" in str(row) for row in table)


def test_import_shows_rejected_rows_with_line_and_reason(
    page: Any, platform: Platform, live_url: str, tmp_path: Path
) -> None:
    manager, project_id, _ = project_of(platform, live_url, [])
    bad = tmp_path / "tickets.jsonl"
    bad.write_text(
        "\n".join(
            [
                json.dumps({"data": {"text": "fine"}}),
                "{not json",
                json.dumps({"data": {"text": "also fine"}}),
                json.dumps(
                    {
                        "data": {"text": "bad label"},
                        "annotations": [{"results": {"sentiment": "meh"}}],
                    }
                ),
            ]
        )
        + "\n"
    )
    log_in(page, manager)
    page.goto(f"/projects/{project_id}/import")
    page.set_input_files("#import-file", str(bad))
    page.click("#import-submit")  # all or nothing by default: refused, rows listed
    page.wait_for_selector("#import-result .form-error")
    rejected = page.locator("#rejected tbody tr")
    assert rejected.count() == 2
    assert rejected.nth(0).locator("td").first.inner_text() == "2"
    assert rejected.nth(1).locator("td").first.inner_text() == "4"
    assert "meh" in rejected.nth(1).inner_text()
    tasks = httpx.get(f"{live_url}/api/v1/projects/{project_id}/tasks", headers=manager.headers)
    assert tasks.json()["items"] == []

    page.check("#import-skip")
    page.click("#import-submit")
    page.wait_for_selector("#import-created")
    assert page.inner_text("#import-created") == "Imported 2 tasks."
    assert page.locator("#rejected tbody tr").count() == 2
    shoot(page, "import_rejected")
    tasks = httpx.get(f"{live_url}/api/v1/projects/{project_id}/tasks", headers=manager.headers)
    assert [t["data"]["text"] for t in tasks.json()["items"]] == ["fine", "also fine"]


def test_data_browser_filters_by_annotator_and_label(
    page: Any, platform: Platform, live_url: str
) -> None:
    rows = [{"data": {"text": f"Acme ticket {i}"}} for i in range(4)]
    manager, project_id, first = project_of(platform, live_url, rows)
    other = make_user(platform, prefix="ann")
    add_member(platform, manager, project_id, other, "manager")
    acme = {"id": "s1", "start": 0, "end": 4, "text": "Acme", "label": "ORG"}

    def annotate(user: MadeUser, task_id: int, results: dict[str, Any]) -> None:
        httpx.post(
            f"{live_url}/api/v1/tasks/{task_id}/annotations",
            json={"results": results},
            headers=user.headers,
        ).raise_for_status()

    annotate(manager, first, {"sentiment": "positive"})
    annotate(other, first + 1, {"sentiment": "negative", "entities": [acme]})
    annotate(other, first + 2, {"entities": [{**acme, "label": "LOC"}]})
    log_in(page, manager)
    page.goto(f"/projects/{project_id}/data")
    page.wait_for_selector(f"#task-table tr[data-task='{first + 3}']")
    rows_shown = page.locator("#task-table tbody tr[data-task]")

    page.wait_for_selector(f"#filter-annotator option[value='{other.actor.id}']", state="attached")
    page.select_option("#filter-annotator", str(other.actor.id))
    page.click("#filters button[type=submit]")
    page.wait_for_function(
        "document.querySelectorAll('#task-table tbody tr[data-task]').length === 2"
    )
    assert [r.get_attribute("data-task") for r in rows_shown.all()] == [
        str(first + 1),
        str(first + 2),
    ]
    page.select_option("#filter-label", "entities:ORG")
    page.click("#filters button[type=submit]")
    page.wait_for_function(
        "document.querySelectorAll('#task-table tbody tr[data-task]').length === 1"
    )
    assert rows_shown.first.get_attribute("data-task") == str(first + 1)
    shoot(page, "data_filters")

    page.select_option("#filter-annotator", "")
    page.select_option("#filter-label", "sentiment:positive")
    page.click("#filters button[type=submit]")
    page.wait_for_function(
        f"document.querySelector('#task-table tbody tr[data-task]')?.dataset.task === '{first}'"
    )
    assert rows_shown.count() == 1
    # the task drawer names the annotator by email
    rows_shown.first.click()
    page.wait_for_selector("#drawer-body [data-annotation]")
    assert manager.actor.email in page.inner_text("#drawer-body")


def test_schema_check_goes_through_the_service_and_reports_problems(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager = make_user(platform, prefix="mgr")
    log_in(page, manager)
    ok = page.request.post("/ui/schema-check", data={"source": json.dumps(TEXT_SCHEMA)})
    assert ok.ok and ok.json()["schema"]["controls"][0]["name"] == "sentiment"
    bad = page.request.post("/ui/schema-check", data={"source": "objects: {}\ncontrols: []"})
    assert bad.status == 422 and bad.json()["errors"]


def test_guidelines_editor_waits_for_the_project_before_taking_input(
    page: Any, platform: Platform, live_url: str
) -> None:
    manager, project_id, _ = project_of(platform, live_url, [])
    httpx.put(
        f"{live_url}/api/v1/projects/{project_id}/guidelines",
        json={"text": "# Current rules\n\nTag people.", "changelog": "first"},
        headers=manager.headers,
    ).raise_for_status()
    log_in(page, manager)
    held: list[Any] = []
    page.route(f"**/api/v1/projects/{project_id}", lambda route: held.append(route))
    page.goto(f"/projects/{project_id}/settings")
    page.wait_for_function("document.querySelector('#guidelines-source').readOnly")
    source = page.locator("#guidelines-source")
    while not held:  # the project request is on hold
        page.wait_for_timeout(20)

    # typing before the project arrived neither lands nor gets lost later: the editor is
    # read-only, says so, and cannot be saved
    source.press_sequentially("typed too early")
    assert source.input_value() == ""
    assert source.get_attribute("placeholder") == "Loading the guidelines…"
    assert page.locator("#guidelines-save").is_disabled()

    held[0].continue_()
    page.wait_for_function("document.querySelector('#guidelines-source').dataset.loaded")
    assert source.input_value() == "# Current rules\n\nTag people."
    assert page.locator("#guidelines-preview h1").inner_text() == "Current rules"
    source.press("End")
    source.press_sequentially(" And places.")
    page.wait_for_timeout(100)
    assert source.input_value() == "# Current rules\n\nTag people. And places."
    page.click("#guidelines-save")
    page.wait_for_function("document.querySelector('#toast').textContent === 'Saved as version 3'")
    project = httpx.get(f"{live_url}/api/v1/projects/{project_id}", headers=manager.headers).json()
    assert project["guidelines"] == "# Current rules\n\nTag people. And places."


def test_export_page_shows_why_an_export_was_refused(
    page: Any, platform: Platform, live_url: str, tmp_path: Path
) -> None:
    manager, project_id, _ = project_of(platform, live_url, [{"data": {"text": "Ticket"}}])
    log_in(page, manager)
    page.goto(f"/projects/{project_id}/export")
    error = page.locator("#export-error")
    assert error.is_hidden()

    # the picker offers only the formats this schema allows: no COCO for a text project
    offered = page.locator("#export-format option").evaluate_all("os => os.map(o => o.value)")
    assert "jsonl" in offered and "csv" in offered and "coco" not in offered
    # a page left open while the schema changed elsewhere may still ask for COCO: the server
    # refuses with a problem detail, shown on the page
    page.locator("#export-format").evaluate(
        "s => s.append(new Option('coco (stale)', 'coco'))"
    )
    page.select_option("#export-format", "coco")
    page.get_by_role("button", name="Download").click()
    error.wait_for(state="visible")
    expected = httpx.get(
        f"{live_url}/api/v1/projects/{project_id}/export",
        params={"format": "coco"},
        headers=manager.headers,
    )
    assert expected.status_code == 422
    assert error.inner_text().splitlines()[0] == expected.json()["detail"]
    assert page.url.endswith(f"/projects/{project_id}/export")  # still on the page
    shoot(page, "export_error")

    # a good export after a refused one downloads the file and clears the error
    page.select_option("#export-format", "jsonl")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert json.loads(target.read_text(encoding="utf-8").splitlines()[0])["data"] == {
        "text": "Ticket"
    }
    assert error.is_hidden()
