"""Values of controls that compare the responses of a `responses` object: pairwise, ranking."""

from __future__ import annotations

from typing import Any

from labelwright.domain.controls import PairwiseControl, RankingControl
from labelwright.domain.values._primitives import is_integer, quote, read_item, read_list, type_name
from labelwright.domain.values._report import Report, Scope

PAIRWISE_CHOICES = ("a", "b", "tie")
STRENGTHS = (1, 2, 3)
"""Pairwise strength: 1 = slightly better, 2 = clearly better, 3 = much better."""


def validate_pairwise(control: PairwiseControl, value: Any, scope: Scope, report: Report) -> Any:
    """`{choice: "a" | "b" | "tie", strength?: 1 | 2 | 3, reason?: str}`.

    `a` and `b` are the first and second response of the task, which must have exactly two.
    `strength` grades a preference (1 slightly, 2 clearly, 3 much better) and is refused with
    `tie`.
    """
    ids = scope.obj.response_ids if scope.obj is not None else None
    if ids is not None and len(ids) != 2:
        report.add(f"pairwise needs exactly 2 responses, the task has {len(ids)}")
    item = read_item(value, report, None, required=("choice",), optional=("strength", "reason"))
    if item is None:
        return None
    result: dict[str, Any] = {"choice": item["choice"]}
    if item["choice"] not in PAIRWISE_CHOICES:
        report.add(f"choice must be 'a', 'b' or 'tie', got {quote(item['choice'])}")
    strength = item.get("strength")
    if strength is not None:
        if not is_integer(strength) or int(strength) not in STRENGTHS:
            report.add(f"strength must be 1, 2 or 3, got {quote(strength)}")
        elif item["choice"] == "tie":
            report.add("a tie has no strength")
        else:
            result["strength"] = int(strength)
    reason = item.get("reason")
    if reason is not None:
        if not isinstance(reason, str):
            report.add(f"reason must be a string, got {type_name(reason)}")
        result["reason"] = reason
    return result


def validate_ranking(control: RankingControl, value: Any, scope: Scope, report: Report) -> Any:
    """Response ids best first, ties as groups: `["r2", ["r1", "r3"], "r4"]`.

    Every response of the task appears exactly once. Groups need `allow_ties` (the default); a
    group of one is normalized to the plain id. With named `buckets`, place `i` is bucket `i`
    (`[]` when it is empty) and one more, last place may hold the responses in no bucket:
    buckets `[good, bad]` take `[["r1", "r3"], []]` or `["r2", [], ["r1", "r3"]]`.
    """
    items = read_list(value, report, "response ids")
    if items is None:
        return None
    buckets = control.buckets
    if buckets is not None and len(items) not in (len(buckets), len(buckets) + 1):
        report.add(
            f"expected one place per bucket ({', '.join(map(quote, buckets))}), optionally "
            f"followed by one for the responses in no bucket; got {len(items)} places"
        )
        return None
    known = scope.obj.response_ids if scope.obj is not None else None
    seen: set[str] = set()
    result: list[Any] = []
    for index, entry in enumerate(items):
        group = entry if isinstance(entry, list | tuple) else None
        if group is not None and not control.allow_ties:
            report.add(
                "tie groups are not allowed; set allow_ties: true on the control", index=index
            )
        if group is not None and not group:
            if buckets is None:
                report.add("a tie group must not be empty", index=index)
            else:  # an empty bucket keeps its place
                result.append([])
            continue
        members = list(group) if group is not None else [entry]
        for member in members:
            if not isinstance(member, str):
                report.add(f"expected a response id, got {type_name(member)}", index=index)
            elif known is not None and member not in known:
                report.add(f"{quote(member)} is not a response id of the task", index=index)
            elif member in seen:
                report.add(f"response {quote(member)} is ranked more than once", index=index)
            else:
                seen.add(member)
        result.append(members if len(members) > 1 else members[0])
    if buckets is not None and len(result) > len(buckets) and result[-1] == []:
        result.pop()  # an empty "no bucket" place says nothing
    missing = [rid for rid in known or () if rid not in seen]
    if missing:
        report.add(f"responses {', '.join(quote(rid) for rid in missing)} are not ranked")
    return result
