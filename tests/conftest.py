"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when CSMS_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url, text

from csms.db.base import Base
from csms.db.migrate import upgrade
from csms.db.session import create_engine

pytest_plugins = ["tests.conformance"]

PG_URL = os.environ.get("CSMS_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("CSMS_TEST_REDIS_URL")


async def _postgres_database(url: str, name: str, *, create: bool) -> None:
    """Create (or drop) a database of its own for this test run, so runs sharing a server never collide."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        if create:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database brought to head by the Alembic history (never ``create_all``), once per test session."""
    if PG_URL:
        name = f"csms_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_postgres_database(PG_URL, name, create=True))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
        asyncio.run(_postgres_database(PG_URL, name, create=False))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'csms.sqlite3'}"
        upgrade(url)
        yield url


async def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())
    await engine.dispose()


@pytest.fixture
def database_url(migrated_url: str) -> str:
    """The migrated database, emptied before each test."""
    asyncio.run(_empty_tables(migrated_url))
    return migrated_url
