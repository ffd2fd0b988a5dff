"""The factory of `--workers N` processes builds the app and freezes what it built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from labelwright.api.app import create_app_from_env
from labelwright.services.context import Platform
from labelwright.settings import get_settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    get_settings.cache_clear()
    yield
    gc.unfreeze()  # give the test process its collector back
    get_settings.cache_clear()


def test_a_worker_app_serves_and_its_startup_heap_is_frozen(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    monkeypatch.setenv("LABELWRIGHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(
        "LABELWRIGHT_DATABASE_URL", platform.db.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("LABELWRIGHT_SECRET_KEY", "worker-factory-secret-0123456789")
    assert gc.get_freeze_count() == 0
    app = create_app_from_env()
    # The app and everything imported to build it are out of the full passes' reach.
    assert gc.get_freeze_count() > 10_000
    try:
        with TestClient(app) as client:
            assert client.get("/api/v1/health").status_code == 200
    finally:
        app.state.platform.close()
