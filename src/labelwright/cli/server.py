"""`start`, `demo`, `migrate`: run the server on this machine."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Annotated

import typer

from labelwright.cli.app import app, clean_errors
from labelwright.services.context import Platform
from labelwright.settings import Settings, get_settings

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

    from labelwright.api.app import create_app, freeze_heap

    typer.echo(f"Labelwright is serving http://{host}:{port}  (API docs: /docs)")
    stop_refresher = _start_refresher_process(platform.settings)
    # The processes that serve requests count nothing in the background: a refresher thread
    # there would hold their GIL while requests wait (the tail of the queue's latency).
    os.environ[_REFRESH_SETTING] = "0"  # read by the workers' settings
    try:
        if workers > 1:
            uvicorn.run(
                "labelwright.api.app:create_app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )
        else:
            settings = platform.settings.model_copy(update={"quality_refresh_seconds": 0})
            app = create_app(settings, platform=platform)
            freeze_heap()
            uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        stop_refresher()
        platform.close()


def _start_refresher_process(settings: Settings) -> Callable[[], None]:
    """Start the background quality refresher in a process of its own; returns how to stop
    it (it finishes its current batch)."""
    if settings.quality_refresh_seconds <= 0:
        return lambda: None
    context = multiprocessing.get_context("spawn")
    told, tell = context.Pipe(duplex=False)
    process = context.Process(
        target=_refresh_until_told,
        args=(settings, told),
        name="labelwright-quality-refresher",
        daemon=True,
    )
    # Ctrl-C stops the server, which then stops the refresher: the refresher ignores SIGINT
    # from its first instant (a spawned process keeps an ignored signal ignored).
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.start()
    finally:
        signal.signal(signal.SIGINT, interrupt)
    told.close()

    def halt() -> None:
        tell.close()  # the refresher reads the end of the pipe, as it does if we die
        process.join(40)
        if process.is_alive():
            process.terminate()

    return halt


def _refresh_until_told(settings: Settings, told: Connection) -> None:
    """The refresher process: counts until the server closes its end of the pipe or is gone."""
    from labelwright.services.quality_refresher import start_quality_refresher

    if hasattr(os, "nice"):  # background work: the processes serving requests come first
        os.nice(10)
    platform = Platform.open(settings, migrate=False)
    refresher = start_quality_refresher(platform, every=settings.quality_refresh_seconds)
    try:
        told.poll(None)
    finally:
        if refresher is not None:
            refresher.stop()
        platform.close()


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
