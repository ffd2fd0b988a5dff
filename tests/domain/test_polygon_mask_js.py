"""The browser's polygon-to-mask (lib/rle.js `polygonToRle`) equals pycocotools' `frPyObjects`.

The masks tool fills a polygon into a mask in the browser; the result must be the mask COCO
tooling (and the server) makes of the same polygon. Node runs the real ES module on a batch of
polygons (convex, concave, fractional, touching or crossing the image border, self-crossing, and
seeded random ones); every RLE must equal pycocotools' byte for byte.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools import mask as coco

RLE_JS = Path(__file__).parents[2] / "src/labelwright/web/static/js/lib/rle.js"
SCRIPT = """
import { readFileSync } from 'node:fs';
import { decodeRle, polygonToRle } from %s;
const cases = JSON.parse(readFileSync(0, 'utf8'));
const out = cases.map(({ points, width, height }) => {
  const rle = polygonToRle(points, width, height);
  return { ...rle, area: decodeRle(rle).mask.reduce((n, v) => n + v, 0) };
});
process.stdout.write(JSON.stringify(out));
"""
WIDTH, HEIGHT = 64, 48

Points = list[list[float]]

NAMED: dict[str, Points] = {
    "triangle": [[10, 5], [50, 12], [22, 40]],
    "rectangle on whole pixels": [[8, 6], [30, 6], [30, 20], [8, 20]],
    "fractional quad": [[3.3, 4.7], [41.25, 2.1], [44.8, 30.05], [7.6, 27.4]],
    "concave arrow": [[5, 20], [30, 5], [30, 14], [58, 14], [58, 26], [30, 26], [30, 35]],
    "concave L": [[4, 4], [14, 4], [14, 30], [40, 30], [40, 42], [4, 42]],
    "star": [
        [32, 2],
        [38, 18],
        [56, 18],
        [42, 28],
        [48, 45],
        [32, 35],
        [16, 45],
        [22, 28],
        [8, 18],
        [26, 18],
    ],
    "touching every border": [[0, 0], [64, 0], [64, 48], [0, 48]],
    "touching the left and bottom": [[0, 10], [25, 48], [0, 48]],
    "crossing the border": [[-10, -5], [30, 10], [70, 20], [40, 60], [-3, 40]],
    "thin sliver": [[2, 2], [60, 3], [60, 3.6]],
    "self-crossing bow tie": [[5, 5], [40, 40], [40, 5], [5, 40]],
    "tiny": [[10.2, 10.2], [11.1, 10.4], [10.6, 11.3]],
}


def random_polygons(count: int, *, seed: int) -> list[Points]:
    """Star-shaped random polygons (often concave), some reaching past the image."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        cx, cy = rng.uniform(-5, WIDTH + 5), rng.uniform(-5, HEIGHT + 5)
        n = rng.randint(3, 14)
        angles = sorted(rng.uniform(0, 2 * np.pi) for _ in range(n))
        radii = [rng.uniform(1, 30) for _ in range(n)]
        out.append(
            [
                [round(cx + r * np.cos(a), rng.choice([0, 1, 2, 3])), round(cy + r * np.sin(a), 2)]
                for a, r in zip(angles, radii, strict=True)
            ]
        )
    return out


def run_js(cases: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "polygon_rle.mjs"
    script.write_text(SCRIPT % json.dumps(RLE_JS.as_uri()))
    done = subprocess.run(
        [node, str(script)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(done.stdout))


def coco_rle(points: Points, width: int, height: int) -> dict[str, Any]:
    flat = [float(v) for point in points for v in point]
    (rle,) = coco.frPyObjects([flat], height, width)
    return {"size": list(rle["size"]), "counts": rle["counts"].decode("ascii")}


def test_polygon_masks_equal_pycocotools_exactly(tmp_path: Path) -> None:
    polygons = list(NAMED.values()) + random_polygons(300, seed=5)
    sizes = [(WIDTH, HEIGHT)] * len(polygons)
    # the same shapes on odd image sizes, where the border clamps differ
    polygons += list(NAMED.values())
    sizes += [(37, 23)] * len(NAMED)
    cases = [
        {"points": p, "width": w, "height": h} for p, (w, h) in zip(polygons, sizes, strict=True)
    ]
    got = run_js(cases, tmp_path)
    assert len(got) == len(cases)
    mismatches = []
    for case, js in zip(cases, got, strict=True):
        want = coco_rle(case["points"], case["width"], case["height"])
        if {"size": js["size"], "counts": js["counts"]} != want:
            mismatches.append((case["points"], js["counts"], want["counts"]))
            continue
        assert js["area"] == int(coco.area({**want, "counts": want["counts"].encode()}))
    assert not mismatches, f"{len(mismatches)} polygons differ from pycocotools: {mismatches[:3]}"


def test_named_polygons_fill_what_their_shape_says(tmp_path: Path) -> None:
    """Sanity of the shapes themselves: concave notches stay empty, the border polygon is full."""
    names = list(NAMED)
    got = run_js([{"points": NAMED[n], "width": WIDTH, "height": HEIGHT} for n in names], tmp_path)
    masks = {
        n: coco.decode({"size": js["size"], "counts": js["counts"].encode()})
        for n, js in zip(names, got, strict=True)
    }
    assert masks["touching every border"].all()
    assert int(masks["rectangle on whole pixels"].sum()) == 22 * 14
    assert masks["rectangle on whole pixels"][6:20, 8:30].all()
    # the L's notch (x 14..40, y 4..30) is outside, its foot inside
    assert not masks["concave L"][5:29, 15:39].any()
    assert masks["concave L"][31:41, 5:39].all()
    # the star's centre is inside, the gaps between its points are not
    assert masks["star"][24, 32] == 1
    assert masks["star"][4, 12] == 0 and masks["star"][40, 32] == 0
    assert int(masks["tiny"].sum()) <= 2
