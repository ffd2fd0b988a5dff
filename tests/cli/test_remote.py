from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import Cli

SCHEMA_YAML = """
objects:
  text: {type: text}
controls:
  - {name: sentiment, type: choice, of: text, options: [pos, neg]}
"""


def _token(cli: Cli) -> str:
    cli("user", "create", "--email", "m@example.org", "--password", "long-password")
    result: Any = cli("token", "create", "--user", "m@example.org")
    return str(result.stdout.strip())


def test_project_create_import_and_export(cli: Cli, live_server: str, tmp_path: Path) -> None:
    cli.env.update({"LABELWRIGHT_URL": live_server, "LABELWRIGHT_TOKEN": _token(cli)})
    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA_YAML)
    created: Any = cli("project", "create", "--name", "Reviews", "--schema", str(schema))
    assert created.exit_code == 0, created.stderr
    project = created.stdout.strip()
    data = tmp_path / "tasks.jsonl"
    data.write_text("".join(json.dumps({"text": f"review {i}"}) + "\n" for i in range(25)))
    imported: Any = cli("import", project, str(data))
    assert imported.exit_code == 0 and "Created 25 task(s)" in imported.stdout
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("text\nfrom csv\n")
    assert "Created 1 task(s)" in cli("import", project, str(csv_file)).stdout  # type: ignore[attr-defined]
    out = tmp_path / "export.jsonl"
    exported: Any = cli("export", project, "--format", "jsonl", "-o", str(out))
    assert exported.exit_code == 0, exported.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 26 and lines[0]["data"] == {"text": "review 0"}


def test_import_a_folder_of_media_makes_one_task_per_file(
    cli: Cli, live_server: str, tmp_path: Path
) -> None:
    from PIL import Image

    cli.env.update({"LABELWRIGHT_URL": live_server, "LABELWRIGHT_TOKEN": _token(cli)})
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "objects": {"photo": {"type": "image"}},
                "controls": [
                    {"name": "kind", "type": "choice", "of": "photo", "options": ["cat", "dog"]}
                ],
            }
        )
    )
    project = cli("project", "create", "--name", "Pics", "--schema", str(schema)).stdout.strip()  # type: ignore[attr-defined]
    folder = tmp_path / "pics"
    folder.mkdir()
    for i in range(3):
        Image.new("RGB", (8 + i, 8), (i, 0, 0)).save(folder / f"img{i}.png")
    result: Any = cli("import", project, str(folder))
    assert result.exit_code == 0 and "Created 3 task(s)" in result.stdout, result.stderr
    out = tmp_path / "e.json"
    cli("export", project, "--format", "json", "-o", str(out))
    tasks = json.loads(out.read_text())
    assert sorted(t["meta"]["filename"] for t in tasks) == ["img0.png", "img1.png", "img2.png"]
    assert all(t["data"]["photo"].startswith("media:") for t in tasks)


def test_remote_errors_are_one_line_exit_2(cli: Cli, live_server: str, tmp_path: Path) -> None:
    no_token: Any = cli("export", "1", "-o", str(tmp_path / "x"), "--url", live_server)
    assert no_token.exit_code == 2 and "LABELWRIGHT_TOKEN" in no_token.stderr
    cli.env.update({"LABELWRIGHT_URL": live_server, "LABELWRIGHT_TOKEN": _token(cli)})
    missing: Any = cli("import", "1", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    unknown_project: Any = cli("export", "999999", "-o", str(tmp_path / "x"))
    assert unknown_project.exit_code == 2 and "999999" in unknown_project.stderr
    assert not (tmp_path / "x").exists()
    bad_schema = tmp_path / "bad.yaml"
    bad_schema.write_text(
        "objects: {t: {type: text}}\ncontrols: [{name: c, type: choice, of: t, options: []}]\n"
    )
    refused: Any = cli("project", "create", "--name", "X", "--schema", str(bad_schema))
    assert refused.exit_code == 2 and refused.stderr.startswith("error: ")
    bad_rows = tmp_path / "bad.jsonl"
    bad_rows.write_text('{"text": "ok"}\n{"nope": 1}\n')
    schema = tmp_path / "s.yaml"
    schema.write_text(SCHEMA_YAML)
    project = cli("project", "create", "--name", "Y", "--schema", str(schema)).stdout.strip()  # type: ignore[attr-defined]
    aborted: Any = cli("import", project, str(bad_rows))
    assert aborted.exit_code == 2 and "line 2" in aborted.stderr
    unreachable: Any = cli(
        "export", project, "-o", str(tmp_path / "y"), "--url", "http://127.0.0.1:9"
    )
    assert unreachable.exit_code == 2 and "Cannot reach" in unreachable.stderr
