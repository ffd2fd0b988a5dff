"""media uploads: every uploader of the same bytes

Revision ID: 0006_media_uploads
Revises: 0005_dataset_versions
Create Date: 2026-11-27 14:00:00.000000

Media is stored once per content, and only its first uploader (`media.created_by`) could use it,
so a second user uploading the same bytes could not import tasks referring to them. Every
uploader now gets a `media_uploads` row; existing media are backfilled from `created_by`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_media_uploads"
down_revision = "0005_dataset_versions"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "media_uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["media.sha256"],
            name=op.f("fk_media_uploads_sha256_media"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_media_uploads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sha256", "user_id", name=op.f("pk_media_uploads")),
    )
    op.create_index(
        "ix_media_uploads_user_id_sha256", "media_uploads", ["user_id", "sha256"], unique=False
    )
    op.execute(
        "INSERT INTO media_uploads (sha256, user_id) "
        "SELECT sha256, created_by FROM media WHERE created_by IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_media_uploads_user_id_sha256", table_name="media_uploads")
    op.drop_table("media_uploads")
