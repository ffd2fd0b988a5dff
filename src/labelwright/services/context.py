"""What every use case receives: the platform's resources and the acting user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from labelwright.settings import Settings
from labelwright.store.blobs import BlobStore, LocalBlobStore
from labelwright.store.db import Database
from labelwright.store.migrate import upgrade_database


@dataclass(frozen=True)
class Actor:
    """The authenticated caller (or `system` for internal work)."""

    id: int | None
    email: str
    is_admin: bool

    @property
    def label(self) -> str:
        return self.email


SYSTEM = Actor(id=None, email="system", is_admin=True)


@dataclass
class Platform:
    """Resources shared by all use cases in one process."""

    settings: Settings
    db: Database
    blobs: BlobStore
    secret_key: str
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Platform:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url, pool_size=settings.db_pool_size)
        if migrate:
            upgrade_database(db.engine)
        return cls(
            settings=settings,
            db=db,
            blobs=LocalBlobStore(settings.media_dir),
            secret_key=settings.resolved_secret_key(),
        )

    def close(self) -> None:
        self.db.dispose()
