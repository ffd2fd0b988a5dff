"""Image tools in headless Chromium: many regions, and a very large image.

1. A 1920x1080 image whose prediction has 2,000 boxes and 300 polygons: time to render them
   ("Use suggestion"), to select a box (pointer down on it), and per drag step while moving a
   box, a polygon vertex and panning (one pointer move per animation frame). A drag step is
   measured twice: the handler's own time (synchronous, in the page) and the interval between
   animation frames, which includes style, layout and paint (target: under 16 ms). Also: a full
   repaint of the stage's region canvas (all 2,300 regions; it happens when the value changes or
   a pan or zoom settles, never per drag step) and a zoom step measured to two animation frames
   later (so about 33 ms at best at 60 Hz).
2. An 8000x6000 image: time to show it (the server's 2048 px preview), to swap in the full
   image at 1:1, and per step while panning and drawing a box on it.

Nothing is asserted; the figures are printed.

    python benchmarks/image_frames.py
    python benchmarks/image_frames.py --boxes 2000 --polygons 300 --steps 120
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_export import start_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCHEMA = {
    "objects": {"image": {"type": "image"}},
    "controls": [
        {"name": "objects", "type": "boxes", "of": "image", "labels": ["car", "person", "bike"]},
        {"name": "areas", "type": "polygons", "of": "image", "labels": ["road", "building"]},
    ],
}

# One pointer move per animation frame; returns the handler times and the frame intervals.
DRAG = """
async ([from, to, steps, button]) => {
  const stage = document.querySelector('lw-image-stage');
  const vp = stage.viewport;
  const at = (x, y) => stage.clientOf(x, y);
  const fire = (type, [cx, cy]) => vp.dispatchEvent(new PointerEvent(type, {
    clientX: cx, clientY: cy, button, buttons: button === 1 ? 4 : 1, pointerId: 1,
    bubbles: true, cancelable: true, isPrimary: true}));
  const frame = () => new Promise(r => requestAnimationFrame(r));
  const start = at(...from);
  fire('pointerdown', start);
  const handler = [];
  const stamps = [];
  const end = at(...to);
  for (let i = 1; i <= steps; i++) {
    stamps.push(await frame());
    const k = i / steps;
    const p = [start[0] + (end[0] - start[0]) * k, start[1] + (end[1] - start[1]) * k];
    const t0 = performance.now();
    fire('pointermove', p);
    handler.push(performance.now() - t0);
  }
  stamps.push(await frame());
  const t0 = performance.now();
  fire('pointerup', end);
  const upHandler = performance.now() - t0;
  await frame();
  const intervals = stamps.slice(1).map((t, i) => t - stamps[i]);
  return {handler, intervals, up: upHandler};
}
"""
# The stage's region canvas painted from scratch (synchronously), ten times.
REPAINT = """
() => {
  const stage = document.querySelector('lw-image-stage');
  const out = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    stage._paint();
    stage.regionCtx.getImageData(0, 0, 1, 1);  // wait for the drawing to finish
    out.push(performance.now() - t0);
  }
  return out;
}
"""
TIMED_CLICK = """
async (selector) => {
  const t0 = performance.now();
  document.querySelector(selector).click();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}
"""
TIMED_SELECT = """
async ([x, y]) => {
  const stage = document.querySelector('lw-image-stage');
  const [cx, cy] = stage.clientOf(x, y);
  const opts = {clientX: cx, clientY: cy, button: 0, buttons: 1, pointerId: 1, bubbles: true};
  const t0 = performance.now();
  stage.viewport.dispatchEvent(new PointerEvent('pointerdown', opts));
  stage.viewport.dispatchEvent(new PointerEvent('pointerup', opts));
  const sync = performance.now() - t0;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return [sync, performance.now() - t0];
}
"""


def png(width: int, height: int) -> bytes:
    import numpy as np
    from PIL import Image

    xs = np.linspace(0, 255, width, dtype=np.uint8)
    ys = np.linspace(0, 255, height, dtype=np.uint8)
    red = np.broadcast_to(xs, (height, width))
    green = np.broadcast_to(ys[:, None], (height, width))
    pixels = np.stack([red, green, np.full((height, width), 140, np.uint8)], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def regions(boxes: int, polygons: int, width: int, height: int) -> dict[str, Any]:
    rng = random.Random(5)
    out_boxes = []
    for i in range(boxes):
        w, h = rng.uniform(12, 80), rng.uniform(12, 80)
        x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
        label = ["car", "person", "bike"][i % 3]
        out_boxes.append(
            {"id": f"b{i + 1}", "x": round(x, 2), "y": round(y, 2), "w": round(w, 2)}
            | {"h": round(h, 2), "label": label}
        )
    out_polygons = []
    for i in range(polygons):
        cx, cy = rng.uniform(60, width - 60), rng.uniform(60, height - 60)
        n = rng.randint(5, 12)
        points = []
        for k in range(n):
            angle = 2 * 3.14159265 * k / n
            r = rng.uniform(20, 55)
            points.append([round(cx + r * _cos(angle), 2), round(cy + r * _sin(angle), 2)])
        out_polygons.append(
            {"id": f"p{i + 1}", "points": points, "label": ["road", "building"][i % 2]}
        )
    return {"objects": out_boxes, "areas": out_polygons}


def _cos(a: float) -> float:
    import math

    return math.cos(a)


def _sin(a: float) -> float:
    import math

    return math.sin(a)


def setup(url: str, args: argparse.Namespace) -> tuple[dict[str, str], int, int, int, int]:
    login = httpx.post(
        f"{url}/api/v1/auth/login",
        json={"email": "bench@example.org", "password": "bench-password"},
    )
    login.raise_for_status()
    token = httpx.post(f"{url}/api/v1/tokens", cookies=login.cookies).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        ids = []
        for name, (w, h), with_regions in (
            ("many regions", (1920, 1080), True),
            ("large image", (args.large_width, args.large_height), False),
        ):
            project = client.post("/api/v1/projects", json={"name": name, "schema": SCHEMA})
            project.raise_for_status()
            media = client.post(
                "/api/v1/media", files={"file": (f"{name}.png", png(w, h), "image/png")}
            ).json()
            row: dict[str, Any] = {"data": {"image": media["ref"]}}
            if with_regions:
                results = regions(args.boxes, args.polygons, w, h)
                row["predictions"] = [{"results": results, "score": 0.7, "origin": "model:b@1"}]
            answer = client.post(
                f"/api/v1/projects/{project.json()['id']}/tasks",
                content=json.dumps(row).encode() + b"\n",
                headers={"Content-Type": "application/x-ndjson"},
            )
            answer.raise_for_status()
            ids += [project.json()["id"], answer.json()["first_id"]]
    return dict(login.cookies), ids[0], ids[1], ids[2], ids[3]


def stats(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return (
        f"median {statistics.median(values):5.1f} ms, p95 {p95:5.1f} ms, max {values[-1]:5.1f} ms"
    )


def report(name: str, result: dict[str, Any]) -> None:
    print(f"  {name}:")
    print(f"    handler per step      {stats(result['handler'])}")
    print(f"    frame interval        {stats(result['intervals'])}")
    print(f"    pointer up (commit)   {result['up']:5.1f} ms")


def open_task(page: Any, project: int, task: int) -> float:
    t0 = time.perf_counter()
    page.goto(f"/projects/{project}/label")
    page.wait_for_function(
        f"document.querySelector('#task-title').textContent === 'Task {task}'", polling="raf"
    )
    page.wait_for_selector("lw-image-stage[data-ready=true]")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return (time.perf_counter() - t0) * 1000


def run(url: str, args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    cookies, many_project, many_task, large_project, large_task = setup(url, args)
    print(f"setup (upload, import): {time.perf_counter() - t0:.1f} s")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=url)
        context.add_cookies([{"name": k, "value": v, "url": url} for k, v in cookies.items()])
        page = context.new_page()
        page.set_default_timeout(120000)

        print(f"1920x1080 image, {args.boxes:,} boxes + {args.polygons:,} polygons")
        opened = open_task(page, many_project, many_task)
        shown = page.evaluate(TIMED_CLICK, ".suggestion button")
        count = page.evaluate(
            "document.querySelector('lw-boxes').value.length"
            " + document.querySelector('lw-polygons').value.length"
        )
        assert count == args.boxes + args.polygons, count
        print(f"  task and image on screen {opened:6.0f} ms; regions rendered {shown:6.0f} ms")
        repaint = page.evaluate(REPAINT)
        print(f"  repaint of the region canvas (all regions)  {stats(repaint)}")
        # select the topmost box, then drag it
        box = page.evaluate("document.querySelector('lw-boxes').value.at(-1)")
        centre = [box["x"] + box["w"] / 2, box["y"] + box["h"] / 2]
        selects = [page.evaluate(TIMED_SELECT, centre) for _ in range(5)]
        print(
            f"  select a box: handler {statistics.median(s[0] for s in selects):5.1f} ms, "
            f"on screen {statistics.median(s[1] for s in selects):5.1f} ms (median of 5)"
        )
        to = [centre[0] + 150, centre[1] + 90]
        report("drag a box", page.evaluate(DRAG, [centre, to, args.steps, 0]))
        page.locator("lw-image-stage .stage-tool[data-tool$=': areas']").click()
        polygon = page.evaluate("document.querySelector('lw-polygons').value.at(-1)")
        inside = [
            sum(p[0] for p in polygon["points"]) / len(polygon["points"]),
            sum(p[1] for p in polygon["points"]) / len(polygon["points"]),
        ]
        page.evaluate(TIMED_SELECT, inside)
        vertex = polygon["points"][0]
        report(
            "drag a polygon vertex",
            page.evaluate(DRAG, [vertex, [vertex[0] + 60, vertex[1] + 40], args.steps, 0]),
        )
        report("pan (middle button)", page.evaluate(DRAG, [[900, 500], [600, 300], args.steps, 1]))
        wheel = page.evaluate(
            """async () => {
              const stage = document.querySelector('lw-image-stage');
              const out = [];
              for (let i = 0; i < 20; i++) {
                const t0 = performance.now();
                stage.zoomBy(i < 10 ? 1.1 : 1 / 1.1);
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                out.push(performance.now() - t0);
              }
              return out;
            }"""
        )
        print(f"  zoom step (to screen)   {stats(wheel)}")
        page.evaluate("localStorage.clear()")

        print(f"{args.large_width}x{args.large_height} image")
        opened = open_task(page, large_project, large_task)
        natural = page.evaluate("document.querySelector('.stage-img').naturalWidth")
        print(f"  task and preview ({natural} px wide) on screen {opened:6.0f} ms")
        t1 = time.perf_counter()
        page.locator("[data-zoom=actual]").click()
        page.wait_for_selector("lw-image-stage[data-full=true]")
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        full = (time.perf_counter() - t1) * 1000
        print(f"  1:1 with the full image loaded and shown {full:6.0f} ms")
        w, h = args.large_width, args.large_height
        report(
            "pan at 1:1",
            page.evaluate(DRAG, [[w / 2, h / 2], [w / 2 - 300, h / 2 - 200], args.steps, 1]),
        )
        page.locator("[data-zoom=fit]").click()
        report(
            "draw a box (fitted)",
            page.evaluate(DRAG, [[w * 0.2, h * 0.2], [w * 0.6, h * 0.5], args.steps, 0]),
        )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=2000)
    parser.add_argument("--polygons", type=int, default=300)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--large-width", type=int, default=8000)
    parser.add_argument("--large-height", type=int, default=6000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="lw-bench-img-"))
    proc, url = start_server(data_dir, args.database_url)
    try:
        run(url, args)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
