"""Content-addressed media records and which projects refer to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from labelwright.store.models.base import Base, UtcDateTime, utcnow


class Media(Base):
    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(500), default="")
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ProjectMedia(Base):
    __tablename__ = "project_media"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(
        ForeignKey("media.sha256", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_project_media_sha256_project_id", "sha256", "project_id"),)


class MediaUpload(Base):
    """A user who uploaded these bytes: holding them proves possession, so they may use them.

    The same bytes are stored once (`Media.created_by` is the first uploader); every later
    uploader gets a row here too, so their imports may refer to the media.
    """

    __tablename__ = "media_uploads"

    sha256: Mapped[str] = mapped_column(
        ForeignKey("media.sha256", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_media_uploads_user_id_sha256", "user_id", "sha256"),)
