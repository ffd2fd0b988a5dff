"""`start`, `demo`, `migrate`: run the server on this machine."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from labelwright.cli.app import app, clean_errors
from labelwright.services.context import Platform
from labelwright.settings import get_settings

_REFRESH_SETTING = "LABELWRIGHT_QUALITY_REFRESH_SECONDS"

HostOpt = Annotated[str, typer.Option(help="Interface to listen on.")]
PortOpt = Annotated[int, typer.Option(help="TCP port.")]


def _prepare() -> Platform:
    """Open the data directory, apply migrations, and make sure an admin exists."""
    from labelwright.services.users import ensure_admin

    settings = get_settings()
    platform = Platform.open(settings)
    with platform.db.session() as session:
        admin = ensure_admin(session, email=settings.admin_email, password=settings.admin_password)
    if admin.created:
        typer.echo(f"Admin account: {admin.email}")
        if admin.password:
            typer.echo(f"Admin password (shown once): {admin.password}")
    return platform


def _serve(platform: Platform, host: str, port: int, workers: int) -> None:
    import uvicorn

    from labelwright.api.app import create_app
    from labelwright.services.quality_refresher import start_quality_refresher

    typer.echo(f"Labelwright is serving http://{host}:{port}  (API docs: /docs)")
    if workers > 1:
        # The background quality refresher runs here, in the supervisor, and not in each worker:
        # its counting then never holds a worker's GIL while that worker's requests wait.
        refresher = start_quality_refresher(
            platform, every=platform.settings.quality_refresh_seconds
        )
        os.environ[_REFRESH_SETTING] = "0"  # read by the workers' settings
        try:
            uvicorn.run(
                "labelwright.api.app:create_app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )
        finally:
            if refresher is not None:
                refresher.stop()
            platform.close()
    else:
        uvicorn.run(
            create_app(platform.settings, platform=platform),
            host=host,
            port=port,
            log_level="warning",
        )


@app.command()
@clean_errors
def start(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes sharing the database.")] = 1,
) -> None:
    """Apply migrations and start the server."""
    _serve(_prepare(), host, port, workers)


@app.command()
@clean_errors
def demo(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8080,
    serve: Annotated[bool, typer.Option(help="Start the server after creating the demo.")] = True,
) -> None:
    """Create the demo projects (text, images, RLHF, detection, documents) and start the server."""
    from labelwright.services.demo import create_demo

    platform = _prepare()
    created = create_demo(platform)
    for name in created:
        typer.echo(f"Demo project created: {name}")
    if serve:
        _serve(platform, host, port, 1)


@app.command()
@clean_errors
def migrate() -> None:
    """Apply database migrations."""
    Platform.open(get_settings()).close()
    typer.echo("Database is up to date.")
