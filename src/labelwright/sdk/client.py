"""`Client`: the REST API over httpx, with problem details turned back into our errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from labelwright import errors
from labelwright.schemas.datasets import (
    DatasetDiffItemOut,
    DatasetDiffOut,
    DatasetVersionCheckOut,
    DatasetVersionOut,
)
from labelwright.schemas.documents import DocumentOut, JobOut
from labelwright.schemas.projects import ProjectOut
from labelwright.schemas.tasks import (
    AnnotationOut,
    ImportOut,
    MediaOut,
    PredictionOut,
    TaskOut,
)

_BY_CODE: dict[str, type[errors.LabelwrightError]] = {
    cls.code: cls
    for cls in (
        errors.NotFound,
        errors.Conflict,
        errors.Invalid,
        errors.SchemaMismatch,
        errors.Forbidden,
        errors.Unauthenticated,
        errors.LeaseExpired,
        errors.PayloadTooLarge,
        errors.UpstreamUnavailable,
    )
}

RUNNING_JOB_STATES = frozenset({"running", "cancelling"})
"""Job statuses that are not over yet (`done`, `failed` and `cancelled` are)."""

CONTENT_TYPES = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv"}


def _raise_for_problem(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = str(body.get("type", "")).rsplit("/", 1)[-1]
    cls = _BY_CODE.get(code)
    if cls is None:
        cls = errors.UpstreamUnavailable if response.status_code >= 500 else errors.Invalid
    detail = body.get("detail") or f"HTTP {response.status_code}"
    raise cls(detail, errors=body.get("errors") or [])


class Client:
    """A Labelwright server at `url`, authenticated with an API token."""

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 300.0) -> None:
        headers = {"Authorization": f"Token {token}"} if token else {}
        self._http = httpx.Client(
            base_url=url.rstrip("/") + "/api/v1", headers=headers, timeout=timeout
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise errors.UpstreamUnavailable(
                f"Cannot reach the Labelwright server at {self._http.base_url}: {exc}"
            ) from exc
        _raise_for_problem(response)
        return response

    def me(self) -> dict[str, Any]:
        return dict(self._request("GET", "/me").json())

    def create_project(
        self,
        name: str,
        schema: dict[str, Any] | str,
        *,
        guidelines: str = "",
        workflow: dict[str, Any] | None = None,
    ) -> ProjectOut:
        body = {"name": name, "schema": schema, "guidelines": guidelines, "workflow": workflow}
        return ProjectOut.model_validate(self._request("POST", "/projects", json=body).json())

    def get_project(self, project_id: int) -> ProjectOut:
        return ProjectOut.model_validate(self._request("GET", f"/projects/{project_id}").json())

    def import_tasks(
        self,
        project_id: int,
        body: BinaryIO | bytes | Iterable[bytes],
        *,
        fmt: str = "jsonl",
        on_error: str = "abort",
    ) -> ImportOut:
        """Import task rows (`json`, `jsonl`, `csv`) or a file in any registered import format
        (`coco`, `yolo-detect`, `label-studio`, ...; zip archives for multi-file formats)."""
        params = {"on_error": on_error}
        if fmt in CONTENT_TYPES:
            content_type = CONTENT_TYPES[fmt]
        else:
            params["format"] = fmt
            content_type = "application/octet-stream"
        response = self._request(
            "POST",
            f"/projects/{project_id}/tasks",
            params=params,
            content=body,  # type: ignore[arg-type]
            headers={"Content-Type": content_type},
        )
        return ImportOut.model_validate(response.json())

    def list_tasks(self, project_id: int, **filters: Any) -> Iterator[TaskOut]:
        cursor: str | None = None
        while True:
            params = {**filters, **({"cursor": cursor} if cursor else {})}
            page = self._request("GET", f"/projects/{project_id}/tasks", params=params).json()
            for item in page["items"]:
                yield TaskOut.model_validate(item)
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def create_annotation(
        self, task_id: int, results: dict[str, Any], **fields: Any
    ) -> AnnotationOut:
        body = {"results": results, **fields}
        return AnnotationOut.model_validate(
            self._request("POST", f"/tasks/{task_id}/annotations", json=body).json()
        )

    def upload_media(self, path: Path) -> MediaOut:
        with path.open("rb") as handle:
            response = self._request("POST", "/media", files={"file": (path.name, handle)})
        return MediaOut.model_validate(response.json())

    def list_predictions(self, task_id: int) -> list[PredictionOut]:
        """The task's suggestions with their scores and origins."""
        response = self._request("GET", f"/tasks/{task_id}/predictions")
        return [PredictionOut.model_validate(item) for item in response.json()]

    def get_document(self, task_id: int, name: str) -> DocumentOut:
        """The pages of a task's document object (a PDF is rendered on the first request)."""
        response = self._request("GET", f"/tasks/{task_id}/documents/{name}")
        return DocumentOut.model_validate(response.json())

    def suggest_document_regions(
        self,
        project_id: int,
        *,
        engine: str = "auto",
        control: str | None = None,
        label: str | None = None,
    ) -> JobOut:
        """Start the job that suggests regions with their text for every task (managers).

        `engine` is `auto` (the PDF text layer where a page has one, OCR elsewhere when the
        `ocr` extra is installed), `text-layer` or `rapidocr`; `control` is a regions control
        (default: the first); `label` the label of plain text lines. Follow the job with
        `follow_document_job`.
        """
        body: dict[str, Any] = {"engine": engine}
        if control is not None:
            body["control"] = control
        if label is not None:
            body["label"] = label
        response = self._request("POST", f"/projects/{project_id}/documents/suggestions", json=body)
        return JobOut.model_validate(response.json())

    def get_document_job(self, project_id: int, job_id: int) -> JobOut:
        """A suggestion job's status, progress (`done/total` tasks) and, when over, result."""
        response = self._request("GET", f"/projects/{project_id}/documents/jobs/{job_id}")
        return JobOut.model_validate(response.json())

    def cancel_document_job(self, project_id: int, job_id: int) -> JobOut:
        """Ask a running suggestion job to stop after the tasks it is working on."""
        response = self._request("POST", f"/projects/{project_id}/documents/jobs/{job_id}/cancel")
        return JobOut.model_validate(response.json())

    def follow_document_job(
        self,
        project_id: int,
        job_id: int,
        *,
        interval: float = 0.5,
        timeout: float | None = None,
    ) -> Iterator[JobOut]:
        """The job as it progresses, polled every `interval` seconds; the last one yielded is
        finished (`done`, `failed` or `cancelled`). Raises `UpstreamUnavailable` when
        `timeout` seconds pass first (the job keeps running on the server)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get_document_job(project_id, job_id)
            yield job
            if job.status not in RUNNING_JOB_STATES:
                return
            if deadline is not None and time.monotonic() >= deadline:
                raise errors.UpstreamUnavailable(
                    f"Job {job_id} is still {job.status} after {timeout:g} s "
                    f"({job.done}/{job.total if job.total is not None else '?'} tasks)."
                )
            time.sleep(interval)

    def export(
        self,
        project_id: int,
        *,
        fmt: str = "jsonl",
        annotations: str | None = None,
        since: str | int | None = None,
        version: int | None = None,
    ) -> Iterator[bytes]:
        """The export's bytes as they arrive, in any registered export format.

        `annotations` is `final`, `all` or `history` (the format's default when None); `since`
        (an ISO timestamp) limits the export to tasks changed at or after it, or, as a dataset
        version number (`3` or `"v3"`), to tasks whose final annotation differs from that
        version's; `version` exports that dataset version.
        """
        params: dict[str, Any] = {"format": fmt}
        if annotations:
            params["annotations"] = annotations
        if since is not None and since != "":
            params["since"] = str(since)
        if version is not None:
            params["version"] = version
        yield from self._stream(f"/projects/{project_id}/export", params)

    def _stream(self, path: str, params: dict[str, Any]) -> Iterator[bytes]:
        try:
            with self._http.stream("GET", path, params=params) as response:
                if not response.is_success:
                    response.read()
                    _raise_for_problem(response)
                yield from response.iter_bytes()
        except httpx.TransportError as exc:
            raise errors.UpstreamUnavailable(
                f"Cannot reach the Labelwright server at {self._http.base_url} "
                f"(or the download was interrupted): {exc}"
            ) from exc

    def create_dataset_version(self, project_id: int, *, note: str = "") -> DatasetVersionOut:
        """Snapshot the project's final labels as its next dataset version."""
        response = self._request(
            "POST", f"/projects/{project_id}/dataset-versions", json={"note": note}
        )
        return DatasetVersionOut.model_validate(response.json())

    def list_dataset_versions(self, project_id: int) -> Iterator[DatasetVersionOut]:
        """Every dataset version of the project, oldest first."""
        cursor: str | None = None
        while True:
            params = {"cursor": cursor} if cursor else {}
            page = self._request(
                "GET", f"/projects/{project_id}/dataset-versions", params=params
            ).json()
            for item in page["items"]:
                yield DatasetVersionOut.model_validate(item)
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def get_dataset_version(self, project_id: int, version: int) -> DatasetVersionOut:
        response = self._request("GET", f"/projects/{project_id}/dataset-versions/{version}")
        return DatasetVersionOut.model_validate(response.json())

    def verify_dataset_version(self, project_id: int, version: int) -> DatasetVersionCheckOut:
        """Recompute the version's content hash on the server and compare it."""
        response = self._request("GET", f"/projects/{project_id}/dataset-versions/{version}/verify")
        return DatasetVersionCheckOut.model_validate(response.json())

    def diff_dataset_versions(self, project_id: int, base: int, target: int) -> DatasetDiffOut:
        """Counts of tasks added, removed, changed and unchanged from `base` to `target`."""
        response = self._request(
            "GET",
            f"/projects/{project_id}/dataset-versions/diff",
            params={"from": base, "to": target},
        )
        return DatasetDiffOut.model_validate(response.json())

    def iter_dataset_diff(
        self, project_id: int, base: int, target: int
    ) -> Iterator[DatasetDiffItemOut]:
        """The tasks that differ from `base` to `target`, streamed, in task order."""
        pending = b""
        chunks = self._stream(
            f"/projects/{project_id}/dataset-versions/diff/tasks",
            {"from": base, "to": target},
        )
        for chunk in chunks:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    yield DatasetDiffItemOut.model_validate(json.loads(line))
        if pending.strip():
            yield DatasetDiffItemOut.model_validate(json.loads(pending))
