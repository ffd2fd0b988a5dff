"""Label Studio XML labeling configs to and from Labelwright schemas.

Supported object tags: `Text`, `Image`, `Audio`, `Video`, `List` (the items a `Ranker` orders).
Supported control tags and what they become: `Choices` (choice, or choices with
`choice="multiple"`), `Labels` (spans of a text, segments of audio or video), `RectangleLabels`
(boxes), `PolygonLabels` (polygons), `KeyPointLabels` (keypoints), `BrushLabels` (masks),
`TextArea` (textarea), `Rating` (rating 1..`maxRating`), `Number` (number), `Relations`
(relations), `Pairwise` (pairwise over a responses object whose data key names the two compared
fields, `"answer1,answer2"`) and `Ranker` (ranking of a `List`). Layout tags (`View`, `Header`,
`Style`, `Collapse`, `Filter`) are skipped; any other tag is refused with a message naming it.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

from labelwright.domain import LabelingSchema, parse_schema
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
LAYOUT_TAGS = {"View", "Header", "Style", "Collapse", "Filter", "Choice", "Label", "Relation"}
_REGION_TYPES = {
    "RectangleLabels": "boxes",
    "PolygonLabels": "polygons",
    "KeyPointLabels": "keypoints",
    "BrushLabels": "masks",
}
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
    for node in root.iter():
        tag = node.tag
        if tag in OBJECT_TAGS:
            objects[_name(node)] = _object(node)
        elif tag in CONTROL_TAGS:
            controls.append(_control(node, objects))
        elif tag not in LAYOUT_TAGS:
            supported = ", ".join([*OBJECT_TAGS, *CONTROL_TAGS])
            raise Invalid(
                f"Label Studio config: tag <{tag}> is not supported; supported tags: {supported}."
            )
    for control in controls:
        if control["type"] in ("spans", "segments") and control["of"] in objects:
            kind = objects[control["of"]]["type"]
            control["type"] = "spans" if kind == "text" else "segments"
            if kind == "text":
                control["overlap"] = True
    return parse_schema({"objects": objects, "controls": controls})


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


def _control(node: ET.Element, objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
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
        responses = f"{name}_responses"
        objects[responses] = {"type": "responses", "value": ",".join(pair)}
        return spec | {"type": "pairwise", "of": responses}
    return spec | {"type": "ranking", "allow_ties": False}


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

    Raises:
        Invalid: A control or object has no Label Studio equivalent (named in the message).
    """
    lines = ["<View>"]
    pairs: dict[str, str] = {}
    for name, spec in schema.objects.items():
        key = schema.data_key(name)
        if spec.type == "responses" and "," in key:
            pairs[name] = key
            continue
        tag = _OBJECT_BACK.get(spec.type)
        if tag is None:
            raise Invalid(f"Object '{name}' ({spec.type}) has no Label Studio tag.")
        lines.append(f"  <{tag} name={quoteattr(name)} value={quoteattr('$' + key)}/>")
    for control in schema.controls:
        tag = _BACK.get(control.type)
        if tag is None:
            raise Invalid(f"Control '{control.name}' ({control.type}) has no Label Studio tag.")
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
        child = "Choice" if tag == "Choices" else "Label"
        items = "".join(f"<{child} value={quoteattr(n)}/>" for n in control.label_names)
        lines.append(f"  <{tag} {attrs}>{items}</{tag}>" if items else f"  <{tag} {attrs}/>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"
