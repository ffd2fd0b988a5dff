"""CLI fixtures: a configured environment, a CliRunner, and a live server in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from labelwright.cli.app import app
from labelwright.services.context import Platform
from labelwright.settings import Settings, get_settings
from tests.conftest import DatabaseFactory


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str) -> object:
        from labelwright.cli import admin, remote, server  # noqa: F401 - register commands

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(cli_env: dict[str, str]) -> Iterator[str]:
    """The API served over real HTTP from a thread, on the CLI environment's database."""
    from labelwright.api.app import create_app

    settings = Settings(
        data_dir=Path(cli_env["LABELWRIGHT_DATA_DIR"]),
        database_url=cli_env["LABELWRIGHT_DATABASE_URL"],
        secret_key=cli_env["LABELWRIGHT_SECRET_KEY"],
    )
    platform = Platform.open(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, platform=platform),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}/api/v1/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(10)
    platform.close()
