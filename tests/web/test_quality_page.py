"""The quality page: agreement per control, annotators, heatmap, weekly gold accuracy and the
label-issue list, on real data (two annotators who disagree, gold tasks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from labelwright.services import annotations, gold, quality_aggregates
from labelwright.services.context import Platform
from labelwright.store.models import Annotation, Project, Task
from tests.builders import add_member, make_project, make_user
from tests.web.conftest import log_in, shoot

pytestmark = pytest.mark.browser

SCHEMA: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg", "neu"]},
        {"name": "stars", "type": "rating", "of": "text", "min": 1, "max": 5},
    ],
}
SHOTS = Path("/tmp/shots")


def _build(platform: Platform) -> tuple[Any, int, list[int], list[Any]]:
    manager = make_user(platform, prefix="lead")
    project_id = make_project(platform, manager, schema=SCHEMA, name="Review sentiment").id
    ann = [make_user(platform, prefix=p) for p in ("alice", "bob")]
    for user in ann:
        add_member(platform, manager, project_id, user, "annotator")
    with platform.db.write() as session:
        tasks = [Task(project_id=project_id, data={"text": f"Review {i}"}) for i in range(24)]
        session.add_all(tasks)
        session.commit()
        task_ids = [t.id for t in tasks]
    gold_tasks = task_ids[:8]
    with platform.db.session() as session:
        gold.mark_gold(
            session,
            manager.actor,
            project_id,
            [
                gold.GoldItem(task_id=t, results={"sentiment": "pos", "stars": 4})
                for t in gold_tasks
            ],
        )
    labels = ["pos", "neg", "neu"]
    for i, task in enumerate(task_ids):
        first = labels[i % 3] if task not in gold_tasks else "pos"
        # Bob agrees on most tasks, disagrees on every fourth, and misses recent gold.
        second = first if i % 4 else labels[(i + 1) % 3]
        if task in gold_tasks and i >= 4:
            second = "neg"
        for user, label, stars in ((ann[0], first, 4), (ann[1], second, 3 + (i % 2))):
            with platform.db.session() as session:
                annotations.create_annotation(
                    session,
                    user.actor,
                    task,
                    results={"sentiment": label, "stars": stars},
                    lead_time_ms=2000 + 150 * i,
                )
    # Spread the work over four weeks (as if labeled over a month), then recount.
    with platform.db.write() as session:
        for week in range(4):
            chunk = task_ids[week::4]
            session.execute(
                update(Annotation)
                .where(Annotation.task_id.in_(chunk))
                .values(created_at=datetime.now(UTC) - timedelta(days=7 * (3 - week) + 1))
            )
        project = session.get(Project, project_id)
        quality_aggregates.rebuild_project(session, project)
        session.commit()
    return manager, project_id, task_ids, ann


def test_quality_page_shows_agreement_annotators_heatmap_gold_and_issues(
    page: Any, platform: Platform
) -> None:
    manager, project_id, task_ids, ann = _build(platform)
    log_in(page, manager)
    page.goto(f"/projects/{project_id}")
    page.click("nav.tabs >> text=Quality")
    page.wait_for_url(f"**/projects/{project_id}/quality")
    page.wait_for_selector("main[data-loaded=true]")

    controls = page.locator("#controls-table tbody tr")
    assert controls.count() == 2
    assert "alpha_nominal" in controls.nth(0).inner_text()
    assert page.inner_text("#quality-stats").startswith("48")

    rows = page.locator("#annotators-table tbody tr")
    assert rows.count() == 2
    alice = page.locator(f"#annotators-table tr[data-user='{ann[0].actor.id}']").inner_text()
    bob = page.locator(f"#annotators-table tr[data-user='{ann[1].actor.id}']").inner_text()
    assert "100.0%" in alice  # every gold answer right
    assert "alice" in alice and "bob" in bob and "stable" in alice

    cells = page.locator("#heatmap svg rect[data-value]")
    assert cells.count() == 4
    off_diagonal = float(
        page.get_attribute("#heatmap rect[data-row='0'][data-col='1']", "data-value")
    )
    assert 0.5 < off_diagonal < 1.0
    assert page.locator("#gold-chart svg path[data-series]").count() == 2

    issues = page.locator("#issues-table tbody tr[data-task]")
    assert issues.count() >= 1
    link = issues.first.locator("a")
    assert link.get_attribute("href").startswith(f"/projects/{project_id}/data?task=")
    assert int(issues.first.get_attribute("data-task")) in task_ids

    page.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.screenshot(path=str(SHOTS / "quality.png"), full_page=True)
    shoot(page, "quality")

    page.click("#send-to-review")
    page.wait_for_selector("#toast:not([hidden])")
    assert "sent back to review" in page.inner_text("#toast")


def test_quality_page_shows_changes_still_being_counted_and_updates_itself(
    page: Any, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager, project_id, task_ids, _ = _build(platform)
    monkeypatch.setattr(platform.settings, "quality_read_budget_ms", 0)  # reads count nothing
    with platform.db.session() as session:
        gold.mark_gold(
            session,
            manager.actor,
            project_id,
            [
                gold.GoldItem(task_id=t, results={"sentiment": "neg", "stars": 2})
                for t in task_ids[-3:]
            ],
        )
    log_in(page, manager)
    page.goto(f"/projects/{project_id}/quality")
    page.wait_for_selector("main[data-loaded=true]")
    assert "3 recent changes are still being counted" in page.inner_text("#computed")
    with platform.db.session() as session:  # what the background refresher does
        while quality_aggregates.refresh_dirty(session, project_id):
            pass
    page.wait_for_function(
        "!document.getElementById('computed').textContent.includes('being counted')",
        timeout=15_000,
    )
    rows = page.locator("#annotators-table tbody tr")
    assert rows.count() == 2
