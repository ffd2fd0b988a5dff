"""CLI fixtures: a configured environment, a CliRunner, and a live server in a thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labelwright.cli.app import app
from labelwright.services.context import Platform
from labelwright.settings import Settings, get_settings
from tests.conftest import DatabaseFactory
from tests.live import serve


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str) -> object:
        from labelwright.cli import (  # noqa: F401 - register commands
            admin,
            datasets,
            documents,
            remote,
            server,
        )

        get_settings.cache_clear()
        result = self.runner.invoke(app, list(args), env=self.env, catch_exceptions=False)
        get_settings.cache_clear()
        return result


@pytest.fixture
def cli_env(databases: DatabaseFactory, tmp_path: Path) -> dict[str, str]:
    return {
        "LABELWRIGHT_DATA_DIR": str(tmp_path / "data"),
        "LABELWRIGHT_DATABASE_URL": databases.create(),
        "LABELWRIGHT_SECRET_KEY": "cli-test-secret-0123456789",
        "LABELWRIGHT_URL": "",
        "LABELWRIGHT_TOKEN": "",
    }


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    return Cli(cli_env)


@pytest.fixture
def live_server(cli_env: dict[str, str]) -> Iterator[str]:
    """The API served over real HTTP from a thread, on the CLI environment's database."""
    settings = Settings(
        data_dir=Path(cli_env["LABELWRIGHT_DATA_DIR"]),
        database_url=cli_env["LABELWRIGHT_DATABASE_URL"],
        secret_key=cli_env["LABELWRIGHT_SECRET_KEY"],
    )
    platform = Platform.open(settings)
    with serve(platform) as url:
        yield url
    platform.close()
