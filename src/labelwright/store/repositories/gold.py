"""Statements for gold scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from labelwright.store.models import GoldScore, User


def scores(
    session: Session, project_id: int
) -> Sequence[Row[tuple[int | None, str | None, datetime, float]]]:
    return session.execute(
        select(GoldScore.user_id, User.email, GoldScore.created_at, GoldScore.score)
        .outerjoin(User, User.id == GoldScore.user_id)
        .where(GoldScore.project_id == project_id)
        .order_by(GoldScore.created_at)
    ).all()
