"""Labelwright's pure domain: labeling schema, task object context, value validation, RLE masks
and schema migrations. No I/O, no database, no web.
"""

from labelwright.domain.context import (
    MediaInfo,
    Message,
    ObjectContext,
    PageInfo,
    describe_objects,
)
from labelwright.domain.controls import (
    ControlSpec,
    CriterionSpec,
    FieldSpec,
    LabelSpec,
)
from labelwright.domain.kinds import (
    LABELABLE_OBJECTS,
    REGION_CONTROLS,
    UNLABELED_CONTROLS,
    ControlType,
    FieldType,
    ObjectType,
)
from labelwright.domain.migration import (
    DropMigration,
    MergeMigration,
    RenameMigration,
    SchemaMigration,
    migrate_results,
)
from labelwright.domain.objects import ObjectSpec, TimelineMember
from labelwright.domain.rle import rle_area, rle_counts, rle_decode, rle_encode
from labelwright.domain.schema import LabelingSchema, parse_schema
from labelwright.domain.usage import find_orphans, labels_in_results
from labelwright.domain.validation import validate_results

__all__ = [
    "LABELABLE_OBJECTS",
    "REGION_CONTROLS",
    "UNLABELED_CONTROLS",
    "ControlSpec",
    "ControlType",
    "CriterionSpec",
    "DropMigration",
    "FieldSpec",
    "FieldType",
    "LabelSpec",
    "LabelingSchema",
    "MediaInfo",
    "MergeMigration",
    "Message",
    "ObjectContext",
    "ObjectSpec",
    "ObjectType",
    "PageInfo",
    "RenameMigration",
    "SchemaMigration",
    "TimelineMember",
    "describe_objects",
    "find_orphans",
    "labels_in_results",
    "migrate_results",
    "parse_schema",
    "rle_area",
    "rle_counts",
    "rle_decode",
    "rle_encode",
    "validate_results",
]
