from __future__ import annotations

from sqlalchemy import inspect

from labelwright.store.db import Database
from labelwright.store.migrate import downgrade_database, upgrade_database
from labelwright.store.models import Base
from tests.conftest import DatabaseFactory


def test_upgrade_from_empty_creates_every_table_and_downgrade_removes_them(
    databases: DatabaseFactory,
) -> None:
    db = Database(databases.create())
    try:
        upgrade_database(db.engine)
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        downgrade_database(db.engine, "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade_database(db.engine)
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_models_match_the_migrations(databases: DatabaseFactory) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(databases.create())
    try:
        upgrade_database(db.engine)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_queue_index_exists_with_the_queue_order(databases: DatabaseFactory) -> None:
    db = Database(databases.create())
    try:
        upgrade_database(db.engine)
        names = {ix["name"] for ix in inspect(db.engine).get_indexes("tasks")}
        assert {"ix_tasks_queue", "ix_tasks_project_id_id"} <= names
    finally:
        db.dispose()
