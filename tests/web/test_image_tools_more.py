"""Image tools beyond the basic flows: thousands of regions on the canvas layer, the eraser, a
box turned by its rotation handle, the image shortcuts (listed and working), and an image
annotation under review (shown, not editable)."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest
from pycocotools import mask as coco_mask

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, make_user
from tests.web.conftest import log_in
from tests.web.test_image_tools import (
    HEIGHT,
    SCHEMA,
    WIDTH,
    at,
    capsule,
    click,
    drag,
    gradient_png,
    results_of,
    scene_png,
    shoot,
    use_tool,
)
from tests.web.workbench_helpers import wait_task

pytestmark = pytest.mark.browser

STAGE = "document.querySelector('lw-image-stage')"


def image_project(
    platform: Platform,
    live_url: str,
    png: bytes,
    schema: dict[str, Any],
    *,
    workflow: dict[str, Any] | None = None,
    predictions: list[dict[str, Any]] | None = None,
) -> tuple[MadeUser, MadeUser, int, int]:
    """A project with one image task; returns (manager, annotator, project id, task id)."""
    manager = make_user(platform, prefix="mgr")
    annotator = make_user(platform, prefix="ann")
    body: dict[str, Any] = {"name": "Images", "schema": schema}
    if workflow:
        body["workflow"] = workflow
    project = httpx.post(f"{live_url}/api/v1/projects", json=body, headers=manager.headers)
    project.raise_for_status()
    project_id = int(project.json()["id"])
    add_member(platform, manager, project_id, annotator, "annotator")
    media = httpx.post(
        f"{live_url}/api/v1/media",
        files={"file": ("image.png", png, "image/png")},
        headers=manager.headers,
    ).json()
    row: dict[str, Any] = {"data": {"image": media["ref"]}}
    if predictions:
        row["predictions"] = predictions
    created = httpx.post(
        f"{live_url}/api/v1/projects/{project_id}/tasks", json=[row], headers=manager.headers
    )
    created.raise_for_status()
    return manager, annotator, project_id, int(created.json()["first_id"])


def open_stage(page: Any, user: MadeUser, project_id: int, task_id: int, stage: str) -> None:
    log_in(page, user)
    page.goto(f"/projects/{project_id}/{stage}")
    wait_task(page, task_id)
    page.wait_for_selector("lw-image-stage[data-ready=true]")


def canvas_alpha(page: Any, x: float, y: float) -> int:
    """Alpha of the region canvas at a source pixel position (0: nothing painted there)."""
    return int(
        page.evaluate(
            """([x, y]) => {
              const stage = document.querySelector('lw-image-stage');
              const [cx, cy] = stage.clientOf(x, y);
              const r = stage.viewport.getBoundingClientRect();
              const k = devicePixelRatio || 1;
              const px = stage.regionCtx.getImageData(
                Math.round((cx - r.left) * k), Math.round((cy - r.top) * k), 1, 1);
              return px.data[3];
            }""",
            [x, y],
        )
    )


def wait_painted(page: Any) -> None:
    """Until the region canvas shows the current view and no repaint is pending."""
    page.wait_for_function(
        f"(() => {{ const s = {STAGE}; return !s._paintFrame && s._paintedView"
        " && JSON.stringify(s._paintedView) === JSON.stringify(s.view); })()",
        polling="raf",
    )


def look(page: Any, x: float, y: float, scale: float = 2) -> None:
    """Zoom to `scale` with the source point (x, y) at the middle of the viewport."""
    page.evaluate(
        """([x, y, scale]) => {
          const stage = document.querySelector('lw-image-stage');
          const { clientWidth: w, clientHeight: h } = stage.viewport;
          stage.setView({ scale, tx: w / 2 - x * scale, ty: h / 2 - y * scale });
        }""",
        [x, y, scale],
    )
    wait_painted(page)


def grid_regions() -> dict[str, Any]:
    """2,000 boxes (30x20, a 50x40 grid of 40x30 cells) and 300 triangles below them."""
    boxes = [
        {"id": f"b{i + 1}", "x": 40 * (i % 50) + 5, "y": 30 * (i // 50) + 5, "w": 30, "h": 20}
        | {"label": ["car", "person"][i % 2]}
        for i in range(2000)
    ]
    triangles = []
    for i in range(300):
        x, y = 20 * (i % 100), 1200 + 100 * (i // 100)
        points = [[x + 2, y + 10], [x + 18, y + 10], [x + 10, y + 90]]
        triangles.append({"id": f"p{i + 1}", "points": points, "label": "warning-sign"})
    return {"objects": boxes, "signs": triangles}


MANY_SCHEMA: dict[str, Any] = {
    "objects": {"image": {"type": "image"}},
    "controls": [
        {"name": "objects", "type": "boxes", "of": "image", "labels": ["car", "person"]},
        {"name": "signs", "type": "polygons", "of": "image", "labels": ["warning-sign"]},
    ],
}


def test_thousands_of_regions_are_painted_on_a_canvas_and_picked_through_the_index(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    regions = grid_regions()
    prediction = {"results": regions, "score": 0.9, "origin": "model:grid@1"}
    _, annotator, project_id, task_id = image_project(
        platform, live_url, gradient_png(2000, 1500), MANY_SCHEMA, predictions=[prediction]
    )
    open_stage(page, annotator, project_id, task_id, "label")
    page.locator(".suggestion button").click()
    page.wait_for_function(
        "document.querySelector('[data-control=objects] .rt-count').textContent === '2000 regions'"
    )
    b158 = (300, 105)  # the centre of box b158: column 7, row 3 of the grid
    look(page, *b158)
    # the regions are painted on the canvas, not one SVG element each
    assert page.locator("lw-image-stage .stage-overlay .shape").count() == 0
    assert canvas_alpha(page, *b158) > 0
    assert canvas_alpha(page, 282, 92) == 0  # the gap between cells
    assert canvas_alpha(page, 360, 150) == 0  # a gap that b158 will cover once moved
    # the long region list builds only the rows in view
    assert page.locator("[data-control=objects] .rt-list li[data-region]").count() < 60

    # a click on a box selects it (the grid index finds it) and lifts it into SVG, highlighted
    click(page, *b158)
    assert page.locator("[data-control=objects] .rt-editor b").text_content() == "Selected b158"
    assert page.locator("[data-control=objects] .rt-list li.sel[data-region=b158]").is_visible()
    lifted = page.locator("lw-image-stage .stage-overlay .shape")
    assert lifted.count() == 1 and lifted.get_attribute("data-region") == "b158"
    shoot(page, "h-many-selected")
    # a box far down the list: its row is scrolled into view and built
    look(page, 1980, 1185)
    click(page, 1980, 1185)
    assert page.locator("[data-control=objects] .rt-list li.sel[data-region=b2000]").is_visible()

    # drag b158 by (50, 40): the canvas leaves it out while a copy follows the pointer
    look(page, *b158)
    click(page, *b158)
    drag(page, b158, (350, 145))
    wait_painted(page)
    assert canvas_alpha(page, 360, 150) > 0
    # hide it: gone from the canvas and from the SVG
    page.locator("[data-control=objects] .rt-list li[data-region=b158] .rt-eye").click()
    wait_painted(page)
    assert canvas_alpha(page, 360, 150) == 0
    assert page.locator("lw-image-stage .stage-overlay .shape[data-region=b158]").count() == 0

    # a triangle is hit by its inside, not by its bounding box
    use_tool(page, "signs")
    look(page, 10, 1250, scale=4)
    hovered = page.locator("lw-image-stage .stage-overlay .shape.hover")
    page.mouse.move(*at(page, 16, 1288))  # inside p1's bounds, outside the triangle
    assert hovered.count() == 0
    page.mouse.move(*at(page, 10, 1250))
    assert hovered.count() == 1 and hovered.get_attribute("data-region") == "p1"
    click(page, 10, 1250)
    assert page.locator("[data-control=signs] .rt-editor b").text_content() == "Selected p1"
    page.keyboard.press("Delete")
    look(page, 300, 300, scale=0.5)
    shoot(page, "h-many")

    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    results = results_of(live_url, annotator, task_id)
    assert len(results["objects"]) == 2000 and len(results["signs"]) == 299
    moved = next(b for b in results["objects"] if b["id"] == "b158")
    assert (moved["x"], moved["y"], moved["w"], moved["h"]) == (335, 135, 30, 20)
    assert [b for b in results["objects"] if b["id"] != "b158"] == [
        b for b in regions["objects"] if b["id"] != "b158"
    ]


MASKS_ONLY: dict[str, Any] = {
    "objects": {"image": {"type": "image"}},
    "controls": [
        {"name": "surfaces", "type": "masks", "of": "image", "labels": ["road", "grass"]},
    ],
}


def set_brush(page: Any, radius: int) -> None:
    page.locator("[data-control=surfaces] input[name=brush-size]").evaluate(
        "(r, v) => { r.value = String(v); r.dispatchEvent(new Event('input')); }", radius
    )


def test_eraser_clears_the_selected_mask_or_every_unlocked_one(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    _, annotator, project_id, task_id = image_project(platform, live_url, scene_png(), MASKS_ONLY)
    open_stage(page, annotator, project_id, task_id, "label")
    page.locator("[data-zoom=actual]").click()
    mode = page.locator("[data-control=surfaces] [data-mode][aria-pressed=true]")

    # two masks: a road stroke, then (after Escape) a grass stroke
    set_brush(page, 12)
    drag(page, (100, 200), (400, 200), steps=10)
    page.keyboard.press("Escape")
    page.locator("[data-control=surfaces] [data-label=grass]").click()
    drag(page, (100, 300), (400, 300), steps=10)
    assert page.locator("[data-control=surfaces] .rt-list li").count() == 2

    # the eraser on the selected mask (grass) only
    page.keyboard.press("Alt+x")
    assert mode.get_attribute("data-mode") == "eraser"
    set_brush(page, 6)
    drag(page, (150, 170), (150, 330), steps=10)
    # nothing selected: the eraser clears every unlocked mask
    page.keyboard.press("Escape")
    drag(page, (300, 170), (300, 330), steps=10)
    page.mouse.move(*at(page, 250, 250))
    shoot(page, "h-eraser")
    page.keyboard.press("Alt+x")
    assert mode.get_attribute("data-mode") == "brush"

    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    road, grass = results_of(live_url, annotator, task_id)["surfaces"]
    assert (road["label"], grass["label"]) == ("road", "grass")
    first_cut = capsule((150.0, 170.0), (150.0, 330.0), 6)
    second_cut = capsule((300.0, 170.0), (300.0, 330.0), 6)
    road_want = capsule((100.0, 200.0), (400.0, 200.0), 12) & (1 - second_cut)
    grass_want = capsule((100.0, 300.0), (400.0, 300.0), 12) & (1 - first_cut) & (1 - second_cut)
    for got, want in ((road, road_want), (grass, grass_want)):
        assert got["rle"]["size"] == [HEIGHT, WIDTH]
        decoded = coco_mask.decode({"size": got["rle"]["size"], "counts": got["rle"]["counts"]})
        assert np.array_equal(decoded, want)


def test_a_box_turns_by_dragging_its_rotation_handle(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    schema = {
        "objects": {"image": {"type": "image"}},
        "controls": [
            {"name": "objects", "type": "boxes", "of": "image", "labels": ["car"], "rotation": True}
        ],
    }
    _, annotator, project_id, task_id = image_project(platform, live_url, scene_png(), schema)
    open_stage(page, annotator, project_id, task_id, "label")
    page.locator("[data-zoom=actual]").click()
    drag(page, (200, 200), (300, 260))  # centre (250, 230)
    handle = page.locator("lw-image-stage [data-handle=rotate]")
    assert handle.count() == 1
    hx, hy = (float(handle.get_attribute(a) or 0) for a in ("cx", "cy"))
    assert (hx, hy) == (250, 200 - 22)  # 22 screen pixels above the top edge, at 1:1

    # to the right of the centre: a quarter turn clockwise
    drag(page, (hx, hy), (350, 230))
    geometry = page.locator("[data-control=objects] [data-geometry]")
    assert page.locator("[data-control=objects] input[name=rotation]").input_value() == "90"
    assert geometry.text_content() == "x 200 · y 200 · 100 \u00d7 60"
    shoot(page, "h-rotate")

    # with Shift the angle snaps to 15 degrees: atan2(60, 80) = 36.9 degrees -> 30
    hx, hy = (float(handle.get_attribute(a) or 0) for a in ("cx", "cy"))
    assert abs(hx - 302) < 1e-6 and abs(hy - 230) < 1e-6
    page.keyboard.down("Shift")
    drag(page, (hx, hy), (310, 150))
    page.keyboard.up("Shift")
    assert page.locator("[data-control=objects] input[name=rotation]").input_value() == "30"

    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done-state")
    (box,) = results_of(live_url, annotator, task_id)["objects"]
    assert box == {
        "id": "b1",
        "x": 200,
        "y": 200,
        "w": 100,
        "h": 60,
        "rotation": 30,
        "label": "car",
    }


def image_keys(page: Any) -> list[str]:
    keys = page.locator("#shortcut-list dt[data-image-key]").evaluate_all(
        "(dts) => dts.map((dt) => dt.dataset.imageKey)"
    )
    return list(keys)


def test_image_shortcuts_are_listed_and_do_what_the_list_says(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    _, annotator, project_id, task_id = image_project(platform, live_url, scene_png(), SCHEMA)
    open_stage(page, annotator, project_id, task_id, "label")
    listed = image_keys(page)
    for key in (
        "+ -", "Ctrl+0", "Ctrl+1", "Space", "Escape", "Delete", "Ctrl+D",
        ", .", "Enter", "Backspace", "Alt+V", "[ ]", "Alt+X",
    ):  # fmt: skip
        assert key in listed, key
    assert page.locator("#shortcut-list dd", has_text="Switch brush and eraser").count() == 1
    shoot(page, "h-shortcuts")

    # zoom: Ctrl+1, +, -, Ctrl+0
    scale = f"{STAGE}.view.scale"
    page.locator("lw-image-stage .stage-viewport").hover()
    page.keyboard.press("Control+1")
    assert page.evaluate(scale) == 1
    page.keyboard.press("Shift+Equal")  # "+"
    assert page.evaluate(scale) == 1.25
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert abs(page.evaluate(scale) - 0.8) < 1e-9
    page.keyboard.press("Control+0")
    fitted = page.evaluate(scale)
    assert fitted != 0.8 and page.locator("lw-image-stage .stage-zoom-label").text_content() == (
        f"{round(fitted * 100)}%"
    )
    page.keyboard.press("Control+1")

    # boxes: nudge, duplicate, turn, delete, deselect
    use_tool(page, "objects")
    drag(page, (100, 150), (260, 250))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press(".")
    page.keyboard.press(">")
    page.keyboard.press("Control+d")
    value = "document.querySelector('lw-boxes').value"
    first, copy = page.evaluate(value)
    assert (first["x"], first["y"], first["rotation"]) == (101, 160, 16)
    assert (copy["id"], copy["x"], copy["y"]) == ("b2", 111, 170)
    page.keyboard.press("Delete")
    assert [b["id"] for b in page.evaluate(value)] == ["b1"]
    page.keyboard.press("Escape")
    assert page.locator("[data-control=objects] .rt-editor").is_hidden()

    # polygons: Backspace drops the last point while drawing, Enter closes
    use_tool(page, "signs")
    for x, y in ((400, 100), (480, 100), (470, 150), (440, 180)):
        click(page, x, y)
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    (polygon,) = page.evaluate("document.querySelector('lw-polygons').value")
    assert polygon["points"] == [[400, 100], [480, 100], [470, 150]]

    # masks: [ and ] change the brush, Alt+X switches brush and eraser
    use_tool(page, "surfaces")
    size = page.locator("[data-control=surfaces] input[name=brush-size]")
    before = int(size.input_value())
    page.keyboard.press("]")
    assert int(size.input_value()) > before
    page.keyboard.press("[")
    page.keyboard.press("[")
    assert int(size.input_value()) < before
    page.keyboard.press("Alt+x")
    assert (
        page.locator("[data-control=surfaces] [data-mode=eraser]").get_attribute("aria-pressed")
        == "true"
    )


def test_an_image_annotation_under_review_is_shown_and_not_editable(
    wide_page: Any, platform: Platform, live_url: str
) -> None:
    page = wide_page
    manager, annotator, project_id, task_id = image_project(
        platform, live_url, scene_png(), SCHEMA, workflow={"review": {"sample": 1.0}}
    )
    reviewer = make_user(platform, prefix="rev")
    add_member(platform, manager, project_id, reviewer, "reviewer")
    road = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    road[400:460, 100:300] = 1
    rle = coco_mask.encode(np.asfortranarray(road))
    results = {
        "scene": "day",
        "objects": [
            {"id": "b1", "x": 100, "y": 150, "w": 160, "h": 100, "label": "car"},
            {"id": "b2", "x": 310, "y": 210, "w": 50, "h": 100, "rotation": 15, "label": "person"},
        ],
        "signs": [
            {"id": "p1", "points": [[400, 100], [480, 100], [440, 180]], "label": "warning-sign"}
        ],
        "pose": [{"id": "k1", "x": 200, "y": 320, "label": "head", "visible": True}],
        "surfaces": [
            {
                "id": "m1",
                "label": "road",
                "rle": {"size": [HEIGHT, WIDTH], "counts": rle["counts"].decode()},
            }
        ],
    }
    base = f"{live_url}/api/v1"
    served = httpx.post(f"{base}/projects/{project_id}/next", headers=annotator.headers).json()
    httpx.post(
        f"{base}/assignments/{served['assignment']['id']}/submit",
        json={"results": results},
        headers=annotator.headers,
    ).raise_for_status()

    open_stage(page, reviewer, project_id, task_id, "review")
    page.locator("[data-zoom=actual]").click()
    wait_painted(page)
    # the values are shown: lists, canvas, SVG keypoints, the mask canvas
    for control, count in (("objects", 2), ("signs", 1), ("pose", 1), ("surfaces", 1)):
        assert page.locator(f"[data-control={control}] .rt-list li").count() == count
    assert canvas_alpha(page, 180, 200) > 0 and canvas_alpha(page, 440, 120) > 0
    assert page.locator("lw-image-stage .layer-lw-keypoints circle.shape").count() == 1
    mask_alpha = page.evaluate(
        "document.querySelector('.stage-canvas').getContext('2d').getImageData(200, 430, 1, 1)"
        ".data[3]"
    )
    assert mask_alpha > 0
    assert (
        page.locator("[data-control=scene] [data-option=day]").get_attribute("aria-checked")
        == "true"
    )

    # nothing edits: label buttons are disabled, a drag pans instead of drawing, no handles,
    # Delete and the label keys do nothing, the editor's fields are read-only
    assert page.locator("[data-control=objects] [data-label=car]").is_disabled()
    assert page.locator("[data-control=surfaces] [data-mode=eraser]").is_disabled()
    page.locator("[data-control=objects] .rt-list li[data-region=b1] .rt-pick").click()
    assert page.locator("[data-control=objects] .rt-editor select[name=label]").is_disabled()
    assert page.locator("[data-control=objects] [data-action=delete-region]").count() == 0
    assert page.locator("lw-image-stage [data-handle]").count() == 0
    page.keyboard.press("Delete")
    page.keyboard.press("4")  # the "person" key while b1 is selected
    view = page.evaluate(f"{STAGE}.view")
    drag(page, (500, 300), (560, 340))
    assert page.evaluate(f"{STAGE}.view") != view  # panned
    use_tool(page, "signs")
    click(page, 100, 400)
    values = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('lw-image-stage .region-tool')]"
        ".map((t) => [t.config.name, t.value]))"
    )
    assert values == {k: v for k, v in results.items() if k != "scene"}
    # the shortcut list shows the viewing keys only
    listed = image_keys(page)
    assert "Ctrl+0" in listed and "+ -" in listed
    assert "Delete" not in listed and "Alt+X" not in listed
    shoot(page, "h-review")

    page.keyboard.press("Alt+a")
    page.wait_for_selector(".done-state")
    task = httpx.get(f"{base}/tasks/{task_id}", headers=manager.headers).json()
    assert (task["state"], task["final_path"]) == ("done", "review:accept")
    (stored,) = httpx.get(f"{base}/tasks/{task_id}/annotations", headers=manager.headers).json()
    assert stored["results"] == results
