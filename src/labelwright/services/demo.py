"""Demo projects generated on this machine (no downloads).

Text classification + NER, image boxes, RLHF preference, object detection (boxes, polygons,
keypoints, masks, scene choice) and documents/OCR (generated PDFs with a text layer: regions with
transcriptions suggested from that layer, key-value fields, document type).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from sqlalchemy import select

from labelwright.formats.task_rows import RowFormat
from labelwright.services import document_suggestions, imports, media, projects
from labelwright.services.auth import actor_of
from labelwright.services.context import Actor, Platform
from labelwright.services.demo_detection import DETECTION_SCHEMA, make_scene
from labelwright.services.demo_documents import DOCUMENT_SCHEMA, demo_documents
from labelwright.store.models import Project, User

TEXT_NAME = "Demo: text classification + NER"
IMAGE_NAME = "Demo: image boxes"
RLHF_NAME = "Demo: RLHF pairwise preference"
DETECTION_NAME = "Demo: object detection"
DOCUMENT_NAME = "Demo: documents and OCR"

TEXT_SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "of": "text",
            "options": ["positive", "negative", "neutral"],
            "required": True,
        },
        {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]},
    ],
}
IMAGE_SCHEMA = {
    "objects": {"image": {"type": "image"}},
    "controls": [
        {"name": "objects", "type": "boxes", "of": "image", "labels": ["car", "person"]},
    ],
}
RLHF_SCHEMA = {
    "objects": {"prompt": {"type": "conversation"}, "responses": {"type": "responses"}},
    "controls": [
        {"name": "preference", "type": "pairwise", "of": "responses", "required": True},
    ],
}
GUIDELINES = "# Guidelines\n\nLabel what you see; when unsure, escalate with a reason.\n"

PEOPLE = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Linus Torvalds"]
ORGS = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries"]
PLACES = ["Lisbon", "Nairobi", "Osaka", "Toronto", "Berlin"]
TEMPLATES = [
    ("{p} praised the new office of {o} in {l}.", "positive"),
    ("{o} cut 200 jobs in {l}, {p} said.", "negative"),
    ("{p} will visit {l} next week to meet {o}.", "neutral"),
    ("Customers in {l} love what {o} built, according to {p}.", "positive"),
    ("{p} complained that {o} ignored the flood in {l}.", "negative"),
]


def create_demo(platform: Platform, *, seed: int = 7) -> list[str]:
    """Create the demo projects that do not exist yet; returns the names created."""
    with platform.db.session() as session:
        admin = session.scalars(
            select(User).where(User.is_admin.is_(True)).order_by(User.id)
        ).first()
        if admin is None:
            raise RuntimeError("create the admin first")
        actor = actor_of(admin)
        existing = set(session.scalars(select(Project.name)))
    rng = random.Random(seed)
    builders: list[tuple[str, dict[str, Any], Callable[[], Iterator[dict[str, Any]]]]] = [
        (TEXT_NAME, TEXT_SCHEMA, lambda: _text_rows(rng)),
        (IMAGE_NAME, IMAGE_SCHEMA, lambda: _image_rows(platform, actor, rng)),
        (RLHF_NAME, RLHF_SCHEMA, lambda: _rlhf_rows(rng)),
        (DETECTION_NAME, DETECTION_SCHEMA, lambda: _detection_rows(platform, actor, rng)),
        (DOCUMENT_NAME, DOCUMENT_SCHEMA, lambda: _document_rows(platform, actor, rng)),
    ]
    created = []
    for name, schema, rows in builders:
        if name in existing:
            continue
        with platform.db.session() as session:
            project = projects.create_project(
                session, actor, name=name, schema=schema, guidelines=GUIDELINES
            )
        body = b"".join(orjson.dumps(r) + b"\n" for r in rows())
        with platform.db.session() as session:
            imports.import_tasks(session, actor, project.id, io.BytesIO(body), fmt=RowFormat.JSONL)
        if name == DOCUMENT_NAME:
            _suggest_document_regions(platform, actor, project.id)
        created.append(name)
    return created


def _upload(platform: Platform, actor: Actor, data: bytes, filename: str, mime: str) -> str:
    with platform.db.session() as session:
        stored = media.upload_media(
            platform, session, actor, iter([data]), filename=filename, content_type=mime
        )
    return f"media:{stored.sha256}"


def _detection_rows(
    platform: Platform, actor: Actor, rng: random.Random
) -> Iterator[dict[str, Any]]:
    for i in range(8):
        scene = make_scene(rng, i)
        ref = _upload(platform, actor, scene.png, scene.filename, "image/png")
        yield {
            "data": {"image": ref},
            "meta": {"filename": scene.filename},
            "predictions": [
                {"origin": "model:demo-detector@2", "score": 0.9, "results": scene.results}
            ],
        }


def _document_rows(
    platform: Platform, actor: Actor, rng: random.Random
) -> Iterator[dict[str, Any]]:
    for doc in demo_documents(rng):
        ref = _upload(platform, actor, doc.pdf, doc.filename, "application/pdf")
        fields = []
        for name, value in doc.fields.items():
            shown = f"${value:,.2f}" if name == "total" else str(value)
            fields.append({"name": name, "value": shown, "normalized": value})
        yield {
            "data": {"document": ref},
            "meta": {"filename": doc.filename},
            "predictions": [
                {
                    "origin": "model:demo-extractor@1",
                    "score": round(rng.uniform(0.6, 0.95), 3),
                    "results": {"doctype": doc.doctype, "fields": fields},
                }
            ],
        }


def _suggest_document_regions(platform: Platform, actor: Actor, project_id: int) -> None:
    """Render the demo PDFs and suggest regions from their text layer (no OCR: fast)."""
    with platform.db.session() as session:
        job, options = document_suggestions.start_document_suggestions(
            session, actor, project_id, engine=document_suggestions.SuggestEngine.TEXT_LAYER
        )
    document_suggestions.run_document_suggestions(platform, actor, job.id, project_id, options)


def _text_rows(rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(40):
        template, sentiment = TEMPLATES[i % len(TEMPLATES)]
        p, o, loc = rng.choice(PEOPLE), rng.choice(ORGS), rng.choice(PLACES)
        text = template.format(p=p, o=o, l=loc)
        spans = []
        for value, label in ((p, "PER"), (o, "ORG"), (loc, "LOC")):
            start = text.index(value)
            spans.append({"start": start, "end": start + len(value), "label": label, "text": value})
        spans.sort(key=lambda s: s["start"])
        yield {
            "data": {"text": text},
            "meta": {"source": "demo", "split": "train" if i % 5 else "test"},
            "predictions": [
                {
                    "origin": "model:demo-ner@1",
                    "score": round(rng.uniform(0.4, 0.99), 3),
                    "results": {"sentiment": sentiment, "entities": spans},
                }
            ],
        }


def _image_rows(platform: Platform, actor: Actor, rng: random.Random) -> Iterator[dict[str, Any]]:
    from PIL import Image, ImageDraw

    for i in range(12):
        width, height = 640, 480
        image = Image.new("RGB", (width, height), (200 + i * 3, 220, 235))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 360, width, height), fill=(90, 90, 90))  # road
        boxes = []
        for _ in range(rng.randint(1, 3)):
            w, h = rng.randint(80, 160), rng.randint(40, 70)
            x, y = rng.randint(0, width - w), rng.randint(330, height - h)
            draw.rectangle((x, y, x + w, y + h), fill=(rng.randint(50, 255), 40, 40))
            boxes.append({"x": x, "y": y, "w": w, "h": h, "label": "car"})
        pw, ph = 30, 90
        px, py = rng.randint(0, width - pw), rng.randint(200, 300)
        draw.ellipse((px + 5, py, px + 25, py + 20), fill=(240, 200, 160))
        draw.rectangle((px, py + 20, px + pw, py + ph), fill=(30, 60, 160))
        boxes.append({"x": px, "y": py, "w": pw, "h": ph, "label": "person"})
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        with platform.db.session() as session:
            stored = media.upload_media(
                platform,
                session,
                actor,
                iter([buffer.getvalue()]),
                filename=f"street-{i:02d}.png",
                content_type="image/png",
            )
        yield {
            "data": {"image": f"media:{stored.sha256}"},
            "meta": {"filename": f"street-{i:02d}.png"},
            "predictions": [
                {"origin": "model:demo-detector@1", "score": 0.8, "results": {"objects": boxes}}
            ],
        }


PROMPTS = [
    (
        "Explain photosynthesis to a child.",
        "Plants eat sunlight and make air we breathe.",
        "Photosynthesis is the conversion of light energy into chemical energy by chlorophyll.",
    ),
    (
        "Write a haiku about autumn.",
        "Red leaves drift and fall / the cold wind hums a soft song / the year breathes out slow",
        "Autumn is a season that comes after summer.",
    ),
    (
        "How do I reverse a list in Python?",
        "Use my_list.reverse() in place, or my_list[::-1] for a reversed copy.",
        "You cannot reverse lists in Python.",
    ),
    (
        "Summarize the water cycle.",
        "Water evaporates, condenses into clouds, falls as precipitation and collects again.",
        "Water is wet.",
    ),
]


def _rlhf_rows(rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(16):
        prompt, good, bad = PROMPTS[i % len(PROMPTS)]
        pair = [good, bad] if rng.random() < 0.5 else [bad, good]
        yield {
            "data": {
                "prompt": [{"role": "user", "content": prompt}],
                "responses": [{"id": "a", "text": pair[0]}, {"id": "b", "text": pair[1]}],
            },
            "meta": {"source": "demo"},
        }
