"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from labelwright import __version__
from labelwright.api.problems import configure_problems
from labelwright.api.routes import (
    annotations,
    audit,
    auth,
    export,
    media,
    projects,
    quality,
    queue,
    tasks,
    users,
    workflow,
)
from labelwright.services.context import Platform
from labelwright.settings import Settings, get_settings

API_PREFIX = "/api/v1"


def configure_routes(app: FastAPI) -> None:
    routers = (
        auth,
        users,
        projects,
        tasks,
        annotations,
        media,
        export,
        audit,
        quality,
        queue,
        workflow,
    )
    for module in routers:
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return (
            "<!doctype html><title>Labelwright</title><h1>Labelwright</h1>"
            f"<p>Version {__version__}. API docs: <a href='/docs'>/docs</a>.</p>"
        )

    @app.get(f"{API_PREFIX}/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """Build the app; migrations are applied when the platform opens."""
    settings = settings or get_settings()
    owned = platform is None
    platform = platform or Platform.open(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            platform.close()

    app = FastAPI(
        title="Labelwright",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        lifespan=lifespan,
    )
    app.state.platform = platform
    configure_problems(app)
    configure_routes(app)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes (migrations already applied)."""
    settings = get_settings()
    return create_app(settings, platform=Platform.open(settings, migrate=False))
