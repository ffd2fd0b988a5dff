"""Image tools in the workbench: boxes, polygons, keypoints and masks on one image, submitted
and compared pixel for pixel; zoom keeps source-pixel coordinates; large images use a preview."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw
from pycocotools import mask as coco_mask

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, make_project, make_user
from tests.web.conftest import ARTIFACTS, log_in
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
WIDTH, HEIGHT = 640, 480
SCHEMA: dict[str, Any] = {
    "objects": {"image": {"type": "image"}},
    "controls": [
        {"name": "scene", "type": "choice", "of": "image", "options": ["day", "night"]},
        {
            "name": "objects",
            "type": "boxes",
            "of": "image",
            "labels": ["car", "person"],
            "attributes": {"occluded": "bool"},
            "rotation": True,
        },
        {"name": "signs", "type": "polygons", "of": "image", "labels": ["warning-sign"]},
        {
            "name": "pose",
            "type": "keypoints",
            "of": "image",
            "labels": ["head", "hand"],
            "skeleton": [["head", "hand"]],
        },
        {"name": "surfaces", "type": "masks", "of": "image", "labels": ["road", "grass"]},
    ],
}


def scene_png(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A street-like scene: sky, grass, a road, a car and a sign (as the demo draws them)."""
    image = Image.new("RGB", (width, height), (170, 205, 240))
    draw = ImageDraw.Draw(image)
    horizon = height * 5 // 8
    draw.rectangle((0, horizon, width, height), fill=(70, 140, 70))
    road = [(0, height), (width, height), (width * 0.62, horizon), (width * 0.38, horizon)]
    draw.polygon(road, fill=(85, 85, 90))
    draw.rectangle((100, 150, 260, 250), fill=(200, 40, 40))
    draw.polygon([(400, 100), (480, 100), (440, 180)], fill=(240, 200, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def shoot(page: Any, name: str) -> None:
    """Screenshot of the labeling area, kept with the test artifacts and in /tmp/shots."""
    for folder in (ARTIFACTS, SHOTS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"))


def image_task(
    platform: Platform, live_url: str, png: bytes, *, schema: dict[str, Any] = SCHEMA
) -> tuple[MadeUser, int, int, str]:
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    project = make_project(platform, manager, schema=schema, name="Street scenes")
    add_member(platform, manager, project.id, annotator, "annotator")
    stored = httpx.post(
        f"{live_url}/api/v1/media",
        files={"file": ("scene.png", png, "image/png")},
        headers=manager.headers,
    ).json()
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project.id}/tasks",
        json=[{"data": {"image": stored["ref"]}}],
        headers=manager.headers,
    ).json()
    return annotator, project.id, created["first_id"], stored["sha256"]


def open_task(page: Any, annotator: MadeUser, project_id: int, task_id: int) -> None:
    log_in(page, annotator)
    page.goto(f"/projects/{project_id}/label")
    wait_task(page, task_id)
    page.wait_for_selector("lw-image-stage[data-ready=true]")


def at(page: Any, x: float, y: float) -> tuple[float, float]:
    """The page position of a source pixel position under the stage's current view."""
    cx, cy = page.evaluate(
        "([x, y]) => document.querySelector('lw-image-stage').clientOf(x, y)", [x, y]
    )
    return float(cx), float(cy)


def drag(page: Any, a: tuple[float, float], b: tuple[float, float], steps: int = 6) -> None:
    page.mouse.move(*at(page, *a))
    page.mouse.down()
    page.mouse.move(*at(page, *b), steps=steps)
    page.mouse.up()


def click(page: Any, x: float, y: float) -> None:
    page.mouse.click(*at(page, x, y))


def hotkey(page: Any, control: str, label: str) -> str:
    """The key shown on a label's button."""
    key = page.locator(f"[data-control={control}] [data-label={label}] kbd").text_content()
    return str(key).lower()


def use_tool(page: Any, control: str) -> None:
    page.locator(f"lw-image-stage .stage-tool[data-tool$=': {control}']").click()


def capsule(a: tuple[float, float], b: tuple[float, float], radius: float) -> np.ndarray:
    """Pixels whose centres lie within `radius` of the segment a-b (the brush rule)."""
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH] + 0.5
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return ((xs - ax - t * dx) ** 2 + (ys - ay - t * dy) ** 2 <= radius * radius).astype(np.uint8)


def results_of(live_url: str, annotator: MadeUser, task_id: int) -> dict[str, Any]:
    stored = httpx.get(
        f"{live_url}/api/v1/tasks/{task_id}/annotations", headers=annotator.headers
    ).json()
    assert len(stored) == 1
    return dict(stored[0]["results"])


def test_boxes_polygon_keypoints_and_mask_are_stored_in_source_pixels(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    annotator, project_id, task_id, _ = image_task(platform, live_url, scene_png())
    open_task(page, annotator, project_id, task_id)
    page.locator("[data-zoom=actual]").click()
    page.locator("[data-control=scene] [data-option=day]").click()

    # boxes: draw a car, draw a person by hotkey, move and resize it, mark it occluded, turn it
    use_tool(page, "objects")
    drag(page, (100, 150), (260, 250))
    boxes = page.locator("[data-control=objects] .rt-list li")
    assert boxes.count() == 1
    page.keyboard.press("Escape")  # deselect, so the label key picks the next box's label
    page.keyboard.press(hotkey(page, "objects", "person"))
    drag(page, (300, 200), (340, 290))
    drag(page, (320, 240), (330, 250))  # move by (10, 10): (310, 210) 40x90
    drag(page, (350, 300), (360, 310))  # the south-east handle: 50x100
    page.locator("[data-control=objects] input[name=attr-occluded]").check()
    page.keyboard.press(">")  # turns the selected box by 15 degrees
    # a third box, undone and redone away again
    drag(page, (20, 20), (60, 60))
    assert boxes.count() == 3
    page.keyboard.press("Control+z")
    assert boxes.count() == 2
    shoot(page, "image_boxes")

    # polygons: three clicks and a click on the first point, then drag an edge midpoint out
    use_tool(page, "signs")
    for x, y in ((400, 100), (480, 100), (440, 180)):
        click(page, x, y)
    click(page, 400, 100)
    assert page.locator("[data-control=signs] .rt-list li").count() == 1
    drag(page, (440, 100), (440, 80))
    shoot(page, "image_polygon")

    # keypoints: the label moves on after each point; the hand is marked not visible
    use_tool(page, "pose")
    click(page, 200, 320)
    click(page, 230, 360)
    page.keyboard.press("Alt+v")
    assert page.locator("lw-image-stage .layer-lw-keypoints .bone").count() == 1
    shoot(page, "image_keypoints")

    # masks: a brush stroke of radius 10, then a polygon filled into the same mask
    use_tool(page, "surfaces")
    page.locator("[data-control=surfaces] input[name=brush-size]").evaluate(
        "(r) => { r.value = '10'; r.dispatchEvent(new Event('input')); }"
    )
    drag(page, (100, 400), (200, 400), steps=12)
    page.locator("[data-control=surfaces] [data-mode=polygon]").click()
    for x, y in ((300, 380), (400, 380), (400, 440), (300, 440)):
        click(page, x, y)
    page.keyboard.press("Enter")
    assert page.locator("[data-control=surfaces] .rt-list li").count() == 1
    page.locator("[data-control=surfaces] [data-mode=brush]").click()
    page.mouse.move(*at(page, 250, 330))
    shoot(page, "image_masks")

    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    results = results_of(live_url, annotator, task_id)

    assert results["scene"] == "day"
    car, person = results["objects"]
    assert car == {
        "id": "b1",
        "x": 100,
        "y": 150,
        "w": 160,
        "h": 100,
        "label": "car",
        "attributes": {"occluded": False},
    }
    assert person == {
        "id": "b2",
        "x": 310,
        "y": 210,
        "w": 50,
        "h": 100,
        "rotation": 15,
        "label": "person",
        "attributes": {"occluded": True},
    }
    assert results["signs"] == [
        {
            "id": "p1",
            "points": [[400, 100], [440, 80], [480, 100], [440, 180]],
            "label": "warning-sign",
        }
    ]
    assert results["pose"] == [
        {"id": "k1", "x": 200, "y": 320, "label": "head", "visible": True},
        {"id": "k2", "x": 230, "y": 360, "label": "hand", "visible": False},
    ]
    (mask,) = results["surfaces"]
    assert mask["id"] == "m1" and mask["label"] == "road"
    assert mask["rle"]["size"] == [HEIGHT, WIDTH]
    decoded = coco_mask.decode({"size": mask["rle"]["size"], "counts": mask["rle"]["counts"]})
    expected = capsule((100.0, 400.0), (200.0, 400.0), 10)
    # the polygon, filled as pycocotools fills it (here: the pixels whose centres it contains)
    (polygon,) = coco_mask.frPyObjects([[300, 380, 400, 380, 400, 440, 300, 440]], HEIGHT, WIDTH)
    expected |= coco_mask.decode(polygon)
    assert expected[380:440, 300:400].all()
    assert int(coco_mask.area(mask["rle"])) == int(expected.sum())
    assert np.array_equal(decoded, expected)


def gradient_png(width: int, height: int) -> bytes:
    """A large RGB image (a smooth gradient compresses well, so uploads stay small)."""
    xs = np.linspace(0, 255, width, dtype=np.uint8)
    ys = np.linspace(0, 255, height, dtype=np.uint8)
    red = np.broadcast_to(xs, (height, width))
    green = np.broadcast_to(ys[:, None], (height, width))
    pixels = np.stack([red, green, np.full((height, width), 120, np.uint8)], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def test_large_image_shows_a_preview_zooms_to_full_pixels_and_keeps_source_coordinates(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    schema = {
        "objects": {"image": {"type": "image"}},
        "controls": [{"name": "objects", "type": "boxes", "of": "image", "labels": ["car"]}],
    }
    annotator, project_id, task_id, _ = image_task(
        platform, live_url, gradient_png(3000, 2000), schema=schema
    )
    open_task(page, annotator, project_id, task_id)
    stage = page.locator("lw-image-stage")
    img = page.locator("lw-image-stage .stage-img")
    assert "preview=2048" in str(img.get_attribute("src"))
    assert page.evaluate("document.querySelector('lw-image-stage').width") == 3000
    natural = page.evaluate("document.querySelector('lw-image-stage .stage-img').naturalWidth")
    assert natural == 2048

    # drawn at the fitted zoom (about 0.2): coordinates are source pixels
    scale = float(page.evaluate("document.querySelector('lw-image-stage').view.scale"))
    assert scale < 0.3
    drag(page, (1000, 500), (2000, 1500))
    drag(page, (200, 200), (600, 400))
    shoot(page, "image_large_fit")

    # the wheel zooms about the pointer: the source point under it stays put
    x, y = (round(v) for v in at(page, 1500, 1000))  # wheel events carry whole pixels
    to_image = "([x, y]) => document.querySelector('lw-image-stage').toImage(x, y)"
    before = page.evaluate(to_image, [x, y])
    page.mouse.move(x, y)
    for _ in range(6):
        page.mouse.wheel(0, -240)
    page.wait_for_function("document.querySelector('lw-image-stage').view.scale > 0.5")
    after = page.evaluate(to_image, [x, y])
    assert abs(after[0] - before[0]) < 0.01 and abs(after[1] - before[1]) < 0.01
    assert abs(before[0] - 1500) < 1 / scale and abs(before[1] - 1000) < 1 / scale

    # past the preview's resolution the full image replaces it
    stage.locator("[data-zoom=actual]").click()
    page.wait_for_selector("lw-image-stage[data-full=true]")
    assert "preview" not in str(img.get_attribute("src"))
    shoot(page, "image_large_actual")

    # hide the second box and lock the first: neither moves when dragged
    stage.locator("[data-zoom=fit]").click()
    rows = page.locator("[data-control=objects] .rt-list li")
    rows.nth(1).locator(".rt-eye").click()
    assert page.locator("lw-image-stage rect.shape[data-region=b2]").is_hidden()
    rows.nth(0).locator(".rt-lock").click()
    drag(page, (1500, 1000), (1700, 1100))

    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    first, second = results_of(live_url, annotator, task_id)["objects"]
    tolerance = 1 / scale  # one screen pixel at the fitted zoom
    for got, want in ((first, (1000, 500, 1000, 1000)), (second, (200, 200, 400, 200))):
        for key, value in zip(("x", "y", "w", "h"), want, strict=True):
            assert abs(got[key] - value) <= tolerance, (key, got, want)
    # the stored numbers are source pixels of the 3000x2000 original, not of the preview
    assert first["x"] + first["w"] > 1900
