"""The only place that maps errors to HTTP: RFC 9457 problem details."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from labelwright import errors

log = logging.getLogger("labelwright.api")

PROBLEM_TYPE = "application/problem+json"

STATUS: dict[type[errors.LabelwrightError], tuple[int, str]] = {
    errors.NotFound: (404, "Not found"),
    errors.LeaseExpired: (409, "Lease expired"),
    errors.Conflict: (409, "Conflict"),
    errors.PayloadTooLarge: (413, "Payload too large"),
    errors.SchemaMismatch: (422, "Does not fit the labeling schema"),
    errors.Invalid: (422, "Invalid input"),
    errors.Forbidden: (403, "Forbidden"),
    errors.Unauthenticated: (401, "Authentication required"),
    errors.UpstreamUnavailable: (502, "Upstream unavailable"),
    errors.ConfigurationError: (500, "Server misconfigured"),
    errors.AuditChainBroken: (500, "Audit chain broken"),
}


def problem_for(exc: errors.LabelwrightError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500, "Internal error"


def problem_response(
    status: int, title: str, detail: str, code: str, problems: list[dict[str, Any]] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if problems:
        body["errors"] = problems
    headers = {"WWW-Authenticate": "Token"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route can return."""
    from labelwright.schemas.common import Problem

    return {s: {"model": Problem, "description": "Problem details"} for s in statuses}


def configure_problems(app: FastAPI) -> None:
    @app.exception_handler(errors.LabelwrightError)
    async def _labelwright(_: Request, exc: errors.LabelwrightError) -> JSONResponse:
        status, title = problem_for(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc.message)
        return problem_response(status, title, exc.message, exc.code, exc.errors or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in problems)
        return problem_response(422, "Invalid input", detail, "invalid", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        return problem_response(exc.status_code, str(exc.detail), str(exc.detail), code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("Unhandled error", exc_info=exc)
        return problem_response(500, "Internal error", "An unexpected error occurred.", "internal")
