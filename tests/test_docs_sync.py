"""Every setting, problem code and CLI command is documented in docs/."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import typer

from labelwright import errors
from labelwright.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text()
    for name in Settings.model_fields:
        assert f"`LABELWRIGHT_{name.upper()}`" in text, name


def test_every_problem_code_is_documented() -> None:
    text = (DOCS / "problems.md").read_text()
    classes = [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, errors.LabelwrightError)
    ]
    codes = {c.code for c in classes if c is not errors.LabelwrightError}
    assert codes, "no error classes found"
    for code in codes:
        assert f"## {code}\n" in text, code


def _commands(app: typer.Typer, prefix: str = "labelwright") -> list[str]:
    names = []
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__.rstrip("_") if command.callback else "")
        names.append(f"{prefix} {name.replace('_', '-')}")
    for group in app.registered_groups:
        names += _commands(group.typer_instance, f"{prefix} {group.name}")  # type: ignore[arg-type]
    return names


def test_every_cli_command_is_documented() -> None:
    from labelwright.cli import (  # noqa: F401 - register commands
        admin,
        datasets,
        documents,
        remote,
        server,
    )
    from labelwright.cli.app import app

    text = (DOCS / "cli.md").read_text()
    commands = _commands(app)
    assert len(commands) >= 9
    for command in commands:
        assert f"`{command}" in text, command


@pytest.mark.parametrize("page", ["settings.md", "problems.md", "cli.md"])
def test_docs_pages_exist(page: str) -> None:
    assert (DOCS / page).stat().st_size > 200


def test_every_registered_format_is_documented() -> None:
    import labelwright.formats  # noqa: F401 - registers the formats
    from labelwright.formats.registry import EXPORTERS, IMPORTERS

    text = (DOCS / "formats.md").read_text()
    for name in set(EXPORTERS.names()) | set(IMPORTERS.names()):
        assert f"| `{name}` |" in text, name
