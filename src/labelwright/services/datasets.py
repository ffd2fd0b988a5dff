"""Dataset versions (DESIGN.md section 4): immutable, diffable, exportable snapshots of the final
labels of a project.

Creating a version records, for every task that has a final annotation (as
`services.export.final_annotation` defines it), that annotation's id, with one set-based
INSERT ... SELECT. The content hash is then computed streaming over the items in task order:

    sha256 over every item of   f"{task_id}\\t{annotation_id}\\t" + canonical(results) + "\\n"

where `canonical(results)` is the annotation's results as compact UTF-8 JSON with sorted keys.
Versions are never updated or deleted (only with their project); the annotations they name keep
their rows when later superseded, rejected or deleted (tombstones), so a version exports the
same labels later. A task that a version holds cannot be deleted (`refuse_deleting_held_task`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelwright.errors import Conflict, Invalid, NotFound
from labelwright.services import policies
from labelwright.services.context import Actor, Platform
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import DatasetVersion
from labelwright.store.repositories import datasets as dataset_repo

NOTE_MAX = 2000
MAX_NAMED_VERSIONS = 20


class Change(StrEnum):
    """How a task differs between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class DatasetDiff:
    """Counts of tasks added, removed, changed (another final annotation) and unchanged from
    version `base` to version `target`."""

    base: int
    target: int
    added: int
    removed: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class DiffItem:
    """One task that differs between two versions."""

    task_id: int
    change: Change
    base_annotation_id: int | None
    target_annotation_id: int | None


@dataclass(frozen=True)
class DiffPlan:
    """A checked diff: the two versions, resolved."""

    project_id: int
    base: DatasetVersion
    target: DatasetVersion


@dataclass(frozen=True)
class VersionCheck:
    """The stored hash of a version and the one recomputed from its annotations now."""

    version: int
    content_sha256: str
    recomputed_sha256: str
    task_count: int

    @property
    def is_intact(self) -> bool:
        return self.content_sha256 == self.recomputed_sha256


def create_dataset_version(
    session: Session, actor: Actor, project_id: int, *, note: str = ""
) -> DatasetVersion:
    """Snapshot the project's final labels as the next version (managers; one audit event)."""
    if len(note) > NOTE_MAX:
        raise Invalid(
            f"'note' is longer than {NOTE_MAX} characters.",
            errors=[{"loc": ["note"], "msg": f"at most {NOTE_MAX} characters"}],
        )
    begin_write(session)
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    dataset_repo.lock_project(session, project_id)
    version = DatasetVersion(
        project_id=project_id,
        version=dataset_repo.next_number(session, project_id),
        content_sha256="",
        task_count=0,
        note=note,
        created_by=actor.id,
    )
    session.add(version)
    try:
        session.flush()
    except IntegrityError:  # a concurrent creation took the number (the lock makes this rare)
        session.rollback()
        raise Conflict(
            f"Another dataset version of project {project_id} was created at the same time; "
            "try again."
        ) from None
    dataset_repo.snapshot_finals(session, version.id, project_id)
    digest, count = content_sha256(dataset_repo.iter_hash_rows(session, version.id))
    dataset_repo.finish_version(session, version.id, sha256=digest, task_count=count)
    version.content_sha256, version.task_count = digest, count
    append_event(
        session,
        actor=actor.email,
        action="dataset_version.create",
        entity="dataset_version",
        entity_id=version.id,
        project_id=project_id,
        payload={
            "version": version.version,
            "tasks": count,
            "sha256": digest,
            "note": note,
        },
    )
    session.commit()
    return version


def content_sha256(rows: Iterable[tuple[int, int, str | bytes | None]]) -> tuple[str, int]:
    """The content hash of `(task_id, annotation_id, results JSON text)` rows in task order,
    and their count (the definition is in this module's docstring). The JSON is parsed and
    written again with sorted keys, so the hash does not depend on how a database stores it."""
    digest = hashlib.sha256()
    count = 0
    loads, dumps, sort = orjson.loads, orjson.dumps, orjson.OPT_SORT_KEYS
    for task_id, annotation_id, results in rows:
        canonical = dumps(loads(results) if results is not None else None, option=sort)
        digest.update(b"%d\t%d\t%b\n" % (task_id, annotation_id, canonical))
        count += 1
    return digest.hexdigest(), count


def refuse_deleting_held_task(session: Session, project_id: int, task_id: int) -> None:
    """Raise `Conflict` naming the versions when a dataset version holds the task.

    Takes the project's version lock first (as `create_dataset_version` does), so a version
    being created at the same time either holds the task when this looks, or is made after the
    task is gone.
    """
    dataset_repo.lock_project(session, project_id)
    numbers = dataset_repo.versions_holding_task(session, task_id)
    if not numbers:
        return
    shown = ", ".join(str(n) for n in numbers[:MAX_NAMED_VERSIONS])
    if len(numbers) > MAX_NAMED_VERSIONS:
        shown += f" and {len(numbers) - MAX_NAMED_VERSIONS} more"
    noun = "version" if len(numbers) == 1 else "versions"
    raise Conflict(
        f"Task {task_id} is in dataset {noun} {shown} of project {project_id}; versions are "
        "immutable, so a task they hold cannot be deleted.",
        errors=[{"loc": ["task_id"], "msg": "held by dataset versions", "versions": numbers}],
    )


def list_dataset_versions(
    session: Session, actor: Actor, project_id: int, *, after: int = 0, limit: int = 100
) -> Sequence[DatasetVersion]:
    """The project's versions in order, after version number `after`."""
    _load(session, actor, project_id)
    return dataset_repo.list_versions(session, project_id, after=after, limit=limit)


def get_dataset_version(
    session: Session, actor: Actor, project_id: int, version: int
) -> DatasetVersion:
    _load(session, actor, project_id)
    return resolve_version(session, project_id, version)


def resolve_version(session: Session, project_id: int, version: int) -> DatasetVersion:
    """Version number `version` of the project (no permission check: callers made it)."""
    found = dataset_repo.get_version(session, project_id, version)
    if found is None:
        raise NotFound(f"Project {project_id} has no dataset version {version}.")
    return found


def verify_dataset_version(
    session: Session, actor: Actor, project_id: int, version: int
) -> VersionCheck:
    """Recompute a version's content hash from the annotations it names."""
    found = get_dataset_version(session, actor, project_id, version)
    digest, count = content_sha256(dataset_repo.iter_hash_rows(session, found.id))
    return VersionCheck(found.version, found.content_sha256, digest, count)


def check_diff(
    session: Session, actor: Actor, project_id: int, *, base: int, target: int
) -> DiffPlan:
    """Check permission and resolve both versions before a diff is computed or streamed."""
    _load(session, actor, project_id)
    return DiffPlan(
        project_id,
        resolve_version(session, project_id, base),
        resolve_version(session, project_id, target),
    )


def diff_dataset_versions(
    session: Session, actor: Actor, project_id: int, *, base: int, target: int
) -> DatasetDiff:
    """How many tasks were added, removed, changed and kept from `base` to `target`."""
    plan = check_diff(session, actor, project_id, base=base, target=target)
    counts = dataset_repo.diff_counts(session, plan.base.id, plan.target.id)
    return DatasetDiff(
        base=base,
        target=target,
        added=plan.target.task_count - counts.common,
        removed=plan.base.task_count - counts.common,
        changed=counts.changed,
        unchanged=counts.common - counts.changed,
    )


def iter_dataset_diff(session: Session, plan: DiffPlan) -> Iterator[DiffItem]:
    """The tasks that differ between the plan's versions, in task order, streamed."""
    for task_id, base, target in dataset_repo.iter_diff(session, plan.base.id, plan.target.id):
        if base is None:
            yield DiffItem(task_id, Change.ADDED, None, target)
        elif target is None:
            yield DiffItem(task_id, Change.REMOVED, base, None)
        else:
            yield DiffItem(task_id, Change.CHANGED, base, target)


def stream_dataset_diff(platform: Platform, plan: DiffPlan) -> Iterator[bytes]:
    """The diff as NDJSON, one `DiffItem` a line (the caller ran `check_diff` first)."""
    with platform.db.session() as session:
        lines: list[bytes] = []
        for item in iter_dataset_diff(session, plan):
            lines.append(
                orjson.dumps(
                    {
                        "task_id": item.task_id,
                        "change": item.change.value,
                        "base_annotation_id": item.base_annotation_id,
                        "target_annotation_id": item.target_annotation_id,
                    }
                )
                + b"\n"
            )
            if len(lines) >= 1000:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)


def _load(session: Session, actor: Actor, project_id: int) -> None:
    """Reading versions is allowed to whoever may export the project (managers)."""
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
