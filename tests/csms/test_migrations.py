"""The Alembic history itself: migration 0005 carries every stored meter sample over to ``meter_readings``
and back, and the history at head builds exactly the schema the models declare.

Each test migrates a database of its own: a fresh SQLite file, and, when ``CSMS_TEST_DATABASE_URL`` names a
PostgreSQL server, a database created for the test (as ``tests/conftest.py`` does). Old rows are written
through SQLAlchemy Core with the migrations' own column types, so they are stored as the application
stored them (on SQLite, ``UtcDateTime`` as text).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import make_url

import csms.db.compliance
import csms.db.models
import csms.db.sites  # noqa: F401  (site energy tables)
from csms.db.base import Base, UtcDateTime
from csms.db.migrate import alembic_config, upgrade
from csms.db.session import create_engine

PG_URL = os.environ.get("CSMS_TEST_DATABASE_URL")
BEFORE = "0004_meter_index_token_length"
AFTER = "0005_meter_readings"
T = TypeVar("T")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="CSMS_TEST_DATABASE_URL (PostgreSQL) not set"),
    ),
]

stations = sa.table(
    "stations",
    sa.column("id", sa.String()),
    sa.column("registration_status", sa.String()),
    sa.column("created_at", UtcDateTime()),
)
transactions = sa.table(
    "transactions",
    sa.column("id", sa.Integer()),
    sa.column("station_id", sa.String()),
    sa.column("evse_id", sa.Integer()),
    sa.column("connector_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("started_at", UtcDateTime()),
    sa.column("offline", sa.Boolean()),
)
meter_values = sa.table(
    "meter_values",
    sa.column("id", sa.Integer()),
    sa.column("station_id", sa.String()),
    sa.column("transaction_pk", sa.Integer()),
    sa.column("evse_id", sa.Integer()),
    sa.column("timestamp", UtcDateTime()),
    sa.column("measurand", sa.String()),
    sa.column("phase", sa.String()),
    sa.column("location", sa.String()),
    sa.column("context", sa.String()),
    sa.column("value", sa.Float()),
    sa.column("unit", sa.String()),
)
meter_readings = sa.table(
    "meter_readings",
    sa.column("id", sa.Integer()),
    sa.column("station_id", sa.String()),
    sa.column("transaction_pk", sa.Integer()),
    sa.column("evse_id", sa.Integer()),
    sa.column("timestamp", UtcDateTime()),
    sa.column("samples", sa.JSON()),
)

STATION = "CS-MIGRATE-1"
TX = 7
T0 = datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)
NO_EXTRAS = {"phase": None, "location": None, "context": None}


def _sample(
    evse_id: int, tx: int | None, at: datetime, measurand: str, value: float, unit: str, **extra: str
) -> dict[str, Any]:
    return {
        "station_id": STATION, "transaction_pk": tx, "evse_id": evse_id, "timestamp": at,
        "measurand": measurand, "value": value, "unit": unit, **NO_EXTRAS, **extra,
    }  # fmt: skip


SAMPLES = [
    # a reading of 4 samples in the transaction
    _sample(1, TX, T0, "Energy.Active.Import.Register", 1234.5, "Wh", context="Sample.Periodic"),
    _sample(1, TX, T0, "Power.Active.Import", 7200.0, "W"),
    _sample(1, TX, T0, "Current.Import", 31.25, "A", phase="L1"),
    _sample(1, TX, T0, "Temperature", 41.0, "Celsius", location="Outlet"),
    # a later reading of 1 sample in the same transaction
    _sample(1, TX, T1, "Energy.Active.Import.Register", 1354.5, "Wh"),
    # outside any transaction, on another EVSE, at the first reading's instant
    _sample(2, None, T0, "Voltage", 230.5, "V"),
]
READINGS = [
    {
        "station_id": STATION, "transaction_pk": TX, "evse_id": 1, "timestamp": T0,
        "samples": [
            {"measurand": "Energy.Active.Import.Register", "value": 1234.5, "unit": "Wh",
             "context": "Sample.Periodic"},
            {"measurand": "Power.Active.Import", "value": 7200.0, "unit": "W"},
            {"measurand": "Current.Import", "value": 31.25, "unit": "A", "phase": "L1"},
            {"measurand": "Temperature", "value": 41.0, "unit": "Celsius", "location": "Outlet"},
        ],
    },
    {
        "station_id": STATION, "transaction_pk": TX, "evse_id": 1, "timestamp": T1,
        "samples": [{"measurand": "Energy.Active.Import.Register", "value": 1354.5, "unit": "Wh"}],
    },
    {
        "station_id": STATION, "transaction_pk": None, "evse_id": 2, "timestamp": T0,
        "samples": [{"measurand": "Voltage", "value": 230.5, "unit": "V"}],
    },
]  # fmt: skip


async def _postgres_database(name: str, *, create: bool) -> None:
    assert PG_URL
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        if create:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        else:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of this test's own (nothing migrated yet)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'csms.sqlite3'}"
        return
    assert PG_URL
    name = f"csms_migrations_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_database(name, create=True))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres_database(name, create=False))


def _on(url: str, work: Callable[[sa.Connection], T]) -> T:
    """Run ``work`` on a connection to ``url`` in one committed transaction (blocking)."""

    async def run() -> T:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(conn: sa.Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def _insert_old_rows(conn: sa.Connection) -> None:
    conn.execute(sa.insert(stations).values(id=STATION, registration_status="Accepted", created_at=T0))
    conn.execute(
        sa.insert(transactions).values(
            id=TX, station_id=STATION, evse_id=1, connector_id=1, status="Active",
            started_at=T0 - timedelta(minutes=5), offline=False,
        )
    )  # fmt: skip
    for sample in SAMPLES:  # one by one, so that ids follow the list
        conn.execute(sa.insert(meter_values).values(**sample))


def _rows(conn: sa.Connection, table: sa.TableClause) -> list[dict[str, Any]]:
    """All rows in id order, without their id (typed: timestamps as aware datetimes)."""
    query = sa.select(*(c for c in table.c if c.name != "id")).order_by(table.c.id)
    return [dict(row) for row in conn.execute(query).mappings()]


def _raw_rows(conn: sa.Connection, table: str) -> list[tuple[Any, ...]]:
    """All rows in id order, without their id, as the driver hands back what is stored (SQLite: text)."""
    result = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))
    keep = [i for i, name in enumerate(result.keys()) if name != "id"]
    return [tuple(row[i] for i in keep) for row in result]


def test_meter_values_become_readings_and_back(empty_url: str) -> None:
    """0005 groups the samples of each reading into one row (optional keys only when set) and its downgrade
    restores the very rows it replaced."""
    url = empty_url
    upgrade(url, BEFORE)
    _on(url, _insert_old_rows)
    stored = _on(url, lambda conn: _raw_rows(conn, "meter_values"))
    assert _on(url, lambda conn: _rows(conn, meter_values)) == SAMPLES

    upgrade(url, AFTER)  # not "heads": a later revision may change meter_readings again
    readings, tables = _on(url, lambda conn: (_rows(conn, meter_readings), _tables(conn)))
    assert readings == READINGS
    values = [sample["value"] for reading in readings for sample in reading["samples"]]
    assert all(type(value) is float for value in values), values
    assert "meter_values" not in tables
    assert "meter_readings" in tables

    command.downgrade(alembic_config(url), BEFORE)
    samples, tables = _on(url, lambda conn: (_rows(conn, meter_values), _tables(conn)))
    assert samples == SAMPLES
    assert _on(url, lambda conn: _raw_rows(conn, "meter_values")) == stored
    assert "meter_readings" not in tables


def test_models_match_migrations(empty_url: str) -> None:
    """The history at head builds the schema the models declare: autogenerate would write no revision."""
    upgrade(empty_url)

    def differences(conn: sa.Connection) -> list[Any]:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)

    assert _on(empty_url, differences) == []
