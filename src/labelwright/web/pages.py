"""Server-rendered pages: the app shell, management pages and the labeling workbench.

Pages authenticate with the web session cookie and render a shell; the page's ES module then
talks to the REST API (the only thing the browser calls for data).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from labelwright import __version__
from labelwright.errors import LabelwrightError, Unauthenticated
from labelwright.services import auth, export, projects, schemas
from labelwright.services.context import Actor, Platform

SESSION_COOKIE = "lw_session"
HERE = Path(__file__).parent
STAGES = {"label": "Label", "review": "Review", "adjudicate": "Adjudicate"}

templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


class SchemaCheckIn(BaseModel):
    source: str


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _actor(request: Request) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with _platform(request).db.session() as session:
        try:
            actor, _ = auth.authenticate(session, token)
        except Unauthenticated:
            return None
    return actor


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _render(request: Request, name: str, actor: Actor | None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"user": actor, "version": __version__, **context}
    )


def _project_page(request: Request, project_id: int, name: str, **context: Any) -> Response:
    actor = _actor(request)
    if actor is None:
        return _to_login(request)
    with _platform(request).db.session() as session:
        try:
            view = projects.get_project(session, actor, project_id)
        except LabelwrightError as exc:
            return _render(request, "error.html", actor, title="Not available", message=exc.message)
        project = {
            "id": view.project.id,
            "name": view.project.name,
            "role": view.role.value if view.role else ("admin" if actor.is_admin else None),
        }
    return _render(request, name, actor, project=project, **context)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    if _actor(request) is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/projects", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/projects") -> Response:
    safe_next = next if next.startswith("/") and not next.startswith("//") else "/projects"
    return _render(request, "login.html", None, next_url=safe_next, title="Log in")


@router.get("/logout")
def logout_page(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with _platform(request).db.session() as session:
            try:
                actor, _ = auth.authenticate(session, token)
                session.rollback()
                auth.logout(session, actor, token)
            except Unauthenticated:
                pass
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request) -> Response:
    actor = _actor(request)
    if actor is None:
        return _to_login(request)
    return _render(request, "projects.html", actor, title="Projects")


@router.get("/projects/new", response_class=HTMLResponse)
def new_project_page(request: Request) -> Response:
    actor = _actor(request)
    if actor is None:
        return _to_login(request)
    return _render(request, "project_new.html", actor, title="New project")


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: int) -> Response:
    return _project_page(request, project_id, "project.html", tab="overview")


@router.get("/projects/{project_id}/data", response_class=HTMLResponse)
def data_page(request: Request, project_id: int) -> Response:
    return _project_page(request, project_id, "data.html", tab="data")


@router.get("/projects/{project_id}/import", response_class=HTMLResponse)
def import_page(request: Request, project_id: int) -> Response:
    return _project_page(request, project_id, "import.html", tab="import")


@router.get("/projects/{project_id}/members", response_class=HTMLResponse)
def members_page(request: Request, project_id: int) -> Response:
    return _project_page(request, project_id, "members.html", tab="members")


@router.get("/projects/{project_id}/export", response_class=HTMLResponse)
def export_page(request: Request, project_id: int) -> Response:
    actor = _actor(request)
    formats: list[tuple[str, str]] = []
    if actor is not None:
        with _platform(request).db.session() as session, contextlib.suppress(LabelwrightError):
            formats = export.exportable_formats(session, actor, project_id)
    return _project_page(request, project_id, "export.html", tab="export", formats=formats)


@router.get("/projects/{project_id}/settings", response_class=HTMLResponse)
def settings_page(request: Request, project_id: int) -> Response:
    return _project_page(request, project_id, "settings.html", tab="settings")


@router.get("/projects/{project_id}/quality", response_class=HTMLResponse)
def quality_page(request: Request, project_id: int) -> Response:
    return _project_page(request, project_id, "quality.html", tab="quality", title="Quality")


@router.get("/projects/{project_id}/{stage}", response_class=HTMLResponse)
def workbench_page(request: Request, project_id: int, stage: str) -> Response:
    if stage not in STAGES:
        actor = _actor(request)
        return _render(request, "error.html", actor, title="Not found", message="No such page.")
    return _project_page(request, project_id, "workbench.html", stage=stage, tab=stage)


@router.post("/ui/schema-check")
def schema_check(request: Request, body: SchemaCheckIn) -> dict[str, Any]:
    """Parse a schema for the editor's live validation (Invalid -> 422 problem details)."""
    if _actor(request) is None:
        raise Unauthenticated("Log in to check a schema.")
    return {"schema": schemas.parse_source(body.source).to_json()}


def configure_web(app: FastAPI) -> None:
    """Mount the static files and the page routes."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)
