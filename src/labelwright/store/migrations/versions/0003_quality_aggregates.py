"""quality aggregates

Revision ID: 0003_quality_aggregates
Revises: 0002_workflow
Create Date: 2026-11-27 10:00:00.000000

Tables only: existing projects are counted by `labelwright quality rebuild` (or, for a small
project, on the first quality request), see `services/quality_aggregates.py`. Writers record
changed tasks in `quality_dirty_tasks`; the aggregate tables have no foreign key to `tasks` (a
catch-up must never wait on a task row a writer holds).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_quality_aggregates"
down_revision = "0002_workflow"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"],
        ["projects.id"],
        name=op.f(f"fk_{table}_project_id_projects"),
        ondelete="CASCADE",
    )


def _task_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["task_id"], ["tasks.id"], name=op.f(f"fk_{table}_task_id_tasks"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "quality_states",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("max_annotation_id", ID, nullable=False),
        sa.Column("rebuilt_at", AT, nullable=False),
        sa.Column("analysis_at", AT, nullable=True),
        sa.Column("analysis_marker", ID, nullable=True),
        _project_fk("quality_states"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_quality_states")),
    )
    op.create_table(
        "quality_task_states",
        sa.Column("task_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        _project_fk("quality_task_states"),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_quality_task_states")),
    )
    op.create_index(
        op.f("ix_quality_task_states_project_id"), "quality_task_states", ["project_id"]
    )
    op.create_table(
        "quality_dirty_tasks",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("task_id", ID, nullable=False),
        _task_fk("quality_dirty_tasks"),
        sa.PrimaryKeyConstraint("project_id", "task_id", name=op.f("pk_quality_dirty_tasks")),
    )
    op.create_table(
        "quality_counters",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("area", sa.String(length=1), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        _project_fk("quality_counters"),
        sa.PrimaryKeyConstraint(
            "project_id", "area", "scope", "key", name=op.f("pk_quality_counters")
        ),
    )
    op.create_table(
        "quality_task_scores",
        sa.Column("task_id", ID, nullable=False),
        sa.Column("control", sa.String(length=200), nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        _project_fk("quality_task_scores"),
        sa.PrimaryKeyConstraint("task_id", "control", name=op.f("pk_quality_task_scores")),
    )
    op.create_index(
        op.f("ix_quality_task_scores_project_id_score"),
        "quality_task_scores",
        ["project_id", "score"],
    )
    op.create_table(
        "quality_issues",
        sa.Column("id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("task_id", ID, nullable=False),
        sa.Column("control", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("given", sa.JSON(), nullable=True),
        sa.Column("suggested", sa.JSON(), nullable=True),
        _project_fk("quality_issues"),
        _task_fk("quality_issues"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_issues")),
    )
    op.create_index(
        op.f("ix_quality_issues_project_id_rank"), "quality_issues", ["project_id", "rank"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_quality_issues_project_id_rank"), table_name="quality_issues")
    op.drop_table("quality_issues")
    op.drop_index(op.f("ix_quality_task_scores_project_id_score"), table_name="quality_task_scores")
    op.drop_table("quality_task_scores")
    op.drop_table("quality_counters")
    op.drop_table("quality_dirty_tasks")
    op.drop_index(op.f("ix_quality_task_states_project_id"), table_name="quality_task_states")
    op.drop_table("quality_task_states")
    op.drop_table("quality_states")
