"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from labelwright import __version__
from labelwright.api.problems import configure_problems
from labelwright.api.queue_fast_path import QueueFastPath
from labelwright.api.routes import (
    API_PREFIX,
    annotations,
    audit,
    auth,
    datasets,
    documents,
    export,
    jobs,
    media,
    projects,
    quality,
    queue,
    tasks,
    users,
    workflow,
)
from labelwright.services.context import Platform
from labelwright.services.quality_refresher import start_quality_refresher
from labelwright.services.queue_batches import QueueWriter
from labelwright.settings import Settings, get_settings
from labelwright.web.pages import configure_web


def configure_routes(app: FastAPI) -> None:
    routers = (  # the queue first: its two hot endpoints are matched before the rest
        queue,
        auth,
        users,
        projects,
        tasks,
        annotations,
        media,
        documents,
        export,
        datasets,
        jobs,
        audit,
        quality,
        workflow,
    )
    for module in routers:
        # Added as the app's own routes rather than with `include_router`: FastAPI matches an
        # included router's routes through a wrapper per router, which cost ~0.3 ms of CPU per
        # request here (the floor of the hot queue endpoints).
        app.router.routes.extend(module.router.routes)

    @app.get(f"{API_PREFIX}/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}


DOCS_ASSETS = f"{API_PREFIX}/docs-assets"


def configure_docs(app: FastAPI) -> None:
    """Interactive API docs at /docs, with Swagger UI served from the installed package (no CDN)."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{API_PREFIX}/openapi.json",
            title="Labelwright API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """Build the app; migrations are applied when the platform opens."""
    settings = settings or get_settings()
    owned = platform is None
    platform = platform or Platform.open(settings)
    refresh_every = settings.quality_refresh_seconds

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        refresher = start_quality_refresher(platform, every=refresh_every)
        try:
            yield
        finally:
            app.state.queue_writer.stop()
            if refresher is not None:
                refresher.stop()
            if owned:
                platform.close()

    app = FastAPI(
        title="Labelwright",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.platform = platform
    app.state.queue_writer = QueueWriter(platform)
    app.add_middleware(QueueFastPath)
    configure_problems(app)
    configure_routes(app)
    configure_docs(app)
    configure_web(app)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes (migrations already applied)."""
    settings = get_settings()
    app = create_app(settings, platform=Platform.open(settings, migrate=False))
    freeze_heap()
    return app


def freeze_heap() -> None:
    """Keep what a serving process has built so far (modules, the app, its caches) out of the
    garbage collector's full passes, which then look at newer objects only. A full pass over
    them found nothing to free and stopped every request for ~80 ms every few seconds under
    load. For processes that serve one app until they exit."""
    gc.collect()
    gc.freeze()
