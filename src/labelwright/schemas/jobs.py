"""Wire models of jobs: long-running work (imports, document suggestions) and its progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class JobOut(BaseModel):
    """Long-running work and its progress `done/total`."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    project_id: int | None = None
    status: str
    done: int
    total: int | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    created_at: datetime
    finished_at: datetime | None = None
