"""Helpers to drive the workbench from Playwright."""

from __future__ import annotations

from typing import Any

SELECT_TEXT = """
([control, needle, occurrence]) => {
  const box = document.querySelector(`[data-control="${control}"] .spans-text`);
  const full = box.textContent;
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = full.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`'${needle}' not in the text`);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const point = (target) => {
    let seen = 0;
    walker.currentNode = box;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (target <= seen + n.data.length) return [n, target - seen];
      seen += n.data.length;
    }
    throw new Error('offset beyond the text');
  };
  const range = document.createRange();
  range.setStart(...point(at));
  range.setEnd(...point(at + needle.length));
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  box.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}
"""


def select_text(page: Any, control: str, needle: str, occurrence: int = 0) -> None:
    """Select `needle` in a spans tool's text as a mouse drag would."""
    page.evaluate(SELECT_TEXT, [control, needle, occurrence])


def wait_task(page: Any, task_id: int | None = None) -> None:
    """Wait until the workbench shows a task (a given one, if named)."""
    if task_id is None:
        page.wait_for_function(
            "document.querySelector('#wb-content').getAttribute('aria-busy') === 'false'"
        )
    else:
        page.wait_for_function(
            f"document.querySelector('#task-title').textContent === 'Task {task_id}'"
        )
