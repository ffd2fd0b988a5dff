"""Documents through the REST API: suggest regions and their text (PDF text layer or OCR)."""

from __future__ import annotations

from typing import Annotated, get_args

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from labelwright.cli.app import app, clean_errors, fail
from labelwright.cli.remote import TokenOpt, UrlOpt, _client
from labelwright.errors import Conflict
from labelwright.schemas.documents import DocumentSuggestRequest, JobOut

documents_app = typer.Typer(
    help="Documents: region and transcription suggestions (REST API).", no_args_is_help=True
)
app.add_typer(documents_app, name="documents")

ENGINES: tuple[str, ...] = get_args(DocumentSuggestRequest.model_fields["engine"].annotation)


@documents_app.command("suggest")
@clean_errors
def documents_suggest(
    project: Annotated[int, typer.Option("--project", help="Project id.")],
    engine: Annotated[
        str,
        typer.Option(
            help="auto (the PDF's text layer, OCR for pages without one when the ocr extra is "
            "installed), text-layer, or rapidocr (OCR of every page)."
        ),
    ] = "auto",
    control: Annotated[
        str | None, typer.Option(help="The regions control to fill (default: the first).")
    ] = None,
    label: Annotated[
        str | None,
        typer.Option(help="Label of plain text lines (default: text, line or paragraph)."),
    ] = None,
    interval: Annotated[
        float, typer.Option(help="Seconds between progress polls.", min=0.05)
    ] = 0.5,
    url: UrlOpt = "http://127.0.0.1:8080",
    token: TokenOpt = None,
) -> None:
    """Suggest regions with their text for every task of a project, with a progress bar.

    Tasks that already have these suggestions are skipped; Ctrl-C cancels the job on the server.
    """
    if engine not in ENGINES:
        raise fail(f"--engine must be one of {', '.join(ENGINES)}, got '{engine}'")
    with _client(url, token) as client:
        job = client.suggest_document_regions(project, engine=engine, control=control, label=label)
        job_id = job.id
        progress = Progress(
            TextColumn("Suggesting regions"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tasks"),
            TimeElapsedColumn(),
            transient=True,
        )
        try:
            with progress:
                bar = progress.add_task("suggest", total=job.total)
                for job in client.follow_document_job(project, job_id, interval=interval):
                    progress.update(bar, completed=job.done, total=job.total)
        except KeyboardInterrupt:
            try:
                client.cancel_document_job(project, job_id)
            except Conflict:  # it ended meanwhile: say how
                job = client.get_document_job(project, job_id)
            else:
                typer.echo(
                    f"Job {job_id}: cancelling (the tasks in progress finish first).", err=True
                )
                raise typer.Exit(130) from None
    _report(job)


def _report(job: JobOut) -> None:
    result = job.result or {}
    summary = (
        f"Job {job.id} {job.status}: {job.done}/{job.total} task(s) read; "
        f"suggested for {result.get('suggested', 0)}, skipped {result.get('skipped', 0)}, "
        f"failed {result.get('failed_count', 0)}; {result.get('predictions', 0)} prediction(s)."
    )
    typer.echo(summary)
    for failure in (result.get("failed") or [])[:20]:
        typer.echo(f"  task {failure.get('task_id')}: {failure.get('error')}", err=True)
    if job.status == "failed":
        raise fail(f"the job failed: {job.error or 'no reason recorded'}", code=1)
    if job.status == "cancelled":
        raise fail("the job was cancelled before it finished", code=1)
