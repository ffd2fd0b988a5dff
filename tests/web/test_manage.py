"""Manager pages: create a project in the schema editor, import a CSV, see the progress chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labelwright.services.context import Platform
from tests.builders import make_user
from tests.web.conftest import log_in, shoot

pytestmark = pytest.mark.browser

SCHEMA = """objects:
  text: {type: text}
controls:
  - {name: topic, type: choices, of: text, options: [billing, bug, praise]}
  - {name: urgency, type: rating, of: text, min: 1, max: 3}
"""


def test_manager_creates_project_imports_csv_and_sees_progress(
    page: Any, platform: Platform, tmp_path: Path
) -> None:
    manager = make_user(platform, prefix="mgr")
    other = make_user(platform, prefix="ann")
    log_in(page, manager)
    page.goto("/projects/new")
    page.wait_for_selector("#schema-preview lw-spans")  # the example schema is previewed
    page.fill("input[name=name]", "Ticket triage")
    page.fill("#schema-source", SCHEMA.replace("type: rating", "type: ratings"))
    page.wait_for_selector("#schema-errors li")
    assert "ratings" in page.inner_text("#schema-errors")
    page.fill("#schema-source", SCHEMA)
    page.wait_for_selector("#schema-status.ok")
    page.wait_for_selector("#schema-preview lw-choices [data-option=praise]")
    page.wait_for_selector("#schema-preview lw-rating [data-value='3']")
    page.click("details > summary")
    page.fill("textarea[name=guidelines]", "# Triage\n\nPick **every** topic that applies.")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "project_new")
    page.click("#create-project")
    page.wait_for_url("**/import")
    project_id = int(page.url.rstrip("/").split("/")[-2])

    csv_file = tmp_path / "tickets.csv"
    lines = ["text,meta.channel"] + [f"Ticket number {i} cannot log in,email" for i in range(12)]
    csv_file.write_text("\n".join(lines) + "\n")
    page.set_input_files("#import-file", str(csv_file))
    page.click("#import-submit")
    page.wait_for_selector("#import-created")
    assert page.inner_text("#import-created") == "Imported 12 tasks."
    shoot(page, "import")

    page.click("nav.tabs >> text=Members")
    page.wait_for_selector("#member-table tbody tr")
    page.select_option("#member-user", str(other.actor.id))
    page.select_option("select[name=role]", "annotator")
    page.click("#member-form button[type=submit]")
    page.wait_for_selector(f"#member-table tr[data-user='{other.actor.id}']")

    page.goto(f"/projects/{project_id}")
    page.wait_for_selector("#state-chart svg rect[data-value='12']")
    assert page.inner_text("#stats").startswith("12")
    shoot(page, "project_new_overview")
