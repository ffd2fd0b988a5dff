"""workflow

Revision ID: 0002_workflow
Revises: 0001_initial
Create Date: 2026-11-26 14:47:31.437426
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_workflow"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


LIVE = "status IN ('active', 'submitted', 'skipped', 'escalated')"


def upgrade() -> None:
    op.create_table(
        "guideline_acks",
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_guideline_acks_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_guideline_acks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_guideline_acks")),
    )
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_workflow_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_workflow_versions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_versions")),
        sa.UniqueConstraint(
            "project_id", "version", name=op.f("uq_workflow_versions_project_id_version")
        ),
    )
    op.create_table(
        "gold_scores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "annotation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "per_control",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_gold_scores_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_gold_scores_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_gold_scores_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_scores")),
    )
    with op.batch_alter_table("gold_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gold_scores_project_id_user_id_created_at",
            ["project_id", "user_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "task_comments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_task_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["task_comments.id"],
            name=op.f("fk_task_comments_parent_id_task_comments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_task_comments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_task_comments_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_comments")),
    )
    with op.batch_alter_table("task_comments", schema=None) as batch_op:
        batch_op.create_index("ix_task_comments_task_id_id", ["task_id", "id"], unique=False)

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "annotation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "draft",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.drop_index(batch_op.f("ix_assignments_task_id_status"))
        batch_op.create_index(
            "ix_assignments_project_id_status_leased_until",
            ["project_id", "status", "leased_until"],
            unique=False,
        )
        batch_op.create_index(
            "ix_assignments_task_id_user_id", ["task_id", "user_id"], unique=False
        )
        batch_op.create_index(
            "uq_assignments_task_id_user_id_live",
            ["task_id", "user_id"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )

    with op.batch_alter_table("guideline_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changelog", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("workflow_version", sa.Integer(), nullable=False, server_default="1")
        )

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("extra_overlap", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("stage_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "final_annotation_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("final_path", sa.String(length=64), nullable=True))

    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotations_project_id_created_at", ["project_id", "created_at"], unique=False
        )

    # Existing data: annotated tasks were "labeled" before stages existed; they are done, and
    # each project's workflow settings become its workflow version 1.
    op.execute("UPDATE tasks SET state = 'done' WHERE state = 'labeled'")
    op.execute(
        "INSERT INTO workflow_versions (project_id, version, body, created_at) "
        "SELECT id, 1, workflow, created_at FROM projects"
    )


def downgrade() -> None:
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_annotations_project_id_created_at")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("final_path")
        batch_op.drop_column("final_annotation_id")
        batch_op.drop_column("stage_reason")
        batch_op.drop_column("extra_overlap")
        batch_op.drop_column("lease_count")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("workflow_version")

    with op.batch_alter_table("guideline_versions", schema=None) as batch_op:
        batch_op.drop_column("changelog")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("uq_assignments_task_id_user_id_live")
        batch_op.drop_index("ix_assignments_task_id_user_id")
        batch_op.drop_index("ix_assignments_project_id_status_leased_until")
        batch_op.create_index(
            batch_op.f("ix_assignments_task_id_status"), ["task_id", "status"], unique=False
        )
        batch_op.drop_column("draft")
        batch_op.drop_column("reason")
        batch_op.drop_column("annotation_id")

    with op.batch_alter_table("task_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_task_comments_task_id_id")

    op.drop_table("task_comments")
    with op.batch_alter_table("gold_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_gold_scores_project_id_user_id_created_at")

    op.drop_table("gold_scores")
    op.drop_table("workflow_versions")
    op.drop_table("guideline_acks")
