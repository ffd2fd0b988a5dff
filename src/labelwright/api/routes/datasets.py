"""Dataset versions: create, list, read, verify and diff (exports: `GET .../export?version=`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep, cursor_after, next_cursor
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.common import Page
from labelwright.schemas.datasets import (
    DatasetDiffOut,
    DatasetVersionCheckOut,
    DatasetVersionCreate,
    DatasetVersionOut,
)
from labelwright.services import datasets

router = APIRouter(prefix=API_PREFIX, tags=["datasets"])
BASE = "/projects/{project_id}/dataset-versions"
Base = Annotated[int, Query(alias="from", ge=1, description="The older version number.")]
Target = Annotated[int, Query(alias="to", ge=1, description="The newer version number.")]


@router.post(
    BASE,
    response_model=DatasetVersionOut,
    status_code=201,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_dataset_version(
    project_id: int, body: DatasetVersionCreate, actor: CurrentActor, session: SessionDep
) -> DatasetVersionOut:
    """Snapshot the final annotation of every task as the project's next version (managers)."""
    version = datasets.create_dataset_version(session, actor, project_id, note=body.note)
    return DatasetVersionOut.model_validate(version)


@router.get(
    BASE, response_model=Page[DatasetVersionOut], responses=problem_responses(401, 403, 404)
)
def list_dataset_versions(
    project_id: int,
    actor: CurrentActor,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page[DatasetVersionOut]:
    """The project's versions, oldest first."""
    rows = datasets.list_dataset_versions(
        session, actor, project_id, after=cursor_after(cursor), limit=limit
    )
    return Page(
        items=[DatasetVersionOut.model_validate(v) for v in rows],
        next_cursor=next_cursor([v.version for v in rows], limit),
    )


@router.get(
    f"{BASE}/diff", response_model=DatasetDiffOut, responses=problem_responses(401, 403, 404, 422)
)
def diff_dataset_versions(
    project_id: int, base: Base, target: Target, actor: CurrentActor, session: SessionDep
) -> DatasetDiffOut:
    """How many tasks were added, removed, changed and kept from version `from` to `to`."""
    diff = datasets.diff_dataset_versions(session, actor, project_id, base=base, target=target)
    return DatasetDiffOut.model_validate(diff)


@router.get(
    f"{BASE}/diff/tasks",
    response_class=StreamingResponse,
    responses=problem_responses(401, 403, 404, 422),
)
def stream_dataset_diff(
    project_id: int,
    base: Base,
    target: Target,
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
) -> StreamingResponse:
    """The tasks that differ, as NDJSON lines `{task_id, change, base_annotation_id,
    target_annotation_id}` in task order (`change`: added, removed or changed)."""
    plan = datasets.check_diff(session, actor, project_id, base=base, target=target)
    session.close()
    return StreamingResponse(
        datasets.stream_dataset_diff(platform, plan), media_type="application/x-ndjson"
    )


@router.get(
    f"{BASE}/{{version}}",
    response_model=DatasetVersionOut,
    responses=problem_responses(401, 403, 404),
)
def get_dataset_version(
    project_id: int, version: int, actor: CurrentActor, session: SessionDep
) -> DatasetVersionOut:
    """One version by its number."""
    found = datasets.get_dataset_version(session, actor, project_id, version)
    return DatasetVersionOut.model_validate(found)


@router.get(
    f"{BASE}/{{version}}/verify",
    response_model=DatasetVersionCheckOut,
    responses=problem_responses(401, 403, 404),
)
def verify_dataset_version(
    project_id: int, version: int, actor: CurrentActor, session: SessionDep
) -> DatasetVersionCheckOut:
    """Recompute the version's content hash from the annotations it names; `intact` says
    whether it still equals the stored one."""
    check = datasets.verify_dataset_version(session, actor, project_id, version)
    return DatasetVersionCheckOut(
        version=check.version,
        task_count=check.task_count,
        content_sha256=check.content_sha256,
        recomputed_sha256=check.recomputed_sha256,
        intact=check.is_intact,
    )
