"""Quality aggregates on the local database: rebuild (backfill) and whole-project analysis."""

from __future__ import annotations

from typing import Annotated

import typer

from labelwright.cli.app import app, clean_errors
from labelwright.services import quality_aggregates
from labelwright.services.context import Platform
from labelwright.settings import get_settings

quality_app = typer.Typer(
    help="Quality aggregates of the dashboard (local database).", no_args_is_help=True
)
app.add_typer(quality_app, name="quality")


@quality_app.command("rebuild")
@clean_errors
def quality_rebuild(
    project: Annotated[
        list[int] | None, typer.Option("--project", help="Project id (repeatable); default: all.")
    ] = None,
) -> None:
    """Recount the quality aggregates from every annotation (after an upgrade or a bulk
    import), one transaction per project."""
    platform = Platform.open(get_settings())
    with platform.db.session() as session:
        for project_id, tasks in quality_aggregates.rebuild_all(session, project or None).items():
            typer.echo(f"project {project_id}: {tasks} tasks counted")
