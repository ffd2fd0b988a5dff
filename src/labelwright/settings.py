"""The single settings object, read from `LABELWRIGHT_*` environment variables."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from labelwright.errors import ConfigurationError

_PLACEHOLDER_SECRETS = {"", "changeme", "secret", "change-me"}


class Settings(BaseSettings):
    """Runtime configuration of a Labelwright instance."""

    model_config = SettingsConfigDict(env_prefix="LABELWRIGHT_", extra="ignore")

    data_dir: Path = Field(
        default=Path("./labelwright-data"),
        description="Directory for the SQLite database, media blobs and the generated secret key.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file `labelwright.db` in the data directory. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key for signing media URLs; generated and kept in the data dir if unset.",
    )
    admin_email: str | None = Field(
        default=None, description="Email of the first-start admin account."
    )
    admin_password: str | None = Field(
        default=None,
        description="Password of the first-start admin; generated and printed once if unset.",
    )
    session_hours: int = Field(default=72, description="Lifetime of a web login session.")
    media_url_seconds: int = Field(default=300, description="Lifetime of a signed media URL.")
    max_upload_mb: int = Field(default=2048, description="Largest accepted upload, in MiB.")
    dev_mode: bool = Field(
        default=False, description="Development mode: allows placeholder secrets."
    )
    db_pool_size: int = Field(default=10, description="Connections per worker (PostgreSQL).")
    quality_refresh_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Interval of the background refresh of the quality aggregates (0: off; "
        "quality reads then count what they can within their budget).",
    )
    quality_read_budget_ms: int = Field(
        default=300,
        ge=0,
        description="Time a quality read spends counting uncounted changes before it answers "
        "from the aggregates as they are (the rest is reported as `pending`).",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'labelwright.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    def resolved_secret_key(self) -> str:
        """The configured secret key, or the one kept in the data directory (created once)."""
        if self.secret_key is not None:
            if self.secret_key.strip().lower() in _PLACEHOLDER_SECRETS and not self.dev_mode:
                raise ConfigurationError(
                    "LABELWRIGHT_SECRET_KEY is a placeholder; set a random value or unset it "
                    "to have one generated in the data directory."
                )
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment (cached; pass `Settings(...)` explicitly in tests)."""
    return Settings()
