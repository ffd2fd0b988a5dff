"""Demo street scenes drawn with Pillow: cars, a pedestrian, a road sign and the road.

Each scene comes with what was drawn: car boxes, the sign's triangle as a polygon, the
pedestrian's keypoints, the road as a COCO RLE mask and the time of day, which the demo imports
as a suggestion to check.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from labelwright.domain.rle import rle_encode

DETECTION_SCHEMA: dict[str, Any] = {
    "objects": {"image": {"type": "image"}},
    "controls": [
        {
            "name": "scene",
            "type": "choice",
            "of": "image",
            "options": ["day", "dusk", "night"],
            "required": True,
        },
        {
            "name": "objects",
            "type": "boxes",
            "of": "image",
            "labels": ["car", "person"],
            "attributes": {"occluded": "bool"},
        },
        {"name": "signs", "type": "polygons", "of": "image", "labels": ["warning-sign"]},
        {
            "name": "pose",
            "type": "keypoints",
            "of": "image",
            "labels": ["head", "left-hand", "right-hand", "left-foot", "right-foot"],
            "skeleton": [
                ["head", "left-hand"],
                ["head", "right-hand"],
                ["head", "left-foot"],
                ["head", "right-foot"],
            ],
        },
        {"name": "surfaces", "type": "masks", "of": "image", "labels": ["road"]},
    ],
}

WIDTH, HEIGHT = 640, 480
_SKIES = {"day": (170, 205, 240), "dusk": (235, 160, 120), "night": (30, 35, 70)}


@dataclass(frozen=True)
class DemoScene:
    png: bytes
    filename: str
    results: dict[str, Any]


def make_scene(rng: random.Random, number: int) -> DemoScene:
    """One 640x480 street scene and the values of every control for it."""
    import io

    from PIL import Image, ImageDraw

    scene = rng.choice(list(_SKIES))
    image = Image.new("RGB", (WIDTH, HEIGHT), _SKIES[scene])
    draw = ImageDraw.Draw(image)
    horizon = 300
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=(70, 140, 70))  # grass
    road = [(0, HEIGHT), (WIDTH, HEIGHT), (WIDTH * 0.62, horizon), (WIDTH * 0.38, horizon)]
    draw.polygon(road, fill=(85, 85, 90))
    mask_image = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(mask_image).polygon(road, fill=1)
    mask = np.asarray(mask_image, dtype=np.uint8).copy()
    boxes = []
    for index in range(rng.randint(1, 3)):
        w = rng.randint(90, 150)
        h = int(w * 0.45)
        x, y = rng.randint(0, WIDTH - w), rng.randint(horizon + 20, HEIGHT - h - 5)
        color = (rng.randint(60, 230), rng.randint(20, 90), rng.randint(20, 90))
        draw.rounded_rectangle((x, y + h * 0.3, x + w, y + h * 0.85), radius=8, fill=color)
        draw.polygon(
            [
                (x + w * 0.2, y + h * 0.3),
                (x + w * 0.35, y),
                (x + w * 0.7, y),
                (x + w * 0.85, y + h * 0.3),
            ],
            fill=color,
        )
        for wx in (x + w * 0.22, x + w * 0.78):
            draw.ellipse((wx - h * 0.15, y + h * 0.7, wx + h * 0.15, y + h), fill=(20, 20, 20))
        mask[y : y + h, x : x + w] = 0  # the car hides the road
        boxes.append(
            {
                "id": f"car-{index}",
                "x": x,
                "y": y,
                "w": w,
                "h": h,
                "label": "car",
                "attributes": {"occluded": False},
            }
        )
    px, py = rng.randint(20, WIDTH - 60), rng.randint(200, 240)
    head = (px + 20, py + 10)
    draw.ellipse((px + 10, py, px + 30, py + 20), fill=(240, 200, 160))
    draw.rectangle((px + 8, py + 22, px + 32, py + 70), fill=(40, 70, 170))
    hands = ((px, py + 55), (px + 40, py + 55))
    feet = ((px + 12, py + 100), (px + 28, py + 100))
    draw.line((px + 14, py + 70, *feet[0]), fill=(40, 40, 40), width=5)
    draw.line((px + 26, py + 70, *feet[1]), fill=(40, 40, 40), width=5)
    draw.line((px + 8, py + 26, *hands[0]), fill=(240, 200, 160), width=4)
    draw.line((px + 32, py + 26, *hands[1]), fill=(240, 200, 160), width=4)
    boxes.append(
        {
            "id": "person-0",
            "x": px,
            "y": py,
            "w": 41,
            "h": 101,
            "label": "person",
            "attributes": {"occluded": False},
        }
    )
    sx, sy = rng.randint(WIDTH - 140, WIDTH - 60), rng.randint(150, 220)
    triangle = [[sx, sy + 50], [sx + 56, sy + 50], [sx + 28, sy]]
    draw.line((sx + 28, sy + 50, sx + 28, horizon + 20), fill=(110, 110, 110), width=4)
    draw.polygon([tuple(p) for p in triangle], fill=(250, 210, 40), outline=(200, 30, 30), width=4)
    keypoints = [
        {"id": "kp-head", "x": head[0], "y": head[1], "label": "head", "visible": True},
        {"id": "kp-lh", "x": hands[0][0], "y": hands[0][1], "label": "left-hand", "visible": True},
        {"id": "kp-rh", "x": hands[1][0], "y": hands[1][1], "label": "right-hand", "visible": True},
        {"id": "kp-lf", "x": feet[0][0], "y": feet[0][1], "label": "left-foot", "visible": True},
        {"id": "kp-rf", "x": feet[1][0], "y": feet[1][1], "label": "right-foot", "visible": True},
    ]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return DemoScene(
        png=buffer.getvalue(),
        filename=f"scene-{number:02d}.png",
        results={
            "scene": scene,
            "objects": boxes,
            "signs": [{"id": "sign-0", "points": triangle, "label": "warning-sign"}],
            "pose": keypoints,
            "surfaces": [{"id": "road-0", "rle": rle_encode(mask), "label": "road"}],
        },
    )
