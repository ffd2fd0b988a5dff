"""Local administration on the configured database: users, tokens, audit verification."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from labelwright.cli.app import audit_app, clean_errors, fail, token_app, user_app
from labelwright.services import auth, users
from labelwright.services.audit import verify_audit
from labelwright.services.context import SYSTEM, Platform
from labelwright.settings import get_settings
from labelwright.store.repositories import users as user_repo


@user_app.command("create")
@clean_errors
def user_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    password: Annotated[
        str | None, typer.Option(help="Password; generated and printed if omitted.")
    ] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    admin: Annotated[bool, typer.Option("--admin", help="Make an instance admin.")] = False,
) -> None:
    """Create a user."""
    platform = Platform.open(get_settings())
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with platform.db.session() as session:
        user = users.create_user(
            session, SYSTEM, email=email, password=password, name=name, is_admin=admin
        )
    typer.echo(f"Created user {user.id}: {user.email}{' (admin)' if admin else ''}")
    if generated:
        typer.echo(f"Password (shown once): {password}")


@token_app.command("create")
@clean_errors
def token_create(
    user: Annotated[str, typer.Option("--user", help="Email of the token's owner.")],
    name: Annotated[str, typer.Option(help="A label for the token.")] = "cli",
) -> None:
    """Create an API token and print it (use it as LABELWRIGHT_TOKEN)."""
    platform = Platform.open(get_settings())
    with platform.db.session() as session:
        row = user_repo.get_user_by_email(session, user)
        if row is None:
            raise fail(f"no user with email '{user}'")
        issued = auth.create_api_token(session, auth.actor_of(row), name=name)
    typer.echo(issued.token)


@audit_app.command("verify")
@clean_errors
def audit_verify() -> None:
    """Recompute the audit hash chain; name the first broken link."""
    platform = Platform.open(get_settings())
    with platform.db.session() as session:
        report = verify_audit(session)
    if report.broken_at is not None:
        typer.echo(f"Audit chain BROKEN at seq {report.broken_at}: {report.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Audit chain intact: {report.checked} events verified.")
