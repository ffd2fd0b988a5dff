"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

Each backend gets its own freshly created and migrated database per test session (per xdist
worker), dropped at the end. Tests that need an empty database use `fresh_platform`.
PostgreSQL: `LABELWRIGHT_TEST_POSTGRES_URL` (default: postgres@127.0.0.1:5432). When it is
unreachable the PostgreSQL half is skipped, unless `LABELWRIGHT_REQUIRE_POSTGRES=1` (CI), where
it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from labelwright.services.context import Platform
from labelwright.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "LABELWRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]


def _postgres_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0]


class DatabaseFactory:
    """Creates and drops throwaway databases for one backend."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.created: list[str] = []

    def create(self) -> str:
        name = f"lw_test_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 with test-sized cost: hundreds of test users would otherwise cost minutes of CPU.
    (Production keeps argon2-cffi's defaults; the algorithm and verification are the same.)"""
    from argon2 import PasswordHasher

    from labelwright.services import auth

    production = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._hasher = production


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        problem = _postgres_available()
        if problem is not None:
            if os.environ.get("LABELWRIGHT_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL is required but unreachable: {problem}")
            pytest.skip(f"PostgreSQL unreachable: {problem}")
    return str(request.param)


@pytest.fixture(scope="session")
def databases(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path_factory.mktemp(f"db-{backend}"))
    yield factory
    factory.drop_all()


def _open(url: str, data_dir: Path) -> Platform:
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key="test-secret-key-0123456789",
        db_pool_size=5,
        quality_refresh_seconds=0,  # tests run catch-ups themselves
        quality_read_budget_ms=600_000,  # and reads count every change (deterministic)
    )
    return Platform.open(settings)


@pytest.fixture(scope="session")
def platform(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    """A migrated database shared by the session's tests on one backend."""
    shared = _open(databases.create(), tmp_path_factory.mktemp("data"))
    yield shared
    shared.close()


@pytest.fixture
def fresh_platform(databases: DatabaseFactory, tmp_path: Path) -> Iterator[Platform]:
    """An empty, migrated database of its own."""
    own = _open(databases.create(), tmp_path / "data")
    yield own
    own.close()


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    from labelwright.api.app import create_app

    with TestClient(create_app(platform.settings, platform=platform)) as test_client:
        yield test_client
