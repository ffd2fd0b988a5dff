"""`labelwright dataset ...` and `labelwright export --version/--since vN` against a live server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from labelwright.sdk import Client
from tests.cli.conftest import Cli

SCHEMA_YAML = """
objects:
  text: {type: text}
controls:
  - {name: sentiment, type: choice, of: text, options: [pos, neg]}
"""


def _setup(cli: Cli, live_server: str, tmp_path: Path) -> tuple[str, str]:
    cli("user", "create", "--email", "m@example.org", "--password", "long-password")
    token = str(cli("token", "create", "--user", "m@example.org").stdout.strip())  # type: ignore[attr-defined]
    cli.env.update({"LABELWRIGHT_URL": live_server, "LABELWRIGHT_TOKEN": token})
    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA_YAML)
    project = cli("project", "create", "--name", "R", "--schema", str(schema)).stdout.strip()  # type: ignore[attr-defined]
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "".join(
            json.dumps(
                {"data": {"text": f"r{i}"}, "annotations": [{"results": {"sentiment": "pos"}}]}
            )
            + "\n"
            for i in range(4)
        )
    )
    imported: Any = cli("import", project, str(rows))
    assert imported.exit_code == 0, imported.stderr
    return project, token


def test_dataset_create_list_diff_verify_and_export(
    cli: Cli, live_server: str, tmp_path: Path
) -> None:
    project, token = _setup(cli, live_server, tmp_path)
    created: Any = cli("dataset", "create", project, "--note", "baseline")
    assert created.exit_code == 0, created.stderr
    assert created.stdout.startswith("Version 1: 4 task(s), sha256 ")
    with Client(live_server, token) as client:
        first = next(client.list_tasks(int(project)))
        assert first.final_annotation_id is not None
        fixed = client.create_annotation(
            first.id, {"sentiment": "neg"}, parent_id=first.final_annotation_id
        )
        assert client.get_dataset_version(int(project), 1).note == "baseline"
    assert cli("dataset", "create", project).exit_code == 0  # type: ignore[attr-defined]
    listed: Any = cli("dataset", "list", project)
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["v1", "v2"]
    assert lines[0].split("\t")[1] == "4" and lines[0].endswith("baseline")
    out = tmp_path / "diff.ndjson"
    diff: Any = cli("dataset", "diff", project, "1", "2", "--tasks", "-o", str(out))
    assert diff.exit_code == 0, diff.stderr
    assert "v1 -> v2: 0 added, 0 removed, 1 changed, 3 unchanged" in diff.stdout
    assert f"changed\ttask {first.id}\t{first.final_annotation_id} -> {fixed.id}" in diff.stdout
    assert [json.loads(x) for x in out.read_text().splitlines()] == [
        {
            "task_id": first.id,
            "change": "changed",
            "base_annotation_id": first.final_annotation_id,
            "target_annotation_id": fixed.id,
        }
    ]
    verified: Any = cli("dataset", "verify", project, "1")
    assert verified.exit_code == 0 and "intact (4 task(s))" in verified.stdout
    snapshot = tmp_path / "v1.jsonl"
    exported: Any = cli("export", project, "--version", "1", "-o", str(snapshot))
    assert exported.exit_code == 0, exported.stderr
    tasks = [json.loads(x) for x in snapshot.read_text().splitlines()]
    assert [t["annotations"][0]["results"]["sentiment"] for t in tasks] == ["pos"] * 4
    changed = tmp_path / "changed.jsonl"
    assert cli("export", project, "--since", "v1", "-o", str(changed)).exit_code == 0  # type: ignore[attr-defined]
    [line] = [json.loads(x) for x in changed.read_text().splitlines()]
    assert line["id"] == first.id and line["annotations"][0]["results"] == {"sentiment": "neg"}


def test_dataset_errors_are_one_line(cli: Cli, live_server: str, tmp_path: Path) -> None:
    project, _ = _setup(cli, live_server, tmp_path)
    missing: Any = cli("dataset", "diff", project, "1", "2")
    assert missing.exit_code == 2 and "has no dataset version 1" in missing.stderr
    gone: Any = cli("export", project, "--version", "3", "-o", str(tmp_path / "x.jsonl"))
    assert gone.exit_code == 2 and "no dataset version 3" in gone.stderr
