"""Engines and the session factory, built from settings (never at import time)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, event, make_url
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(database_url: str, **kwargs: object) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout so concurrent writers queue."""
    is_sqlite = database_url.startswith("sqlite")
    if is_sqlite:
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    engine = create_async_engine(database_url, **kwargs)
    if is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


WRITER_CHECKPOINT_PAGES = 10_000
"""The writer checkpoints the WAL into the database every 10,000 pages (about 40 MiB) rather than SQLite's
1,000: the hot index pages are rewritten many times between checkpoints and copied once per checkpoint
(``bench.csms_load``, alternating runs: 8,600-9,200 -> 9,300-9,800 messages/s)."""


def create_sqlite_writer_engine(database_url: str) -> Engine:
    """A synchronous engine on the same SQLite file for a writer that must never wait for the write lock.

    Its transactions begin with ``BEGIN IMMEDIATE`` (the write lock is taken first, or not at all) and the
    busy timeout is zero: if another connection holds the lock, beginning fails at once with
    :func:`is_lock_busy` and the caller can try again later instead of blocking its thread. It checkpoints
    every :data:`WRITER_CHECKPOINT_PAGES`.
    """
    url = make_url(database_url).set(drivername="sqlite")
    engine = create_sync_engine(url, connect_args={"timeout": 0})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None  # the driver's own BEGIN off: ours is below
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={WRITER_CHECKPOINT_PAGES}")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_lock_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite refusing the write lock because another connection holds it."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(orig, sqlite3.OperationalError) and code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
