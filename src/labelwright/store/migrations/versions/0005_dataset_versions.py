"""dataset versions: task count, items by task

Revision ID: 0005_dataset_versions
Revises: 0003_quality_aggregates
Create Date: 2026-11-27 12:00:00.000000

`dataset_versions.task_count`, written once when a version is created, so lists of versions
need not count a million items each. Versions made before this migration (none were: the
tables were unused) are counted here. `ix_dataset_version_items_task_id` finds the versions
that hold a task: deleting such a task is refused, since versions are immutable.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_dataset_versions"
down_revision = "0003_quality_aggregates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "dataset_versions",
        sa.Column("task_count", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE dataset_versions SET task_count = (SELECT COUNT(*) FROM dataset_version_items "
        "WHERE dataset_version_items.version_id = dataset_versions.id)"
    )
    op.create_index(
        "ix_dataset_version_items_task_id", "dataset_version_items", ["task_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_dataset_version_items_task_id", table_name="dataset_version_items")
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_column("task_count")
