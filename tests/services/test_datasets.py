"""Dataset versions: snapshots of final labels, content hashes, diffs and version exports."""

from __future__ import annotations

import hashlib
import io
import json
import random
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from labelwright.errors import Conflict, Forbidden, Invalid, NotFound
from labelwright.formats import Selection
from labelwright.formats.task_rows import RowFormat
from labelwright.services import annotations, datasets, export, imports, tasks
from labelwright.services.context import Platform
from labelwright.services.datasets import Change, DiffItem
from labelwright.store.models import (
    AuditEvent,
    DatasetVersion,
    DatasetVersionItem,
    Project,
    Task,
)
from labelwright.store.repositories import datasets as dataset_repo
from tests.builders import MadeUser, add_member, make_project, make_user

SENTIMENTS = ("positive", "negative", "neutral")


class Lab:
    """A project and a Python model of each task's final annotation, kept beside the database."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.manager = make_user(platform)
        self.project_id = make_project(platform, self.manager).id
        self.finals: dict[int, int] = {}
        self.unlabeled: list[int] = []

    def import_tasks(self, count: int, *, labeled: bool) -> list[int]:
        rows = [
            {"data": {"text": f"task {i} 🙂"}}
            | ({"annotations": [{"results": {"sentiment": SENTIMENTS[i % 3]}}]} if labeled else {})
            for i in range(count)
        ]
        body = b"".join(orjson.dumps(r) + b"\n" for r in rows)
        with self.platform.db.session() as session:
            result = imports.import_tasks(
                session,
                self.manager.actor,
                self.project_id,
                io.BytesIO(body),
                fmt=RowFormat.JSONL,
            )
            assert result.first_id is not None and result.last_id is not None
            ids = list(range(result.first_id, result.last_id + 1))
            if labeled:
                tasks = session.scalars(select(Task).where(Task.id.in_(ids))).all()
                self.finals.update({t.id: t.final_annotation_id for t in tasks})  # type: ignore[misc]
            else:
                self.unlabeled += ids
        return ids

    def correct(self, task_id: int, sentiment: str) -> int:
        with self.platform.db.session() as session:
            made = annotations.create_annotation(
                session,
                self.manager.actor,
                task_id,
                results={"sentiment": sentiment},
                parent_id=self.finals[task_id],
            )
        self.finals[task_id] = made.id
        return made.id

    def label(self, task_id: int, sentiment: str) -> int:
        with self.platform.db.session() as session:
            made = annotations.create_annotation(
                session, self.manager.actor, task_id, results={"sentiment": sentiment}
            )
        self.unlabeled.remove(task_id)
        self.finals[task_id] = made.id
        return made.id

    def delete_final(self, task_id: int) -> None:
        with self.platform.db.session() as session:
            annotations.delete_annotation(session, self.manager.actor, self.finals.pop(task_id))

    def snapshot(self, note: str = "") -> tuple[int, dict[int, int]]:
        with self.platform.db.session() as session:
            version = datasets.create_dataset_version(
                session, self.manager.actor, self.project_id, note=note
            )
        return version.version, dict(self.finals)

    def export_lines(self, **options: Any) -> list[dict[str, Any]]:
        with self.platform.db.session() as session:
            plan = export.check_export(session, self.manager.actor, self.project_id, **options)
        body = b"".join(
            export.stream_export(self.platform, self.manager.actor, self.project_id, plan)
        )
        return [json.loads(line) for line in body.splitlines()]


def _expected_diff(old: dict[int, int], new: dict[int, int]) -> list[DiffItem]:
    items = [DiffItem(t, Change.REMOVED, old[t], None) for t in old.keys() - new.keys()]
    items += [DiffItem(t, Change.ADDED, None, new[t]) for t in new.keys() - old.keys()]
    items += [
        DiffItem(t, Change.CHANGED, old[t], new[t])
        for t in old.keys() & new.keys()
        if old[t] != new[t]
    ]
    return sorted(items, key=lambda item: item.task_id)


def _diff(lab: Lab, base: int, target: int) -> tuple[datasets.DatasetDiff, list[DiffItem]]:
    with lab.platform.db.session() as session:
        counts = datasets.diff_dataset_versions(
            session, lab.manager.actor, lab.project_id, base=base, target=target
        )
        plan = datasets.check_diff(
            session, lab.manager.actor, lab.project_id, base=base, target=target
        )
        return counts, list(datasets.iter_dataset_diff(session, plan))


def test_version_snapshots_final_annotations_with_a_content_hash(platform: Platform) -> None:
    lab = Lab(platform)
    labeled = lab.import_tasks(5, labeled=True)
    lab.import_tasks(2, labeled=False)
    number, finals = lab.snapshot("first cut")
    with platform.db.session() as session:
        version = datasets.get_dataset_version(session, lab.manager.actor, lab.project_id, number)
        assert (version.version, version.task_count, version.note) == (1, 5, "first cut")
        expected = hashlib.sha256()
        for task_id in labeled:
            results = {"sentiment": SENTIMENTS[(task_id - labeled[0]) % 3]}
            expected.update(
                f"{task_id}\t{finals[task_id]}\t".encode() + orjson.dumps(results) + b"\n"
            )
        assert version.content_sha256 == expected.hexdigest()
        check = datasets.verify_dataset_version(session, lab.manager.actor, lab.project_id, 1)
        assert check.is_intact and check.task_count == 5
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.project_id == lab.project_id,
                AuditEvent.action == "dataset_version.create",
            )
        ).all()
    assert len(events) == 1
    assert events[0].payload == {
        "version": 1,
        "tasks": 5,
        "sha256": version.content_sha256,
        "note": "first cut",
    }


def test_same_labels_give_the_same_hash_and_version_numbers_count_up(platform: Platform) -> None:
    lab = Lab(platform)
    lab.import_tasks(3, labeled=True)
    lab.snapshot()
    lab.snapshot()
    with platform.db.session() as session:
        first, second = datasets.list_dataset_versions(session, lab.manager.actor, lab.project_id)
        assert (first.version, second.version) == (1, 2)
        assert first.content_sha256 == second.content_sha256
        assert datasets.list_dataset_versions(
            session, lab.manager.actor, lab.project_id, after=1
        ) == [second]


def test_empty_project_version_has_no_tasks_and_the_empty_hash(platform: Platform) -> None:
    lab = Lab(platform)
    lab.import_tasks(2, labeled=False)
    with platform.db.session() as session:
        version = datasets.create_dataset_version(session, lab.manager.actor, lab.project_id)
    assert version.task_count == 0
    assert version.content_sha256 == hashlib.sha256().hexdigest()


def test_diff_names_added_removed_and_changed_tasks(platform: Platform) -> None:
    lab = Lab(platform)
    a, b, _, _ = lab.import_tasks(4, labeled=True)
    (e,) = lab.import_tasks(1, labeled=False)
    v1, old = lab.snapshot()
    lab.correct(a, "negative")
    lab.delete_final(b)
    lab.label(e, "neutral")
    v2, new = lab.snapshot()
    counts, items = _diff(lab, v1, v2)
    assert (counts.added, counts.removed, counts.changed, counts.unchanged) == (1, 1, 1, 2)
    assert items == [
        DiffItem(a, Change.CHANGED, old[a], new[a]),
        DiffItem(b, Change.REMOVED, old[b], None),
        DiffItem(e, Change.ADDED, None, new[e]),
    ]
    back, reverse = _diff(lab, v2, v1)
    assert (back.added, back.removed, back.changed) == (1, 1, 1)
    assert [i.change for i in reverse] == [Change.CHANGED, Change.ADDED, Change.REMOVED]


def test_version_export_keeps_superseded_and_deleted_annotations(platform: Platform) -> None:
    lab = Lab(platform)
    a, b, c = lab.import_tasks(3, labeled=True)
    v1, old = lab.snapshot()
    lab.correct(a, "neutral")
    lab.delete_final(b)
    lines = lab.export_lines(fmt="jsonl", version=v1)
    assert [line["id"] for line in lines] == [a, b, c]
    by_task = {line["id"]: line["annotations"] for line in lines}
    assert [x["id"] for x in by_task[a]] == [old[a]]
    assert by_task[a][0]["status"] == "superseded"
    assert by_task[a][0]["results"] == {"sentiment": SENTIMENTS[0]}
    assert by_task[b][0]["status"] == "deleted" and by_task[b][0]["id"] == old[b]
    current = lab.export_lines(fmt="jsonl", selection=Selection.FINAL)
    assert {line["id"]: [x["id"] for x in line["annotations"]] for line in current} == {
        a: [lab.finals[a]],
        b: [],
        c: [old[c]],
    }
    with platform.db.session() as session:
        check = datasets.verify_dataset_version(session, lab.manager.actor, lab.project_id, v1)
    assert check.is_intact


def test_export_since_a_version_has_only_changed_tasks(platform: Platform) -> None:
    lab = Lab(platform)
    a, b, c = lab.import_tasks(3, labeled=True)
    (d, e) = lab.import_tasks(2, labeled=False)
    v1, _ = lab.snapshot()
    lab.correct(a, "negative")
    lab.delete_final(b)
    lab.label(d, "positive")
    changed = lab.export_lines(fmt="jsonl", since_version=v1)
    assert {line["id"]: [x["id"] for x in line["annotations"]] for line in changed} == {
        a: [lab.finals[a]],
        b: [],  # no longer final: the line says so
        d: [lab.finals[d]],
    }
    v2, _ = lab.snapshot()
    lab.correct(c, "neutral")
    between = lab.export_lines(fmt="jsonl", version=v2, since_version=v1)
    assert [line["id"] for line in between] == [a, d]  # b left the dataset; c changed after v2
    assert lab.export_lines(fmt="jsonl", version=v2, since_version=v2) == []
    assert e not in {line["id"] for line in changed}


def test_version_exports_in_training_formats(platform: Platform) -> None:
    lab = Lab(platform)
    a, _ = lab.import_tasks(2, labeled=True)
    v1, _ = lab.snapshot()
    lab.correct(a, "neutral")
    with platform.db.session() as session:
        plan = export.check_export(
            session, lab.manager.actor, lab.project_id, fmt="csv", version=v1
        )
    text = b"".join(
        export.stream_export(platform, lab.manager.actor, lab.project_id, plan)
    ).decode()
    assert "positive" in text and "neutral" not in text  # a's label as it was in v1


def test_deleting_a_task_a_version_holds_is_refused_naming_the_versions(
    platform: Platform,
) -> None:
    lab = Lab(platform)
    a, b = lab.import_tasks(2, labeled=True)
    (unlabeled,) = lab.import_tasks(1, labeled=False)
    lab.snapshot()
    lab.delete_final(b)
    lab.snapshot()  # version 2 no longer holds b
    lab.snapshot()
    with platform.db.session() as session, pytest.raises(Conflict) as refused:
        tasks.delete_task(session, lab.manager.actor, a)
    assert refused.value.message.startswith(
        f"Task {a} is in dataset versions 1, 2, 3 of project {lab.project_id}; versions are "
        "immutable"
    )
    assert refused.value.errors[0]["versions"] == [1, 2, 3]
    with platform.db.session() as session, pytest.raises(Conflict, match="dataset version 1 of"):
        tasks.delete_task(session, lab.manager.actor, b)
    with platform.db.session() as session:
        tasks.delete_task(session, lab.manager.actor, unlabeled)  # in no version: deleted
    with platform.db.session() as session:
        assert session.get(Task, a) is not None and session.get(Task, b) is not None
        assert session.get(Task, unlabeled) is None
        check = datasets.verify_dataset_version(session, lab.manager.actor, lab.project_id, 1)
        assert check.is_intact and check.task_count == 2
        deletes = session.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.action == "task.delete", AuditEvent.project_id == lab.project_id
            )
        ).all()
        assert deletes == [str(unlabeled)]  # the refused deletions wrote nothing


def test_version_options_are_checked(platform: Platform) -> None:
    lab = Lab(platform)
    lab.import_tasks(1, labeled=True)
    lab.snapshot()
    with platform.db.session() as session, pytest.raises(NotFound, match="no dataset version 9"):
        export.check_export(session, lab.manager.actor, lab.project_id, version=9)
    with platform.db.session() as session, pytest.raises(Invalid, match="one final annotation"):
        export.check_export(
            session, lab.manager.actor, lab.project_id, version=1, selection=Selection.ALL
        )
    with platform.db.session() as session, pytest.raises(NotFound):
        datasets.diff_dataset_versions(session, lab.manager.actor, lab.project_id, base=1, target=2)
    with platform.db.session() as session, pytest.raises(Invalid, match="note"):
        datasets.create_dataset_version(session, lab.manager.actor, lab.project_id, note="x" * 2001)


def test_only_managers_create_and_read_versions(platform: Platform) -> None:
    lab = Lab(platform)
    reviewer: MadeUser = make_user(platform)
    add_member(platform, lab.manager, lab.project_id, reviewer, "reviewer")
    stranger = make_user(platform)
    with platform.db.session() as session, pytest.raises(Forbidden):
        datasets.create_dataset_version(session, reviewer.actor, lab.project_id)
    with platform.db.session() as session, pytest.raises(Forbidden):
        datasets.list_dataset_versions(session, reviewer.actor, lab.project_id)
    with platform.db.session() as session, pytest.raises(NotFound):
        datasets.create_dataset_version(session, stranger.actor, lab.project_id)


def test_diffs_of_random_histories_match_python_set_differences(platform: Platform) -> None:
    """Seeded random corrections, deletions, labels and imports; every pair of versions."""
    rng = random.Random(7)
    lab = Lab(platform)
    lab.import_tasks(12, labeled=True)
    lab.import_tasks(6, labeled=False)
    versions = [lab.snapshot()]
    for _ in range(4):
        for _ in range(rng.randint(1, 5)):
            action = rng.choice(("correct", "delete", "label", "import"))
            if action == "correct" and lab.finals:
                lab.correct(rng.choice(sorted(lab.finals)), rng.choice(SENTIMENTS))
            elif action == "delete" and lab.finals:
                lab.delete_final(rng.choice(sorted(lab.finals)))
            elif action == "label" and lab.unlabeled:
                lab.label(rng.choice(lab.unlabeled), rng.choice(SENTIMENTS))
            else:
                lab.import_tasks(rng.randint(1, 3), labeled=rng.random() < 0.5)
        versions.append(lab.snapshot())
    for base, old in versions:
        for target, new in versions:
            counts, items = _diff(lab, base, target)
            expected = _expected_diff(old, new)
            assert items == expected
            assert counts.added == sum(i.change is Change.ADDED for i in expected)
            assert counts.removed == sum(i.change is Change.REMOVED for i in expected)
            assert counts.changed == sum(i.change is Change.CHANGED for i in expected)
            assert counts.unchanged == len(old.keys() & new.keys()) - counts.changed
    for number, snapshot in versions:
        lines = lab.export_lines(fmt="jsonl", version=number)
        assert {line["id"]: line["annotations"][0]["id"] for line in lines} == snapshot


_items = st.dictionaries(st.integers(1, 60), st.integers(1, 8), max_size=30)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=_items, new=_items)
def test_sql_diff_of_any_two_item_sets_is_the_set_difference(
    platform: Platform, old: dict[int, int], new: dict[int, int]
) -> None:
    """Items written straight into two versions (the diff reads only them)."""
    with platform.db.session() as session:
        project_id = session.scalar(select(Project.id).order_by(Project.id).limit(1))
    if project_id is None:
        project_id = make_project(platform, make_user(platform)).id
    with platform.db.session() as session:
        versions = []
        for items in (old, new):
            version = DatasetVersion(
                project_id=project_id,
                version=dataset_repo.next_number(session, project_id),
                content_sha256="",
                task_count=len(items),
            )
            session.add(version)
            session.flush()
            session.add_all(
                DatasetVersionItem(version_id=version.id, task_id=t, annotation_id=a)
                for t, a in items.items()
            )
            session.flush()
            versions.append(version)
        plan = datasets.DiffPlan(project_id, versions[0], versions[1])
        assert list(datasets.iter_dataset_diff(session, plan)) == _expected_diff(old, new)
        counts = dataset_repo.diff_counts(session, versions[0].id, versions[1].id)
        assert counts.common == len(old.keys() & new.keys())
        session.rollback()
