"""Label Studio XML labeling configs to and from Labelwright schemas.

Supported object tags: `Text`, `Image`, `Audio`, `Video`, `List` (the items a `Ranker` orders).
Supported control tags and what they become: `Choices` (choice, or choices with
`choice="multiple"`), `Labels` (spans of a text, segments of audio or video), `RectangleLabels`
(boxes), `PolygonLabels` (polygons), `KeyPointLabels` (keypoints), `BrushLabels` (masks),
`TextArea` (textarea), `Rating` (rating 1..`maxRating`), `Number` (number), `Relations`
(relations), `Pairwise` (pairwise over a responses object `<name>_responses` whose `values` are
the data keys of the two compared objects, so plain task data `{prompt, answer1, answer2}` fits)
and `Ranker` (ranking of a `List`; its `Bucket`s become the control's named `buckets`, tie
groups best first).
Controls with `perRegion="true"` label each region of their object, so they become an attribute
of every region control (`Labels`, `RectangleLabels`, ...) of that object: `TextArea` a `str`
attribute, single `Choices` a list of allowed values, `Rating` an `int`, `Number` a `float`.
Layout tags (`View`, `Header`, `Style`, `Collapse`, `Filter`) are skipped; any other tag is refused
with a message naming it.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from labelwright.domain import LabelingSchema, parse_schema
from labelwright.domain.controls import RankingControl
from labelwright.domain.objects import ResponsesObject
from labelwright.errors import Invalid

OBJECT_TAGS = {
    "Text": "text",
    "Image": "image",
    "Audio": "audio",
    "Video": "video",
    "List": "responses",
}
CONTROL_TAGS = (
    "Choices",
    "Labels",
    "RectangleLabels",
    "PolygonLabels",
    "KeyPointLabels",
    "BrushLabels",
    "TextArea",
    "Rating",
    "Number",
    "Relations",
    "Pairwise",
    "Ranker",
)
LAYOUT_TAGS = {
    "View",
    "Header",
    "Style",
    "Collapse",
    "Filter",
    "Choice",
    "Label",
    "Relation",
    "Bucket",
}
REGION_CONTROLS = ("spans", "segments", "boxes", "polygons", "keypoints", "masks")
_REGION_TYPES = {
    "RectangleLabels": "boxes",
    "PolygonLabels": "polygons",
    "KeyPointLabels": "keypoints",
    "BrushLabels": "masks",
}
UNPLACED = "_"
"""The key of a Ranker result that holds the items in no bucket."""
_COLOR = re.compile(r"^(#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]+)$")


def parse_label_config(xml: str | bytes) -> LabelingSchema:
    """The Labelwright schema of a Label Studio labeling config.

    Raises:
        Invalid: The XML does not parse, uses an unsupported tag (named in the message) or
            gives a schema that does not validate.
    """
    text = xml.encode() if isinstance(xml, str) else xml
    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
        raise Invalid("Label Studio config: XML with a DTD or entities is not accepted.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise Invalid(f"Label Studio config: not well-formed XML: {exc}") from None
    objects: dict[str, dict[str, Any]] = {}
    controls: list[dict[str, Any]] = []
    per_region: list[ET.Element] = []
    pairwise: list[ET.Element] = []
    for node in root.iter():
        tag = node.tag
        if tag in OBJECT_TAGS:
            objects[_name(node)] = _object(node)
        elif tag in CONTROL_TAGS and node.get("perRegion") == "true":
            per_region.append(node)
        elif tag == "Pairwise":
            pairwise.append(node)
            controls.append(_control(node))
        elif tag in CONTROL_TAGS:
            controls.append(_control(node))
        elif tag not in LAYOUT_TAGS:
            supported = ", ".join([*OBJECT_TAGS, *CONTROL_TAGS, "Bucket"])
            raise Invalid(
                f"Label Studio config: tag <{tag}> is not supported; supported tags: {supported}."
            )
    for control in controls:
        if control["type"] in ("spans", "segments") and control["of"] in objects:
            kind = objects[control["of"]]["type"]
            control["type"] = "spans" if kind == "text" else "segments"
            if kind == "text":
                control["overlap"] = True
    for node in pairwise:  # the compared objects may come after the Pairwise tag
        _add_pairwise_responses(node, objects)
    for node in per_region:
        _add_region_attribute(node, controls)
    return parse_schema({"objects": objects, "controls": controls})


def _add_pairwise_responses(node: ET.Element, objects: dict[str, dict[str, Any]]) -> None:
    """The responses object of a Pairwise: one response per compared object's data key."""
    name = _name(node)
    pair = [part.strip() for part in node.get("toName", "").split(",") if part.strip()]
    missing = [part for part in pair if part not in objects]
    if missing:
        raise Invalid(
            f"Label Studio config: <Pairwise name='{name}'> compares '{missing[0]}', which is not "
            "an object of the config."
        )
    keys = [objects[part].get("value") or part for part in pair]
    objects[f"{name}_responses"] = {"type": "responses", "values": keys}


def _add_region_attribute(node: ET.Element, controls: list[dict[str, Any]]) -> None:
    """A `perRegion` control as an attribute of every region control of its object."""
    name = _name(node)
    target = node.get("toName", "").split(",")[0]
    regions = [c for c in controls if c["type"] in REGION_CONTROLS and c["of"] == target]
    if not regions:
        raise Invalid(
            f"Label Studio config: <{node.tag} name='{name}' perRegion=\"true\"> labels regions "
            f"of '{target}', but no region control (Labels, RectangleLabels, ...) labels it."
        )
    kind: Any
    if node.tag == "TextArea":
        kind = "str"
    elif node.tag == "Choices" and node.get("choice") != "multiple":
        kind = [
            label if isinstance(label, str) else label["name"] for label in _labels(node, "Choice")
        ]
    elif node.tag == "Rating":
        kind = "int"
    elif node.tag == "Number":
        kind = "float"
    else:
        raise Invalid(
            f"Label Studio config: <{node.tag} name='{name}' perRegion=\"true\"> has no "
            "Labelwright equivalent (per-region TextArea, single Choices, Rating and Number are "
            "supported)."
        )
    for control in regions:
        attributes = control.setdefault("attributes", {})
        if name in attributes:
            raise Invalid(f"Label Studio config: two per-region controls are named '{name}'.")
        attributes[name] = kind


def _name(node: ET.Element) -> str:
    name = node.get("name")
    if not name:
        raise Invalid(f"Label Studio config: <{node.tag}> has no name.")
    return name


def _object(node: ET.Element) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": OBJECT_TAGS[node.tag]}
    value = node.get("value", "")
    if value.startswith("$") and value[1:] != _name(node):
        spec["value"] = value[1:]
    return spec


def _labels(node: ET.Element, child: str) -> list[Any]:
    labels = []
    for item in node.findall(child):
        name = item.get("value") or item.get("alias")
        if not name:
            raise Invalid(f"Label Studio config: a <{child}> of '{node.get('name')}' has no value.")
        color = item.get("background")
        labels.append({"name": name, "color": color} if color and _COLOR.match(color) else name)
    if not labels:
        raise Invalid(
            f"Label Studio config: <{node.tag} name='{node.get('name')}'> has no {child}s."
        )
    return labels


def _control(node: ET.Element) -> dict[str, Any]:
    tag = node.tag
    if tag == "Relations":
        labels = [r.get("value") for r in node.findall("Relation") if r.get("value")]
        spec: dict[str, Any] = {"name": node.get("name") or "relations", "type": "relations"}
        return spec | ({"labels": labels} if labels else {})
    name = _name(node)
    target = node.get("toName", "")
    spec = {"name": name, "of": target.split(",")[0]}
    if node.get("required") == "true":
        spec["required"] = True
    if tag == "Choices":
        multiple = node.get("choice") == "multiple"
        return spec | {
            "type": "choices" if multiple else "choice",
            "options": _labels(node, "Choice"),
        }
    if tag == "Labels":
        return spec | {"type": "spans", "labels": _labels(node, "Label")}
    if tag in _REGION_TYPES:
        return spec | {"type": _REGION_TYPES[tag], "labels": _labels(node, "Label")}
    if tag == "TextArea":
        return spec | {"type": "textarea"}
    if tag == "Rating":
        return spec | {"type": "rating", "min": 1, "max": int(node.get("maxRating", "5"))}
    if tag == "Number":
        bounds = {k: float(node.get(k)) for k in ("min", "max") if node.get(k) is not None}  # type: ignore[arg-type]
        return spec | {"type": "number", **bounds}
    if tag == "Pairwise":
        pair = [part.strip() for part in target.split(",") if part.strip()]
        if len(pair) != 2:
            raise Invalid(f"Label Studio config: <Pairwise name='{name}'> must compare 2 objects.")
        return spec | {"type": "pairwise", "of": f"{name}_responses"}
    buckets = _buckets(node, name)
    return (
        spec
        | {"type": "ranking", "allow_ties": bool(buckets)}
        | ({"buckets": buckets} if buckets else {})
    )


def _buckets(node: ET.Element, ranker: str) -> list[str]:
    """The names of a Ranker's `Bucket`s, in config order (the first ranks best)."""
    names = []
    for bucket in node.findall("Bucket"):
        name = bucket.get("name")
        if not name:
            raise Invalid(f"Label Studio config: a <Bucket> of Ranker '{ranker}' has no name.")
        if name == UNPLACED:
            raise Invalid(
                f"Label Studio config: Ranker '{ranker}' has a <Bucket name=\"{UNPLACED}\">; "
                f"'{UNPLACED}' is Label Studio's name for the items in no bucket."
            )
        names.append(name)
    return names


_BACK = {
    "choice": "Choices",
    "choices": "Choices",
    "spans": "Labels",
    "segments": "Labels",
    "boxes": "RectangleLabels",
    "polygons": "PolygonLabels",
    "keypoints": "KeyPointLabels",
    "masks": "BrushLabels",
    "textarea": "TextArea",
    "rating": "Rating",
    "number": "Number",
    "relations": "Relations",
    "pairwise": "Pairwise",
    "ranking": "Ranker",
}
_OBJECT_BACK = {v: k for k, v in OBJECT_TAGS.items()}


def label_config(schema: LabelingSchema) -> str:
    """A Label Studio labeling config for the parts of `schema` Label Studio has tags for.

    Region attributes of type `str` become per-region `TextArea`s and lists of allowed values
    per-region `Choices`; other attribute types are not written.

    Raises:
        Invalid: A control or object has no Label Studio equivalent (named in the message).
    """
    lines = ["<View>"]
    pairs: dict[str, str] = {}
    for name, spec in schema.objects.items():
        key = schema.data_key(name)
        if isinstance(spec, ResponsesObject) and spec.values is not None:
            pairs[name] = _compared_objects(schema, name, spec.values, lines)
            continue
        tag = _OBJECT_BACK.get(spec.type)
        if tag is None:
            raise Invalid(f"Object '{name}' ({spec.type}) has no Label Studio tag.")
        lines.append(f"  <{tag} name={quoteattr(name)} value={quoteattr('$' + key)}/>")
    per_region: dict[tuple[str, str], Any] = {}
    for control in schema.controls:
        tag = _BACK.get(control.type)
        if tag is None:
            raise Invalid(f"Control '{control.name}' ({control.type}) has no Label Studio tag.")
        if control.of in pairs and control.type != "pairwise":
            raise Invalid(
                f"Control '{control.name}' ({control.type}) labels object '{control.of}', whose "
                "responses come from several data keys; Label Studio only compares such objects "
                "with a Pairwise (a Ranker needs a List of one data key)."
            )
        target = pairs.get(control.of or "", control.of or "")
        attrs = f"name={quoteattr(control.name)} toName={quoteattr(target)}"
        if control.type == "choices":
            attrs += ' choice="multiple"'
        if control.type == "rating":
            attrs += f' maxRating="{control.max}"'
        if control.type == "relations":
            items = "".join(f"<Relation value={quoteattr(n)}/>" for n in control.label_names)
            lines.append(f"  <Relations>{items}</Relations>")
            continue
        for attribute, kind in getattr(control, "attributes", {}).items():
            per_region.setdefault((attribute, target), kind)
        child = "Choice" if tag == "Choices" else "Label"
        items = "".join(f"<{child} value={quoteattr(n)}/>" for n in control.label_names)
        if isinstance(control, RankingControl) and control.buckets:
            items = "".join(f"<Bucket name={quoteattr(b)}/>" for b in control.buckets)
        lines.append(f"  <{tag} {attrs}>{items}</{tag}>" if items else f"  <{tag} {attrs}/>")
    for (attribute, target), kind in per_region.items():
        attrs = f'name={quoteattr(attribute)} toName={quoteattr(target)} perRegion="true"'
        if kind == "str":
            lines.append(f"  <TextArea {attrs}/>")
        elif isinstance(kind, tuple):
            items = "".join(f"<Choice value={quoteattr(v)}/>" for v in kind)
            lines.append(f"  <Choices {attrs}>{items}</Choices>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def _compared_objects(
    schema: LabelingSchema, name: str, keys: tuple[str, ...], lines: list[str]
) -> str:
    """The `toName` of a Pairwise over a responses object with `values`: the objects showing
    those data keys, a `Text` added for each key no object shows."""
    if len(keys) != 2:
        raise Invalid(
            f"Object '{name}' has {len(keys)} responses; Label Studio's Pairwise compares 2."
        )
    names = []
    for key in keys:
        shown = next(
            (
                other
                for other, spec in schema.objects.items()
                if spec.type != "responses" and schema.data_key(other) == key
            ),
            None,
        )
        if shown is None:
            taken = key in schema.objects or schema.control(key) is not None
            if taken:
                raise Invalid(
                    f"Object '{name}' compares data key '{key}', which is also the name of "
                    "another object or control; Label Studio needs a Text object of that name."
                )
            lines.append(f"  <Text name={quoteattr(key)} value={quoteattr('$' + key)}/>")
            shown = key
        names.append(shown)
    return ",".join(names)


def region_attributes(schema: LabelingSchema, object_name: str) -> dict[str, Any]:
    """The attributes of the region controls of one object, by name, with their types."""
    found: dict[str, Any] = {}
    for control in schema.controls:
        if control.type in REGION_CONTROLS and control.of == object_name:
            found.update(getattr(control, "attributes", {}))
    return found
