"""Dataset versions through the REST API: create, list, show, verify, diff."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labelwright.cli.app import app, clean_errors, fail
from labelwright.cli.remote import TokenOpt, UrlOpt, _client

dataset_app = typer.Typer(
    help="Dataset versions: immutable snapshots of a project's final labels (REST API).",
    no_args_is_help=True,
)
app.add_typer(dataset_app, name="dataset")

ProjectArg = Annotated[int, typer.Argument(help="Project id.")]


@dataset_app.command("create")
@clean_errors
def dataset_create(
    project: ProjectArg,
    note: Annotated[str, typer.Option(help="What the version is for.")] = "",
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """Snapshot the final labels as the next version; print its number, size and hash."""
    with _client(url, token) as client:
        version = client.create_dataset_version(project, note=note)
    typer.echo(
        f"Version {version.version}: {version.task_count} task(s), sha256 {version.content_sha256}"
    )


@dataset_app.command("list")
@clean_errors
def dataset_list(
    project: ProjectArg,
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """One line per version: number, tasks, creation time, hash prefix and note."""
    with _client(url, token) as client:
        for version in client.list_dataset_versions(project):
            typer.echo(
                f"v{version.version}\t{version.task_count}\t"
                f"{version.created_at.isoformat(timespec='seconds')}\t"
                f"{version.content_sha256[:12]}\t{version.note}"
            )


@dataset_app.command("verify")
@clean_errors
def dataset_verify(
    project: ProjectArg,
    version: Annotated[int, typer.Argument(help="Version number.")],
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """Recompute a version's content hash; exit 1 if it no longer matches."""
    with _client(url, token) as client:
        check = client.verify_dataset_version(project, version)
    if not check.intact:
        typer.echo(
            f"Version {version}: stored sha256 {check.content_sha256} but the annotations "
            f"now hash to {check.recomputed_sha256}",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"Version {version}: intact ({check.task_count} task(s))")


@dataset_app.command("diff")
@clean_errors
def dataset_diff(
    project: ProjectArg,
    base: Annotated[int, typer.Argument(help="The older version number.")],
    target: Annotated[int, typer.Argument(help="The newer version number.")],
    tasks: Annotated[
        bool, typer.Option("--tasks", help="Also print one line per differing task.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the differing tasks as NDJSON to this file."),
    ] = None,
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """Counts of tasks added, removed, changed and unchanged from BASE to TARGET."""
    if output is not None and output.is_dir():
        raise fail(f"'{output}' is a folder")
    with _client(url, token) as client:
        diff = client.diff_dataset_versions(project, base, target)
        typer.echo(
            f"v{base} -> v{target}: {diff.added} added, {diff.removed} removed, "
            f"{diff.changed} changed, {diff.unchanged} unchanged"
        )
        if not tasks and output is None:
            return
        handle = output.open("w", encoding="utf-8") if output is not None else None
        try:
            for item in client.iter_dataset_diff(project, base, target):
                if handle is not None:
                    handle.write(item.model_dump_json() + "\n")
                if tasks:
                    typer.echo(
                        f"{item.change}\ttask {item.task_id}\t"
                        f"{item.base_annotation_id or '-'} -> {item.target_annotation_id or '-'}"
                    )
        finally:
            if handle is not None:
                handle.close()
