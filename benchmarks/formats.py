"""Export speed and memory of the formats: COCO of 100,000 images with 1,000,000 boxes and JSONL of
1,000,000 tasks, through the real export service on SQLite (or PostgreSQL), plus the pure COCO
converter without a database.

Each measurement runs in its own process, which prints its wall time, bytes written and peak
RSS (`ru_maxrss`, whole process: interpreter, SQLAlchemy and the export). With
`--label-studio-url` and `--label-studio-python`, the same kind of data (at `--ls-images` images,
10 boxes each, and `--ls-tasks` text tasks) is loaded into a running Label Studio and exported
through its API (`exportType=COCO` and `JSON`), and Labelwright exports the same sizes for the
ratio.

    python benchmarks/formats.py                      # full size, a few minutes
    python benchmarks/formats.py --scale 0.1          # a tenth
    python benchmarks/formats.py --label-studio-url http://127.0.0.1:8089 \\
        --label-studio-token KEY --label-studio-python /tmp/ls-venv/bin/python \\
        --label-studio-data /tmp/lsdata
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

IMAGE_SCHEMA = {
    "objects": {"image": {"type": "image"}},
    "controls": [
        {"name": "label", "type": "boxes", "of": "image", "labels": ["car", "person", "bike"]}
    ],
}
TEXT_SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [{"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg"]}],
}
BOXES_PER_IMAGE = 10
BATCH = 10_000


def _platform(data_dir: Path, url: str | None) -> Any:
    from labelwright.services.context import Platform
    from labelwright.settings import Settings

    settings = Settings(
        data_dir=data_dir, database_url=url, secret_key="benchmark-secret-key-0123456789"
    )
    return Platform.open(settings)


def _boxes(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for k in range(BOXES_PER_IMAGE):
        x, y = rng.uniform(0, 1800), rng.uniform(0, 1000)
        out.append(
            {
                "id": f"b{k}",
                "x": round(x, 2),
                "y": round(y, 2),
                "w": round(rng.uniform(5, 100), 2),
                "h": round(rng.uniform(5, 70), 2),
                "label": rng.choice(["car", "person", "bike"]),
            }
        )
    return out


def fill(data_dir: Path, url: str | None, images: int, texts: int) -> dict[str, int]:
    """Two projects filled straight through the store (the import path is benchmarked elsewhere)."""
    import orjson

    from labelwright.services import projects
    from labelwright.services.context import SYSTEM
    from labelwright.store.db import begin_write
    from labelwright.store.repositories import bulk_tasks
    from labelwright.store.repositories import tasks as task_repo

    platform = _platform(data_dir, url)
    rng = random.Random(7)
    ids = {}
    for name, schema, count in (("coco", IMAGE_SCHEMA, images), ("jsonl", TEXT_SCHEMA, texts)):
        with platform.db.session() as session:
            project = projects.create_project(session, SYSTEM, name=name, schema=schema)
            ids[name] = project.id
            version = project.schema_version
        for start in range(0, count, BATCH):
            n = min(BATCH, count - start)
            with platform.db.session() as session:
                begin_write(session)
                task_ids = bulk_tasks.allocate_task_ids(session, n)
                rows, annotations = [], []
                for offset, task_id in enumerate(task_ids):
                    i = start + offset
                    if name == "coco":
                        data = {
                            "image": {"src": f"images/{i:07d}.jpg", "width": 1920, "height": 1080}
                        }
                        results: dict[str, Any] = {"label": _boxes(rng)}
                    else:
                        data = {"text": f"task {i} " + "lorem ipsum dolor sit amet " * 6}
                        results = {"sentiment": rng.choice(["pos", "neg"])}
                    rows.append(
                        (orjson.dumps(data), orjson.dumps({"i": i}), 0, 1)
                    )
                    annotations.append(
                        {
                            "task_id": task_id,
                            "project_id": ids[name],
                            "author_id": None,
                            "origin": "import",
                            "schema_version": version,
                            "guideline_version": 1,
                            "lead_time_ms": None,
                            "stage": "label",
                            "status": "submitted",
                            "results": results,
                        }
                    )
                writer = bulk_tasks.TaskWriter(session, ids[name])
                writer.write(task_ids, rows)
                writer.pause()
                task_repo.insert_annotations(session, annotations)
                task_repo.set_imported_finals(session, task_ids)
                session.commit()
    platform.close()
    return ids


def measure(data_dir: Path, url: str | None, project_id: int, fmt: str) -> dict[str, Any]:
    """Export one project through the service; wall time, bytes and peak RSS of this process."""
    from labelwright.services import export
    from labelwright.services.context import SYSTEM

    platform = _platform(data_dir, url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    written = 0
    first_byte = None
    with platform.db.session() as session:
        plan = export.check_export(session, SYSTEM, project_id, fmt=fmt)
    with open(os.devnull, "wb") as sink:
        for chunk in export.stream_export(platform, SYSTEM, project_id, plan):
            if first_byte is None:
                first_byte = time.perf_counter() - start
            written += len(chunk)
            sink.write(chunk)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    platform.close()
    return {
        "format": fmt,
        "seconds": round(seconds, 2),
        "first_byte_s": round(first_byte or 0, 3),
        "mb": round(written / 1e6, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_before_mb": round(before / 1024, 1),
    }


def measure_converter(images: int) -> dict[str, Any]:
    """The pure COCO converter on generated records (no database)."""
    from labelwright.domain import parse_schema
    from labelwright.formats import ExportAnnotation, ExportTask, get_exporter

    schema = parse_schema(IMAGE_SCHEMA)
    rng = random.Random(3)
    boxes = [_boxes(rng) for _ in range(100)]

    def tasks() -> Any:
        for i in range(images):
            yield ExportTask(
                id=i + 1,
                data={"image": {"src": f"images/{i:07d}.jpg", "width": 1920, "height": 1080}},
                annotations=(ExportAnnotation(id=i + 1, results={"label": boxes[i % 100]}),),
            )

    start = time.perf_counter()
    written = sum(len(c) for c in get_exporter("coco").export(tasks(), schema=schema))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "format": "coco (converter only)",
        "seconds": round(time.perf_counter() - start, 2),
        "mb": round(written / 1e6, 1),
        "peak_rss_mb": round(peak / 1024, 1),
    }


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


LS_CONFIG_IMAGE = """<View><Image name="image" value="$image"/>
<RectangleLabels name="label" toName="image">
<Label value="car"/><Label value="person"/><Label value="bike"/></RectangleLabels></View>"""
LS_CONFIG_TEXT = """<View><Text name="text" value="$text"/>
<Choices name="sentiment" toName="text"><Choice value="pos"/><Choice value="neg"/></Choices>
</View>"""
LS_LOADER = r"""
import json, random, sys
from django.contrib.auth import get_user_model
from projects.models import Project
from tasks.models import Task, Annotation
kind, count, config = sys.argv[1], int(sys.argv[2]), sys.argv[3]
user = get_user_model().objects.order_by("id").first()
project = Project.objects.create(title=f"bench-{kind}", label_config=config, created_by=user,
                                 organization=user.active_organization)
rng = random.Random(7)
for start in range(0, count, 5000):
    n = min(5000, count - start)
    tasks = []
    for i in range(start, start + n):
        if kind == "coco":
            data = {"image": f"https://example.org/images/{i:07d}.jpg"}
        else:
            data = {"text": f"task {i} " + "lorem ipsum dolor sit amet " * 6}
        tasks.append(Task(project=project, data=data))
    tasks = Task.objects.bulk_create(tasks)
    annotations = []
    for task in tasks:
        if kind == "coco":
            result = [{"id": f"b{k}", "from_name": "label", "to_name": "image",
                       "type": "rectanglelabels", "original_width": 1920, "original_height": 1080,
                       "value": {"x": rng.uniform(0, 90), "y": rng.uniform(0, 90),
                                 "width": rng.uniform(1, 5), "height": rng.uniform(1, 5),
                                 "rotation": 0,
                                 "rectanglelabels": [rng.choice(["car", "person", "bike"])]}}
                      for k in range(10)]
        else:
            result = [{"id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices",
                       "value": {"choices": [rng.choice(["pos", "neg"])]}}]
        annotations.append(Annotation(task=task, project=project, completed_by=user, result=result))
    Annotation.objects.bulk_create(annotations)
print(json.dumps({"project": project.id}))
"""


def label_studio(args: argparse.Namespace, kind: str, count: int) -> dict[str, Any]:
    """Load `count` tasks into Label Studio through its ORM and time its export API."""
    import httpx

    package = Path(args.label_studio_python).parent.parent
    site = next(package.glob("lib/python3*/site-packages/label_studio"))
    config = LS_CONFIG_IMAGE if kind == "coco" else LS_CONFIG_TEXT
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(LS_LOADER)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "core.settings.label_studio",
        "DJANGO_DB": "sqlite",
        "LABEL_STUDIO_BASE_DATA_DIR": args.label_studio_data,
    }
    code = (
        f"import sys; sys.argv = ['x', {kind!r}, '{count}', {config!r}]; "
        f"exec(open({script.name!r}).read())"
    )
    loaded = subprocess.run(
        [args.label_studio_python, "manage.py", "shell", "-c", code],
        cwd=site,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    project = json.loads(loaded.strip().splitlines()[-1])["project"]
    export_type = "COCO" if kind == "coco" else "JSON"
    start = time.perf_counter()
    with httpx.Client(
        base_url=args.label_studio_url,
        headers={"Authorization": f"Token {args.label_studio_token}"},
        timeout=3600,
    ) as http:
        response = http.get(f"/api/projects/{project}/export", params={"exportType": export_type})
        response.raise_for_status()
    return {
        "format": f"label-studio {export_type}",
        "seconds": round(time.perf_counter() - start, 2),
        "mb": round(len(response.content) / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--label-studio-url")
    parser.add_argument("--label-studio-token")
    parser.add_argument("--label-studio-python")
    parser.add_argument("--label-studio-data")
    parser.add_argument("--ls-images", type=int, default=10_000)
    parser.add_argument("--ls-tasks", type=int, default=100_000)
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        command, *rest = args.child
        url = None if len(rest) < 2 or rest[1] == "-" else rest[1]
        if command == "fill":
            print(json.dumps(fill(Path(rest[0]), url, int(rest[2]), int(rest[3]))))
        elif command == "measure":
            print(json.dumps(measure(Path(rest[0]), url, int(rest[2]), rest[3])))
        else:
            print(json.dumps(measure_converter(int(rest[0]))))
        return
    images, texts = int(100_000 * args.scale), int(1_000_000 * args.scale)
    url = args.database_url or "-"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ids = _child("--child", "fill", tmp, url, str(images), str(texts))
        print(f"filled {images} images / {texts} tasks in {time.perf_counter() - start:.0f} s")
        for fmt, project in (("coco", ids["coco"]), ("jsonl", ids["jsonl"])):
            results.append(_child("--child", "measure", tmp, url, str(project), fmt))
            print(results[-1])
        results.append(_child("--child", "converter", str(images)))
        print(results[-1])
        if args.label_studio_url:
            small = _child("--child", "fill", tmp, url, str(args.ls_images), str(args.ls_tasks))
            for fmt, project, count in (
                ("coco", small["coco"], args.ls_images),
                ("jsonl", small["jsonl"], args.ls_tasks),
            ):
                ours = _child("--child", "measure", tmp, url, str(project), fmt)
                theirs = label_studio(args, fmt, count)
                ours["format"] += f" ({count} tasks)"
                theirs["format"] += f" ({count} tasks)"
                print(ours, theirs, f"ratio {theirs['seconds'] / max(ours['seconds'], 1e-3):.1f}x")
                results += [ours, theirs]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
