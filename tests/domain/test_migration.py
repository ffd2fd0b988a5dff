"""Schema migrations: rewriting stored results and telling when a schema change is safe."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from labelwright import errors
from labelwright.domain import (
    DropMigration,
    RenameMigration,
    SchemaMigration,
    find_orphans,
    labels_in_results,
    migrate_results,
    parse_schema,
)

OLD = parse_schema(
    """
objects:
  text: {type: text}
  doc: {type: document}
controls:
  - {name: sentiment, type: choice, of: text, options: [pos, neg, neutral]}
  - {name: topics, type: choices, of: text, options: [sports, news, tech]}
  - {name: entities, type: spans, of: text, labels: [PER, ORG, LOC, MISC]}
  - {name: links, type: relations, between: [entities], labels: [works_at]}
  - {name: notes, type: textarea, of: text}
  - {name: stars, type: rating, of: text}
  - {name: layout, type: regions, of: doc, labels: [table, total]}
  - {name: invoice, type: fields, of: doc, fields: [{name: total, type: amount}, {name: vat}]}
"""
)
RESULTS: dict[str, Any] = {
    "sentiment": "neg",
    "topics": ["sports", "news"],
    "entities": [
        {"id": "e1", "start": 0, "end": 3, "text": "Ann", "label": "PER"},
        {"id": "e2", "start": 4, "end": 8, "text": "Acme", "label": "ORG"},
        {"id": "e3", "start": 9, "end": 13, "text": "Rome", "label": "LOC"},
    ],
    "links": [{"from": "e1", "to": "e2", "label": "works_at"}],
    "notes": "PER",
    "stars": 4,
    "layout": [{"id": "r1", "page": 0, "x": 0, "y": 0, "w": 1, "h": 1, "label": "total"}],
    "invoice": [{"id": "f1", "name": "total", "value": "12", "region": "r1"}],
}


# labels_in_results


def test_labels_in_results_lists_controls_and_labels() -> None:
    used = labels_in_results(OLD, RESULTS)

    assert used == {
        ("sentiment", None),
        ("sentiment", "neg"),
        ("topics", None),
        ("topics", "sports"),
        ("topics", "news"),
        ("entities", None),
        ("entities", "PER"),
        ("entities", "ORG"),
        ("entities", "LOC"),
        ("links", None),
        ("links", "works_at"),
        ("notes", None),  # a textarea's text is not a label
        ("stars", None),
        ("layout", None),
        ("layout", "total"),
        ("invoice", None),
        ("invoice", "total"),
    }


def test_labels_in_results_skips_empty_values() -> None:
    assert labels_in_results(OLD, {"topics": [], "notes": "", "sentiment": None}) == set()


def test_labels_in_results_reads_unknown_controls_by_shape() -> None:
    used = labels_in_results(OLD, {"old": [{"label": "X"}], "older": "Y"})

    assert used == {("old", None), ("old", "X"), ("older", None), ("older", "Y")}


# migrate_results


def test_rename_label_changes_only_that_control() -> None:
    migrated = migrate_results(
        RESULTS, [{"op": "rename", "control": "entities", "from": "PER", "to": "PERSON"}]
    )

    assert migrated is not None
    assert [e["label"] for e in migrated["entities"]] == ["PERSON", "ORG", "LOC"]
    assert migrated["notes"] == "PER"
    assert RESULTS["entities"][0]["label"] == "PER"  # the input is left alone


def test_rename_option_of_choice_and_choices() -> None:
    migrated = migrate_results(
        RESULTS,
        [
            {"op": "rename", "control": "sentiment", "from": "neg", "to": "negative"},
            {"op": "rename", "control": "topics", "from": "news", "to": "politics"},
        ],
    )

    assert migrated is not None
    assert migrated["sentiment"] == "negative"
    assert migrated["topics"] == ["sports", "politics"]


def test_rename_control_keeps_its_place_and_later_steps_use_the_new_name() -> None:
    migrated = migrate_results(
        RESULTS,
        [
            {"op": "rename", "from": "entities", "to": "ents"},
            {"op": "rename", "control": "ents", "from": "ORG", "to": "COMPANY"},
        ],
    )

    assert migrated is not None
    assert list(migrated) == [
        "sentiment",
        "topics",
        "ents",
        "links",
        "notes",
        "stars",
        "layout",
        "invoice",
    ]
    assert [e["label"] for e in migrated["ents"]] == ["PER", "COMPANY", "LOC"]


def test_rename_control_onto_an_existing_one_is_refused() -> None:
    with pytest.raises(errors.Invalid, match="the results already have 'topics'"):
        migrate_results(RESULTS, [{"op": "rename", "from": "sentiment", "to": "topics"}])


def test_merge_labels() -> None:
    migrated = migrate_results(
        RESULTS,
        [
            {"op": "merge", "control": "entities", "from": ["ORG", "LOC"], "to": "PLACE_OR_ORG"},
            {"op": "merge", "control": "topics", "from": ["sports", "news"], "to": "news"},
        ],
    )

    assert migrated is not None
    assert [e["label"] for e in migrated["entities"]] == ["PER", "PLACE_OR_ORG", "PLACE_OR_ORG"]
    assert migrated["topics"] == ["news"]  # merged options are not repeated


def test_drop_label_removes_items_and_the_relations_to_them() -> None:
    migrated = migrate_results(RESULTS, [{"op": "drop", "control": "entities", "label": "ORG"}])

    assert migrated is not None
    assert [e["id"] for e in migrated["entities"]] == ["e1", "e3"]
    assert migrated["links"] == []


def test_drop_label_of_a_single_choice_removes_the_value() -> None:
    migrated = migrate_results(RESULTS, [{"op": "drop", "control": "sentiment", "label": "neg"}])

    assert migrated is not None and "sentiment" not in migrated


def test_drop_option_of_choices() -> None:
    migrated = migrate_results(RESULTS, [{"op": "drop", "control": "topics", "label": "sports"}])

    assert migrated is not None and migrated["topics"] == ["news"]


def test_drop_control_unlinks_fields_from_its_regions() -> None:
    migrated = migrate_results(RESULTS, [DropMigration(op="drop", control="layout")])

    assert migrated is not None
    assert "layout" not in migrated
    assert migrated["invoice"] == [{"id": "f1", "name": "total", "value": "12"}]


def test_fields_are_renamed_by_name() -> None:
    migrated = migrate_results(
        RESULTS, [{"op": "rename", "control": "invoice", "from": "total", "to": "amount"}]
    )

    assert migrated is not None
    assert migrated["invoice"][0]["name"] == "amount"
    assert migrated["layout"][0]["label"] == "total"


def test_nothing_changed_gives_none() -> None:
    steps = [
        {"op": "rename", "control": "entities", "from": "MISC", "to": "OTHER"},
        {"op": "drop", "control": "ghost"},
        {"op": "rename", "from": "ghost", "to": "phantom"},
    ]

    assert migrate_results(RESULTS, steps) is None
    assert migrate_results(RESULTS, []) is None


def test_values_without_labels_are_never_changed_when_the_schema_is_known() -> None:
    steps = [
        {"op": "rename", "control": "notes", "from": "PER", "to": "PERSON"},
        {"op": "drop", "control": "stars", "label": "4"},
    ]

    assert migrate_results(RESULTS, steps, schema=OLD) is None


def test_models_and_plain_mappings_are_both_accepted() -> None:
    as_model = SchemaMigration.model_validate(
        {"op": "rename", "control": "entities", "from": "PER", "to": "P"}
    )
    as_step = RenameMigration.model_validate(
        {"op": "rename", "control": "entities", "from": "PER", "to": "P"}
    )

    assert migrate_results(RESULTS, [as_model]) == migrate_results(RESULTS, [as_step])
    assert as_model.model_dump(by_alias=True) == {
        "op": "rename",
        "control": "entities",
        "from": "PER",
        "to": "P",
    }


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"op": "rename", "from": "a", "to": "a"}, "rename from 'a' to itself"),
        ({"op": "rename", "from": "a b", "to": "c"}, "'a b' is not a valid control name"),
        ({"op": "merge", "control": "x", "from": [], "to": "y"}, "at least 1 item"),
        ({"op": "merge", "control": "x", "from": ["a", "a"], "to": "y"}, "more than once"),
        ({"op": "drop"}, "Field required"),
        ({"op": "split", "control": "x"}, "does not match any of the expected tags"),
        ({"op": "drop", "control": "x", "extra": 1}, "Extra inputs are not permitted"),
    ],
)
def test_malformed_migrations_are_refused(step: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.Invalid, match=message) as caught:
        migrate_results(RESULTS, [{"op": "drop", "control": "stars"}, step])

    assert all(problem["loc"][0] == 1 for problem in caught.value.errors)
    assert caught.value.message.startswith("Migration 1:")


# find_orphans


def _new(control: str, *, labels: list[str] | None = None, name: str | None = None) -> Any:
    """OLD with one control's labels (or options) replaced, renamed (or, with name="", removed)."""
    data = copy.deepcopy(OLD.to_json())
    for spec in data["controls"]:
        if spec["name"] == control and labels is not None:
            spec["options" if "options" in spec else "labels"] = labels
        if spec["name"] == control and name is not None:
            spec["name"] = name
        if "between" in spec and name:
            spec["between"] = [name if n == control else n for n in spec["between"]]
    data["controls"] = [spec for spec in data["controls"] if spec["name"]]
    return parse_schema(data)


USED = labels_in_results(OLD, RESULTS)


def test_unchanged_schema_has_no_orphans() -> None:
    assert find_orphans(OLD, OLD, USED, []) == []


def test_removing_an_unused_label_is_safe() -> None:
    assert find_orphans(OLD, _new("entities", labels=["PER", "ORG", "LOC"]), USED, []) == []


def test_renaming_a_used_label_orphans_it_until_a_migration_covers_it() -> None:
    new = _new("entities", labels=["PERSON", "ORG", "LOC", "MISC"])
    step = {"op": "rename", "control": "entities", "from": "PER", "to": "PERSON"}

    problems = find_orphans(OLD, new, USED, [])

    assert problems == [
        "Label 'PER' of control 'entities' is used in existing results, but the new schema's "
        "control 'entities' does not have it; rename, merge or drop it with a migration."
    ]
    assert find_orphans(OLD, new, USED, [step]) == []


def test_a_migration_to_a_label_the_new_schema_lacks_is_reported() -> None:
    step = {"op": "rename", "control": "entities", "from": "PER", "to": "PERSN"}

    problems = find_orphans(
        OLD, _new("entities", labels=["PERSON", "ORG", "LOC", "MISC"]), USED, [step]
    )

    assert problems == [
        "Label 'PERSN' (renamed from 'PER') of control 'entities' is used in existing results, "
        "but the new schema's control 'entities' does not have it; rename, merge or drop it "
        "with a migration."
    ]


def test_merging_labels_is_safe_once_migrated() -> None:
    new = _new("entities", labels=["PER", "PLACE", "MISC"])
    step = {"op": "merge", "control": "entities", "from": ["ORG", "LOC"], "to": "PLACE"}

    assert len(find_orphans(OLD, new, USED, [])) == 2
    assert find_orphans(OLD, new, USED, [step]) == []


def test_removing_a_used_control_is_reported_once() -> None:
    new = _new("topics", name="")

    problems = find_orphans(OLD, new, USED, [])

    assert problems == [
        "Control 'topics' has values in existing results, but the new schema has no control "
        "'topics'; rename it or drop its values with a migration."
    ]
    assert find_orphans(OLD, new, USED, [{"op": "drop", "control": "topics"}]) == []


def test_renaming_a_used_control_needs_a_migration() -> None:
    new = _new("entities", name="ents")

    problems = find_orphans(OLD, new, USED, [])

    assert "Control 'entities' has values in existing results" in problems[0]
    assert find_orphans(OLD, new, USED, [{"op": "rename", "from": "entities", "to": "ents"}]) == []


def test_dropping_the_items_of_a_removed_label_is_safe() -> None:
    new = _new("entities", labels=["PER", "ORG", "MISC"])

    assert len(find_orphans(OLD, new, USED, [])) == 1
    assert (
        find_orphans(OLD, new, USED, [{"op": "drop", "control": "entities", "label": "LOC"}]) == []
    )


def test_changing_a_used_control_type_is_reported() -> None:
    data = OLD.to_json()
    data["controls"] = [
        {**c, "type": "choices"} if c["name"] == "sentiment" else c for c in data["controls"]
    ]

    problems = find_orphans(OLD, parse_schema(data), USED, [])

    assert problems == [
        "Control 'sentiment' changes type from choice to choices; its existing values would no "
        "longer fit."
    ]


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (
            {"op": "drop", "control": "ghost"},
            "Migration 0 (drop) names control 'ghost', which does not exist.",
        ),
        (
            {"op": "rename", "from": "ghost", "to": "x"},
            "Migration 0 (rename) renames control 'ghost', which does not exist.",
        ),
        (
            {"op": "rename", "from": "notes", "to": "stars"},
            "Migration 0 (rename) renames 'notes' onto existing control 'stars'.",
        ),
        (
            {"op": "rename", "control": "notes", "from": "a", "to": "b"},
            "Migration 0 (rename) changes labels of control 'notes', a textarea control, whose "
            "values have no labels.",
        ),
        (
            {"op": "merge", "control": "entities", "from": ["PER", "PRE"], "to": "P"},
            "Migration 0 (merge) names label 'PRE', which control 'entities' does not have.",
        ),
    ],
)
def test_migrations_that_do_not_fit_the_old_schema_are_reported(
    step: dict[str, Any], problem: str
) -> None:
    assert problem in find_orphans(OLD, OLD, set(), [step])


def test_drop_control_with_a_single_choice() -> None:
    migrated = migrate_results(RESULTS, [{"op": "drop", "control": "sentiment"}])

    assert migrated is not None and "sentiment" not in migrated
    assert migrated["links"] == RESULTS["links"]


def test_schema_types_follow_control_renames() -> None:
    steps = [
        {"op": "rename", "from": "notes", "to": "remarks"},
        {"op": "rename", "control": "remarks", "from": "PER", "to": "PERSON"},
    ]

    migrated = migrate_results(RESULTS, steps, schema=OLD)

    assert migrated is not None and migrated["remarks"] == "PER"


def test_label_steps_leave_values_without_labels_alone_by_shape() -> None:
    results = {
        "stars": 4,
        "grade": {"clarity": 4},
        "words": [{"start": 0, "end": 1, "text": "PER"}, "PER"],
    }
    steps = [
        {"op": "drop", "control": "stars", "label": "4"},
        {"op": "drop", "control": "grade", "label": "clarity"},
        {"op": "rename", "control": "words", "from": "x", "to": "y"},
    ]

    assert migrate_results(results, steps) is None
