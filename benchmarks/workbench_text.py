"""Workbench speed in headless Chromium: a long pre-annotated text, and Submit -> next task.

1. A 100,000-character document (with emoji and combining marks) whose model prediction has
   1,000 spans: time from navigation to the task on screen, to the 1,000 suggested spans on
   screen ("Use suggestion"), and to a new span labeled (select + label key) on top of them.
2. Submit -> next task ready, with the next task prefetched: time from the submit key to the
   following task rendered, over a series of short tasks (median and p95).

Times are measured in the page (performance.now(), after two animation frames so layout and
paint are included). Nothing is asserted; the figures are printed.

    python benchmarks/workbench_text.py
    python benchmarks/workbench_text.py --database-url postgresql+psycopg://postgres@127.0.0.1/lw_wb
"""

from __future__ import annotations

import argparse
import json
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
LABELS = ["PER", "ORG", "LOC", "MISC"]
SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [{"name": "entities", "type": "spans", "of": "text", "labels": LABELS}],
}
SHORT_SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg", "neu"]},
    ],
}
WORDS = ["alpha", "Zoë", "bravo", "Zu\u0308rich", "charlie", "delta", "echo", "foxtrot"]
WORDS += ["golf", "hotel", "india", "juliett"]
EMOJI = "👩🏽\u200d💻"

# two animation frames: the frame after the change has been laid out and painted
FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
TIMED_LABEL = """
async ([needle, key]) => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const box = document.querySelector('[data-control="entities"] .spans-text');
  const t0 = performance.now();
  // an unlabeled occurrence of the word in the second half of the text
  const pieces = box.children;
  let node = null;
  let at = -1;
  for (let i = pieces.length >> 1; i < pieces.length && at < 0; i++) {
    if (pieces[i].tagName !== 'SPAN') continue;
    node = pieces[i].firstChild;
    at = node.data.indexOf(` ${needle} `);
  }
  const range = document.createRange();
  range.setStart(node, at + 1);
  range.setEnd(node, at + 1 + needle.length);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
  document.body.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
  await frames();
  return performance.now() - t0;
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
TIMED_SUBMIT = """
async () => {
  const title = document.getElementById('task-title');
  const before = title.textContent;
  const t0 = performance.now();
  const submit = {key: 'Enter', ctrlKey: true, bubbles: true};
  document.body.dispatchEvent(new KeyboardEvent('keydown', submit));
  await new Promise((resolve) => {
    const check = () => (title.textContent !== before ? resolve() : requestAnimationFrame(check));
    check();
  });
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}
"""


def long_document(chars: int, spans: int, emoji_every: int) -> tuple[str, list[dict[str, Any]]]:
    """A text of `chars` code points with an emoji every `emoji_every` characters (and a
    combining mark in every twelfth word), and `spans` word spans spread evenly over it."""
    words: list[str] = []
    length = 0
    next_emoji = emoji_every
    i = 0
    while length < chars:
        word = WORDS[i % len(WORDS)]
        if length >= next_emoji:
            word = EMOJI
            next_emoji += emoji_every
        words.append(word)
        length += len(word) + 1
        i += 1
    text = " ".join(words)[:chars]
    step = chars // spans
    out: list[dict[str, Any]] = []
    for n in range(spans):
        start = text.index(" ", n * step) + 1  # the word after the n-th step
        end = text.index(" ", start)
        out.append(
            {
                "id": f"s{n + 1}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "label": LABELS[n % len(LABELS)],
            }
        )
    return text, out


def setup(url: str, args: argparse.Namespace) -> tuple[dict[str, str], int, int, int]:
    login = httpx.post(
        f"{url}/api/v1/auth/login",
        json={"email": "bench@example.org", "password": "bench-password"},
    )
    login.raise_for_status()
    token = httpx.post(f"{url}/api/v1/tokens", cookies=login.cookies).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        long_project = client.post("/api/v1/projects", json={"name": "long", "schema": SCHEMA})
        long_id = long_project.json()["id"]
        text, spans = long_document(args.chars, args.spans, args.emoji_every)
        row = {
            "data": {"text": text},
            "predictions": [
                {"results": {"entities": spans}, "score": 0.8, "origin": "model:bench@1"}
            ],
        }
        body = json.dumps(row, ensure_ascii=False).encode() + b"\n"
        answer = client.post(
            f"/api/v1/projects/{long_id}/tasks",
            content=body,
            headers={"Content-Type": "application/x-ndjson"},
        )
        answer.raise_for_status()
        long_task = answer.json()["first_id"]
        short = client.post("/api/v1/projects", json={"name": "short", "schema": SHORT_SCHEMA})
        short_id = short.json()["id"]
        rows = [{"text": f"Short review number {i}: fine."} for i in range(args.submits + 5)]
        client.post(f"/api/v1/projects/{short_id}/tasks", json=rows).raise_for_status()
    return dict(login.cookies), long_id, long_task, short_id


def run(url: str, args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    cookies, long_id, long_task, short_id = setup(url, args)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=url)
        context.add_cookies([{"name": k, "value": v, "url": url} for k, v in cookies.items()])
        page = context.new_page()
        page.set_default_timeout(60000)

        print(
            f"long document: {args.chars:,} characters (an emoji every {args.emoji_every:,}), "
            f"{args.spans:,} suggested spans"
        )
        for attempt in range(args.repeat):
            page.goto(f"/projects/{long_id}/label")
            page.wait_for_function(
                f"document.querySelector('#task-title').textContent === 'Task {long_task}'",
                polling="raf",
            )
            page.evaluate(FRAMES)
            opened = page.evaluate("performance.now()")
            suggestion = page.evaluate(TIMED_CLICK, ".suggestion button")
            marks = page.locator("[data-control=entities] .spans-text mark").count()
            labeled = page.evaluate(TIMED_LABEL, ["golf", "4"])
            spans = page.evaluate("document.querySelector('lw-spans').value.length")
            assert marks == args.spans and spans == args.spans + 1, (marks, spans)
            print(
                f"  run {attempt + 1}: task on screen {opened:6.0f} ms after navigation; "
                f"suggestion shown {suggestion:5.0f} ms; new span labeled {labeled:5.0f} ms; "
                f"total {opened + suggestion + labeled:6.0f} ms"
            )
            page.evaluate("localStorage.clear()")  # the next run starts without the draft

        page.goto(f"/projects/{short_id}/label")
        page.wait_for_function("document.querySelector('#wb-content').ariaBusy === 'false'")
        times = []
        for _ in range(args.submits):
            page.keyboard.press("1")
            page.wait_for_timeout(150)  # the prefetch of the following task has landed
            times.append(page.evaluate(TIMED_SUBMIT))
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"submit -> next task ready (prefetched), {len(times)} submits: "
            f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms"
        )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=1_000)
    parser.add_argument(
        "--emoji-every",
        type=int,
        default=2_000,
        help="characters between emoji (each costs a font fallback when laid out)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--submits", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="lw-bench-wb-"))
    proc, url = start_server(data_dir, args.database_url)
    try:
        t0 = time.perf_counter()
        run(url, args)
        print(f"(benchmark wall time {time.perf_counter() - t0:.1f} s)")
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
