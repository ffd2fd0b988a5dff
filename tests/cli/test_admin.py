from __future__ import annotations

from typing import Any

from sqlalchemy import text

from labelwright.services.context import Platform
from labelwright.settings import Settings
from tests.cli.conftest import Cli

DEMO_PROJECTS = [
    "Demo: text classification + NER",
    "Demo: image boxes",
    "Demo: RLHF pairwise preference",
    "Demo: object detection",
    "Demo: documents and OCR",
]


def test_migrate_user_and_token_create(cli: Cli) -> None:
    result: Any = cli("migrate")
    assert result.exit_code == 0 and "up to date" in result.stdout
    created: Any = cli("user", "create", "--email", "Ops@Example.org", "--admin")
    assert created.exit_code == 0
    assert (
        "ops@example.org (admin)" in created.stdout and "Password (shown once):" in created.stdout
    )
    token: Any = cli("token", "create", "--user", "ops@example.org")
    assert token.exit_code == 0 and len(token.stdout.strip()) > 30


def test_bad_arguments_are_one_line_and_exit_2(cli: Cli) -> None:
    duplicate: Any = cli("user", "create", "--email", "a@b.org", "--password", "long-password")
    assert duplicate.exit_code == 0
    again: Any = cli("user", "create", "--email", "a@b.org", "--password", "long-password")
    assert again.exit_code == 2 and again.stderr.strip().startswith("error: ")
    assert len(again.stderr.strip().splitlines()) == 1
    short: Any = cli("user", "create", "--email", "c@b.org", "--password", "x")
    assert short.exit_code == 2 and "at least 8" in short.stderr
    missing: Any = cli("token", "create", "--user", "ghost@b.org")
    assert missing.exit_code == 2 and "ghost@b.org" in missing.stderr
    unknown_option: Any = cli("user", "create", "--nope")
    assert unknown_option.exit_code == 2


def test_audit_verify_reports_intact_and_then_broken_chain(
    cli: Cli, cli_env: dict[str, str]
) -> None:
    cli("user", "create", "--email", "x@y.org", "--password", "long-password")
    ok: Any = cli("audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.stdout
    platform = Platform.open(
        Settings(
            data_dir=cli_env["LABELWRIGHT_DATA_DIR"],  # type: ignore[arg-type]
            database_url=cli_env["LABELWRIGHT_DATABASE_URL"],
            secret_key="x" * 20,
        )
    )
    with platform.db.write() as session:
        if platform.db.is_sqlite:
            session.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            session.execute(text("DROP TRIGGER audit_events_no_update_delete ON audit_events"))
        session.execute(text("UPDATE audit_events SET action = 'forged' WHERE seq = 1"))
        session.commit()
    platform.close()
    broken: Any = cli("audit", "verify")
    assert broken.exit_code == 1 and "seq 1" in broken.stderr


def test_demo_creates_projects_once(cli: Cli, cli_env: dict[str, str]) -> None:
    first: Any = cli("demo", "--no-serve")
    assert first.exit_code == 0, first.stdout + first.stderr
    assert first.stdout.count("Demo project created") == len(DEMO_PROJECTS)
    assert [line for line in first.stdout.splitlines() if "Demo project created" in line] == [
        f"Demo project created: {name}" for name in DEMO_PROJECTS
    ]
    assert "Admin password (shown once)" in first.stdout
    second: Any = cli("demo", "--no-serve")
    assert second.exit_code == 0 and "Demo project created" not in second.stdout
    assert "Admin password" not in second.stdout
    platform = Platform.open(
        Settings(
            data_dir=cli_env["LABELWRIGHT_DATA_DIR"],  # type: ignore[arg-type]
            database_url=cli_env["LABELWRIGHT_DATABASE_URL"],
            secret_key="x" * 20,
        )
    )
    with platform.db.session() as session:
        counts = dict(
            session.execute(
                text(
                    "SELECT p.name, count(t.id) FROM projects p "
                    "JOIN tasks t ON t.project_id = p.id GROUP BY p.name"
                )
            ).all()
        )
        predictions = session.execute(text("SELECT count(*) FROM predictions")).scalar_one()
        projects = session.execute(text("SELECT count(*) FROM projects")).scalar_one()
        media = session.execute(text("SELECT count(*) FROM media WHERE width = 640")).scalar_one()
    platform.close()
    assert sorted(counts) == sorted(DEMO_PROJECTS)
    assert counts["Demo: object detection"] == 8 and counts["Demo: documents and OCR"] == 6
    assert all(n > 10 for name, n in counts.items() if name in DEMO_PROJECTS[:3])
    # 12 images of the image-boxes project and 8 street scenes of the detection project
    assert predictions > 40 and media == 12 + 8
    assert projects == len(DEMO_PROJECTS)


def test_admin_from_environment(cli: Cli) -> None:
    cli.env["LABELWRIGHT_ADMIN_EMAIL"] = "boss@example.org"
    cli.env["LABELWRIGHT_ADMIN_PASSWORD"] = "boss-password-123"
    result: Any = cli("demo", "--no-serve")
    assert "Admin account: boss@example.org" in result.stdout
    assert "shown once" not in result.stdout
