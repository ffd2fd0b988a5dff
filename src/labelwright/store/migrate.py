"""Apply Alembic migrations (on start, by `labelwright migrate`, and in tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

_SCRIPTS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["engine"] = engine
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` (default: the newest)."""
    _run(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade_database(engine: Engine, revision: str) -> None:
    """Downgrade the schema to `revision` (`base` empties it)."""
    _run(engine, lambda cfg: command.downgrade(cfg, revision))


def _run(engine: Engine, action: object) -> None:
    config = alembic_config(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = connection
        action(config)  # type: ignore[operator]
        connection.commit()
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
