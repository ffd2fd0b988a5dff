"""Project work through the REST API: create projects, import, export (with progress bars)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from labelwright.cli.app import app, clean_errors, fail, project_app
from labelwright.formats.label_studio_config import parse_label_config
from labelwright.sdk import Client

UrlOpt = Annotated[str, typer.Option(envvar="LABELWRIGHT_URL", help="Server URL.")]
TokenOpt = Annotated[
    str | None,
    typer.Option(envvar="LABELWRIGHT_TOKEN", help="API token (labelwright token create)."),
]
ROW_SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
MEDIA_OBJECTS = ("image", "audio", "video", "document")


def _client(url: str, token: str | None) -> Client:
    if not token:
        raise fail(
            "no API token: pass --token or set LABELWRIGHT_TOKEN "
            "(labelwright token create --user EMAIL)"
        )
    return Client(url, token)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        transient=True,
    )


@project_app.command("create")
@clean_errors
def project_create(
    name: Annotated[str, typer.Option(help="Project name.")],
    schema: Annotated[
        Path,
        typer.Option(help="Labeling schema file (YAML or JSON), or a Label Studio XML config."),
    ],
    guidelines: Annotated[Path | None, typer.Option(help="Guidelines file (Markdown).")] = None,
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """Create a project and print its id."""
    if not schema.is_file():
        raise fail(f"schema file '{schema}' does not exist")
    text = schema.read_text(encoding="utf-8")
    body: Any
    if schema.suffix.lower() == ".xml":
        body = parse_label_config(text).to_json()  # a Label Studio labeling config
    else:
        try:
            body = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise fail(f"{schema}: not valid YAML or JSON: {exc}") from None
    guide = guidelines.read_text(encoding="utf-8") if guidelines else ""
    with _client(url, token) as client:
        project = client.create_project(name, body, guidelines=guide)
    typer.echo(project.id)


def _file_chunks(path: Path, progress: Progress, task: Any) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            progress.update(task, advance=len(chunk))
            yield chunk


@app.command("import")
@clean_errors
def import_(
    project: Annotated[int, typer.Argument(help="Project id.")],
    source: Annotated[
        Path,
        typer.Argument(help="A .json/.jsonl/.csv file, a file in --format, or a media folder."),
    ],
    on_error: Annotated[
        str, typer.Option(help="abort (store nothing if a row is bad) or skip.")
    ] = "abort",
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Import format: coco, yolo-detect, voc, conll-iob2, webvtt, label-studio, ... "
            "(a zip for multi-file formats); by default the file suffix decides.",
        ),
    ] = None,
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """Import tasks from a file, or one task per media file in a folder."""
    if on_error not in ("abort", "skip"):
        raise fail("--on-error must be 'abort' or 'skip'")
    if not source.exists():
        raise fail(f"'{source}' does not exist")
    with _client(url, token) as client:
        if source.is_dir():
            result = _import_folder(client, project, source, on_error)
        else:
            fmt = format or ROW_SUFFIXES.get(source.suffix.lower())
            if fmt is None:
                raise fail(
                    f"'{source}': use a .json, .jsonl or .csv file, a media folder, or name the "
                    "file's format with --format"
                )
            with _progress() as progress:
                task = progress.add_task(f"Uploading {source.name}", total=source.stat().st_size)
                result = client.import_tasks(
                    project, _file_chunks(source, progress, task), fmt=fmt, on_error=on_error
                )
    typer.echo(f"Created {result.created} task(s); rejected {result.rejected_count}.")
    for row in result.rejected[:20]:
        typer.echo(f"  line {row.line}: {row.error}", err=True)


def _import_folder(client: Client, project: int, folder: Path, on_error: str) -> Any:
    schema = client.get_project(project).schema_
    objects = schema.get("objects", {})
    key = next(
        (
            spec.get("value") or name
            for name, spec in objects.items()
            if spec.get("type") in MEDIA_OBJECTS
        ),
        None,
    )
    if key is None:
        raise fail(
            "the project's schema has no image, audio, video or document object for media files"
        )
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise fail(f"'{folder}' has no files")
    lines = []
    with Progress(transient=True) as progress:
        task = progress.add_task("Uploading media", total=len(files))
        for path in files:
            media = client.upload_media(path)
            row = {"data": {key: media.ref}, "meta": {"filename": str(path.relative_to(folder))}}
            lines.append(json.dumps(row))
            progress.update(task, advance=1)
    return client.import_tasks(
        project, ("\n".join(lines) + "\n").encode(), fmt="jsonl", on_error=on_error
    )


@app.command("export")
@clean_errors
def export(
    project: Annotated[int, typer.Argument(help="Project id.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Export format: json, jsonl, csv, parquet, hf-dataset, coco, yolo-detect, voc, "
            "conll-iob2, spacy, preference-pairs, webvtt, rttm, mot, label-studio, ...",
        ),
    ] = "jsonl",
    annotations: Annotated[
        str | None,
        typer.Option(help="final, all or history (default: the format's own default)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only tasks changed at or after this ISO time, or (vN) whose final annotation "
            "differs from dataset version N (incremental pulls)."
        ),
    ] = None,
    version: Annotated[
        int | None,
        typer.Option("--version", help="Export this dataset version (labelwright dataset list)."),
    ] = None,
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """Export the project's tasks in any registered format (default JSONL with lineage)."""
    if annotations not in (None, "final", "all", "history"):
        raise fail("--annotations must be 'final', 'all' or 'history'")
    partial = output.with_name(output.name + ".part")
    written = 0
    with _client(url, token) as client, _progress() as progress:
        task = progress.add_task(f"Exporting project {project}", total=None)
        with partial.open("wb") as out:
            chunks = client.export(
                project, fmt=format, annotations=annotations, since=since, version=version
            )
            for chunk in chunks:
                out.write(chunk)
                written += len(chunk)
                progress.update(task, advance=len(chunk))
    os.replace(partial, output)
    typer.echo(f"Wrote {written} bytes to {output}")
