"""Typer application: server commands, local administration, and remote project work."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from labelwright.errors import LabelwrightError

app = typer.Typer(
    name="labelwright",
    help="Labelwright: self-hosted data labeling.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Manage users (local database).", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens (local database).", no_args_is_help=True)
project_app = typer.Typer(help="Manage projects (through the REST API).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail (local database).", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(project_app, name="project")
app.add_typer(audit_app, name="audit")

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def clean_errors(func: F) -> F:
    """Turn our errors into one clear line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LabelwrightError as exc:
            detail = exc.message
            if exc.errors:
                first = exc.errors[0]
                where = (
                    f"line {first['line']}"
                    if "line" in first
                    else first.get("control") or first.get("loc")
                )
                reason = first.get("error") or first.get("reason") or first.get("msg")
                if where is not None and reason and str(reason) not in detail:
                    detail += f" (first: {where}: {reason})"
            raise fail(detail) from None

    return wrapper  # type: ignore[return-value]


def main() -> None:
    from labelwright.cli import (  # noqa: F401 - register commands
        admin,
        datasets,
        documents,
        quality,
        remote,
        server,
    )

    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
