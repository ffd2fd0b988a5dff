"""Values of `relations` controls: labeled links between regions of the same result."""

from __future__ import annotations

from typing import Any

from labelwright.domain.controls import RelationsControl
from labelwright.domain.values._primitives import check_label, quote, read_item, read_list
from labelwright.domain.values._report import Report, Scope


def validate_relations(
    control: RelationsControl, value: Any, scope: Scope, report: Report, *, allowed: frozenset[str]
) -> Any:
    """`[{from, to, label?}]` between region ids of the same result.

    Both ends must be regions of the controls in `allowed` (the control's `between`, else the
    region controls of its `of` object, else every region control), and differ. `label` is
    required and must be one of the control's labels when it has labels, and absent otherwise.
    The same relation may not be given twice.
    """
    items = read_list(value, report, "relations")
    if items is None:
        return None
    seen: set[tuple[Any, ...]] = set()
    result = []
    for index, raw in enumerate(items):
        item = read_item(raw, report, index, required=("from", "to"), optional=("label",))
        if item is None:
            continue
        for end in ("from", "to"):
            ref = scope.regions.get(item[end]) if isinstance(item[end], str) else None
            if ref is None:
                report.add(
                    f"{end} {quote(item[end])} is not a region id of this result", index=index
                )
            elif ref.control not in allowed:
                report.add(
                    f"{end} {quote(item[end])} is a region of '{ref.control}', which this control "
                    f"does not relate (it relates {', '.join(sorted(allowed))})",
                    index=index,
                )
        if item["from"] == item["to"]:
            report.add(
                f"a relation cannot link region {quote(item['from'])} to itself", index=index
            )
        relation = {"from": item["from"], "to": item["to"]}
        label = item.get("label")
        if control.labels and label is None:
            report.add("missing 'label'", index=index)
        elif control.labels:
            check_label(control.label_names, label, report, index)
            relation["label"] = label
        elif label is not None:
            report.add("the control has no labels, so a relation cannot have one", index=index)
        key = (relation["from"], relation["to"], label)
        if all(isinstance(part, str | None) for part in key):
            if key in seen:
                report.add("the same relation is given twice", index=index)
            seen.add(key)
        result.append(relation)
    return result
