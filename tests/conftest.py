"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when CSMS_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from csms.db.base import Base
from csms.db.migrate import upgrade
from csms.db.session import create_engine

PG_URL = os.environ.get("CSMS_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("CSMS_TEST_REDIS_URL")


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database brought to head by the Alembic history (never ``create_all``), once per test session."""
    if PG_URL:
        asyncio.run(_reset_postgres(PG_URL))
        url = PG_URL
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
