"""`labelwright documents suggest` and the SDK's suggestion-job methods against a live server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labelwright.errors import Conflict, NotFound
from labelwright.sdk import Client
from labelwright.services.demo_pdf import PdfPage, write_pdf
from tests.cli.conftest import Cli

SCHEMA = {
    "objects": {"document": {"type": "document"}},
    "controls": [
        {"name": "layout", "type": "regions", "of": "document", "labels": ["header", "text"]},
    ],
}
NO_REGIONS = {
    "objects": {"document": {"type": "document"}},
    "controls": [{"name": "kind", "type": "choice", "of": "document", "options": ["a", "b"]}],
}


def _pdf(title: str) -> bytes:
    page = PdfPage()
    page.text(72, 72, title, size=20, bold=True)
    page.text(72, 120, "Plain body text")
    page.text(72, 140, "More body text")
    return write_pdf([page])


def _project(cli: Cli, tmp_path: Path, schema: dict[str, Any], name: str) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(schema))
    created: Any = cli("project", "create", "--name", name, "--schema", str(path))
    assert created.exit_code == 0, created.stderr
    return str(created.stdout.strip())


def _setup(cli: Cli, live_server: str, tmp_path: Path) -> tuple[str, str]:
    cli("user", "create", "--email", "m@example.org", "--password", "long-password", "--admin")
    token = str(cli("token", "create", "--user", "m@example.org").stdout.strip())  # type: ignore[attr-defined]
    cli.env.update({"LABELWRIGHT_URL": live_server, "LABELWRIGHT_TOKEN": token})
    project = _project(cli, tmp_path, SCHEMA, "Docs")
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for number in range(3):
        (folder / f"doc-{number}.pdf").write_bytes(_pdf(f"Document {number}"))
    imported: Any = cli("import", project, str(folder))
    assert imported.exit_code == 0, imported.stderr
    return project, token


def test_suggest_fills_every_document_and_a_second_run_skips_them(
    cli: Cli, live_server: str, tmp_path: Path
) -> None:
    project, token = _setup(cli, live_server, tmp_path)
    first: Any = cli("documents", "suggest", "--project", project, "--engine", "text-layer")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip().endswith(
        "done: 3/3 task(s) read; suggested for 3, skipped 0, failed 0; 3 prediction(s)."
    )
    with Client(live_server, token) as client:
        tasks = list(client.list_tasks(int(project)))
        assert len(tasks) == 3
        for task in tasks:
            (prediction,) = client.list_predictions(task.id)
            assert prediction.origin == "rule:pdf-text-layer" and prediction.score == 1
            layout = prediction.results["layout"]
            assert [region["text"] for region in layout][1] == "Plain body text"
            assert layout[0]["label"] == "header" and layout[1]["label"] == "text"
    again: Any = cli("documents", "suggest", "--project", project, "--engine", "text-layer")
    assert again.exit_code == 0, again.stderr
    assert "suggested for 0, skipped 3, failed 0" in again.stdout


def test_sdk_starts_and_follows_the_job_to_its_end(
    cli: Cli, live_server: str, tmp_path: Path
) -> None:
    project, token = _setup(cli, live_server, tmp_path)
    with Client(live_server, token) as client:
        job = client.suggest_document_regions(int(project), engine="text-layer", label="text")
        assert job.kind == "documents.suggest" and job.total == 3
        seen = list(client.follow_document_job(int(project), job.id, interval=0.05, timeout=120))
        assert [j.done for j in seen] == sorted(j.done for j in seen)
        last = seen[-1]
        assert last.status == "done" and last.done == 3 and last.finished_at is not None
        assert last.result is not None and last.result["suggested"] == 3
        with pytest.raises(Conflict, match="already done"):
            client.cancel_document_job(int(project), job.id)
        with pytest.raises(NotFound):
            client.get_document_job(int(project), job.id + 1000)
        document = client.get_document(next(client.list_tasks(int(project))).id, "document")
        assert len(document.pages) == 1 and document.pages[0].has_text


def test_bad_input_is_one_line_and_exit_2(cli: Cli, live_server: str, tmp_path: Path) -> None:
    project, _ = _setup(cli, live_server, tmp_path)
    other = _project(cli, tmp_path, NO_REGIONS, "Kinds")
    cases = [
        (("--project", project, "--engine", "tesseract"), "--engine must be one of"),
        (("--project", other), "no regions control"),
        (("--project", project, "--control", "nope"), "'nope' is not a regions control"),
        (("--project", project, "--label", "table"), "Label 'table' is not a label"),
        (("--project", "999999"), "999999"),
    ]
    for args, message in cases:
        result: Any = cli("documents", "suggest", *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
