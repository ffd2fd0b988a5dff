"""Migration 0006: every uploader of a media gets a `media_uploads` row (backfilled)."""

from __future__ import annotations

from sqlalchemy import text

from labelwright.store.db import Database
from labelwright.store.migrate import downgrade_database, upgrade_database
from tests.conftest import DatabaseFactory


def test_upgrade_backfills_the_first_uploader_of_existing_media(
    databases: DatabaseFactory,
) -> None:
    db = Database(databases.create())
    try:
        upgrade_database(db.engine, "0005_dataset_versions")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, is_admin, is_active, "
                    "created_at) VALUES (7, 'a@example.org', '', 'x', false, true, :at)"
                ),
                {"at": "2026-01-01 00:00:00+00:00"},
            )
            for sha, owner in (("a" * 64, 7), ("b" * 64, None)):
                conn.execute(
                    text(
                        "INSERT INTO media (sha256, size, mime, filename, created_by, created_at) "
                        "VALUES (:sha, 1, 'image/png', '', :owner, :at)"
                    ),
                    {"sha": sha, "owner": owner, "at": "2026-01-01 00:00:00+00:00"},
                )
        upgrade_database(db.engine)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT sha256, user_id FROM media_uploads")).all()
        assert [tuple(r) for r in rows] == [("a" * 64, 7)]
        downgrade_database(db.engine, "0005_dataset_versions")
        upgrade_database(db.engine)
    finally:
        db.dispose()
