"""Bulk statements (csms/db/bulk.py) and the batched writers built on them, read back from the database.

Runs on SQLite, and on PostgreSQL when CSMS_TEST_DATABASE_URL is set (one SQL form per dialect).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Integer, func, insert, select, update

from csms.db.base import UtcDateTime
from csms.db.bulk import MAX_PARAMETERS, MAX_ROWS_PER_STATEMENT, BulkStatement, RowsUpdate
from csms.db.models import Connector, MeterReading, Station, StatusEvent, Transaction
from csms.db.session import create_engine, create_session_factory
from csms.db.station_writes import StatusWriter
from csms.domain.metering import ENERGY_REGISTER, Sample, samples_of
from csms.domain.stations import StatusChange
from csms.services import Services, build_services
from csms.services.metering import MeterReport
from csms.services.transactions import EventRequest, StartRequest, StopRequest
from tests.csms.conftest import make_settings

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
CST = timezone(timedelta(hours=8))  # Changsha: aware, but not UTC


def _chunk(columns: int) -> int:
    """Rows per statement on SQLite for a statement of ``columns`` values a row (one statement elsewhere)."""
    return min(MAX_ROWS_PER_STATEMENT, MAX_PARAMETERS // columns)


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    engine = create_engine(database_url)
    services = build_services(make_settings(database_url), create_session_factory(engine), lambda: T0)
    for sid in ("S1", "S2", "S3", "S4", "S5"):
        await services.stations.register(sid, None)
    await services.tokens.create("CARD")
    yield services
    await engine.dispose()


async def _write(services: Services, writer: Any, items: list[Any]) -> None:
    async with services.uow() as session:
        await session.run_sync(writer.write_many, items)


async def _all(services: Services, *columns: Any, order_by: Any = None) -> list[tuple]:
    async with services.uow.read() as session:
        query = select(*columns)
        if order_by is not None:
            query = query.order_by(order_by)
        return [tuple(row) for row in await session.execute(query)]


async def _tx(services: Services, tx_id: int) -> tuple[float | None, float | None, float | None]:
    async with services.uow.read() as session:
        tx = await session.get(Transaction, tx_id)
        assert tx is not None
        return tx.meter_start_wh, tx.meter_stop_wh, tx.energy_wh


# -- inserts -------------------------------------------------------------------------------------------
async def test_insert_larger_than_one_statement_stores_every_row(services: Services) -> None:
    tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 0.0, T0))
    n = 2 * _chunk(5) + 203  # a reading each: three statements on SQLite, the last one partial
    measurands = [("Voltage", "V", "L1"), ("Current.Import", "A", "L2"), ("Power.Active.Import", "W", None)]
    samples = []
    for i in range(n):
        measurand, unit, phase = measurands[i % 3]
        moment = T0 + timedelta(seconds=i // 3, microseconds=(i * 7919) % 1_000_000)
        samples.append(
            Sample(
                moment.astimezone(CST) if i % 2 else moment,
                measurand,
                i + 0.25,
                unit,
                phase,
                "Outlet",
                "Sample.Periodic",
            )
        )
    reports = [
        MeterReport("S1", 1, samples[: n // 3], transaction_id=tx_id),
        MeterReport("S2", 2, samples[n // 3 : 2 * n // 3]),
        MeterReport("S3", 3, samples[2 * n // 3 :], transaction_uid="unknown-uid"),  # no such transaction
    ]
    await _write(services, services.meters.writer, reports)

    readings = await _all(
        services,
        MeterReading.station_id,
        MeterReading.transaction_pk,
        MeterReading.evse_id,
        MeterReading.timestamp,
        MeterReading.samples,
    )
    rows = sorted(
        (
            (*head, s.timestamp, s.measurand, s.phase, s.location, s.context, s.value, s.unit)
            for *head, at, stored in readings
            for s in samples_of(at, stored)
        ),
        key=lambda row: row[8],  # by value, as the samples were made
    )
    expected = [
        (
            r.station_id,
            r.transaction_id,
            r.evse_id,
            s.timestamp,
            s.measurand,
            s.phase,
            s.location,
            s.context,
            s.value,
            s.unit,
        )
        for r in reports
        for s in r.samples
    ]
    assert len(rows) == n
    assert rows == expected  # aware datetimes compare equal across zones, to the microsecond
    assert all(r[3].utcoffset() == timedelta(0) for r in rows)  # UtcDateTime hands back UTC


async def test_insert_with_keys_in_another_order_than_the_table(services: Services) -> None:
    keys = (
        "received_at",
        "status",
        "timestamp",
        "connector_id",
        "evse_id",
        "station_id",
        "info",
        "error_code",
    )
    statement = BulkStatement(insert(StatusEvent.__table__), keys)
    rows = [
        (T0 + timedelta(seconds=i), f"st{i}", T0 - timedelta(minutes=i), i, 10 + i, "S2", None, "E")
        for i in range(3)
    ]
    async with services.uow() as session:
        await session.run_sync(statement.execute, rows)
        await session.run_sync(statement.execute, [])  # nothing to write is fine

    stored = await _all(
        services,
        StatusEvent.received_at,
        StatusEvent.status,
        StatusEvent.timestamp,
        StatusEvent.connector_id,
        StatusEvent.evse_id,
        StatusEvent.station_id,
        StatusEvent.info,
        StatusEvent.error_code,
        order_by=StatusEvent.evse_id,
    )
    assert stored == rows


async def test_naive_datetime_is_refused(services: Services) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await _write(services, StatusWriter(), [("S1", datetime(2026, 3, 2, 7, 0), None)])
    assert await _all(services, Station.last_seen_at) == [(None,)] * 5


# -- updates -------------------------------------------------------------------------------------------
async def test_rows_update_sets_each_row_its_own_value_and_leaves_the_others(services: Services) -> None:
    seen = {
        "S1": T0 + timedelta(seconds=1),
        "S3": (T0 + timedelta(seconds=3)).astimezone(CST),
        "S5": T0 + timedelta(days=2),
    }
    await _write(services, StatusWriter(), [(sid, at, None) for sid, at in seen.items()])  # heartbeats

    stored = dict(await _all(services, Station.id, Station.last_seen_at))
    assert stored == {"S1": seen["S1"], "S2": None, "S3": seen["S3"], "S4": None, "S5": seen["S5"]}


async def test_last_seen_keeps_the_last_item_of_a_station(services: Services) -> None:
    items = [("S2", T0), ("S4", T0 + timedelta(seconds=5)), ("S2", T0 + timedelta(seconds=9))]
    await _write(services, StatusWriter(), [(sid, at, None) for sid, at in items])
    stored = dict(await _all(services, Station.id, Station.last_seen_at))
    assert stored["S2"] == T0 + timedelta(seconds=9)
    assert stored["S4"] == T0 + timedelta(seconds=5)
    assert stored["S1"] is None


async def test_rows_update_larger_than_one_statement(services: Services) -> None:
    n = 2 * _chunk(3) + 101  # every other row is updated: more than one statement's worth
    moments = [T0 + timedelta(seconds=i) for i in range(n)]
    await _write(
        services,
        services.meters.writer,
        [MeterReport("S1", 1, [Sample(at, "Voltage", 230.0, "V") for at in moments])],  # a reading each
    )
    ids = [row[0] for row in await _all(services, MeterReading.id, order_by=MeterReading.timestamp)]
    table = MeterReading.__table__
    move = RowsUpdate(
        lambda v: update(table).where(table.c.id == v.key).values(evse_id=v.evse, timestamp=v.at),
        {"key": Integer(), "evse": Integer(), "at": UtcDateTime()},  # a bind processor for ``at``
    )
    updated = ids[::2]  # every other row
    later = T0.astimezone(CST) + timedelta(days=1)
    async with services.uow() as session:
        await session.run_sync(move.execute, [(pk, pk * 3, later) for pk in updated])

    stored = {
        pk: (evse, at)
        for pk, evse, at in await _all(
            services, MeterReading.id, MeterReading.evse_id, MeterReading.timestamp
        )
    }
    assert len(stored) == n
    for i, pk in enumerate(ids):
        assert stored[pk] == ((pk * 3, later) if i % 2 == 0 else (1, moments[i]))


# -- the transaction's register window -----------------------------------------------------------------
def _register(wh: float, at: datetime = T0) -> Sample:
    return Sample(at, ENERGY_REGISTER, wh, "Wh")


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def test_register_window_is_first_and_last_in_time(services: Services) -> None:
    tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))

    await _write(services, services.meters.writer,
                 [MeterReport("S1", 1, [_register(1500.0, _at(10))], transaction_id=tx_id)])
    assert await _tx(services, tx_id) == (1000.0, 1500.0, 500.0)

    # An older reading delivered late (offline queue) falls inside the window: nothing changes.
    await _write(services, services.meters.writer,
                 [MeterReport("S1", 1, [_register(1200.0, _at(5))], transaction_id=tx_id)])
    assert await _tx(services, tx_id) == (1000.0, 1500.0, 500.0)

    # In one batch: the latest reading in time is the stop, whatever the order; a phase reading is not the
    # register.
    batch = [
        MeterReport("S1", 1, [_register(1900.0, _at(30))], transaction_id=tx_id),
        MeterReport(
            "S1",
            1,
            [_register(1700.0, _at(20)), Sample(_at(40), ENERGY_REGISTER, 9999.0, "Wh", phase="L1")],
            transaction_id=tx_id,
        ),
    ]
    await _write(services, services.meters.writer, batch)
    assert await _tx(services, tx_id) == (1000.0, 1900.0, 900.0)

    # A reading older than the start moves the start earlier.
    await _write(services, services.meters.writer,
                 [MeterReport("S1", 1, [_register(800.0, _at(-5))], transaction_id=tx_id)])
    assert await _tx(services, tx_id) == (800.0, 1900.0, 1100.0)
    async with services.uow.read() as session:
        tx = await session.get(Transaction, tx_id)
        assert tx is not None
        assert (tx.register_start_at, tx.register_stop_at) == (_at(-5), _at(30))


async def test_a_glitching_register_reading_is_stored_but_not_billed(services: Services) -> None:
    """Issue 14 item 3: 1,000,000 -> 0 -> 1,005,000 Wh is 5,000 Wh, not 1,005,000."""
    tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1_000_000.0, T0))
    for minutes, wh in ((10, 0.0), (20, 1_005_000.0)):
        await _write(services, services.meters.writer,
                     [MeterReport("S1", 1, [_register(wh, _at(minutes))], transaction_id=tx_id)])
    assert await _tx(services, tx_id) == (1_000_000.0, 1_005_000.0, 5_000.0)
    await services.transactions.stop(StopRequest("S1", tx_id, 1_006_000.0, _at(30)))
    assert await _tx(services, tx_id) == (1_000_000.0, 1_006_000.0, 6_000.0)
    assert len(await _all(services, MeterReading.id)) == 2  # the glitch is kept as a reading


async def test_meter_values_after_the_stop_change_nothing(services: Services) -> None:
    tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))
    await services.transactions.stop(StopRequest("S1", tx_id, 5000.0, _at(60)))
    await _write(services, services.meters.writer,
                 [MeterReport("S1", 1, [_register(9000.0, _at(61))], transaction_id=tx_id)])
    assert await _tx(services, tx_id) == (1000.0, 5000.0, 4000.0)
    assert await _all(services, MeterReading.transaction_pk) == [(tx_id,)]  # kept, as late data


async def test_register_window_by_station_transaction_uid(services: Services) -> None:
    for sid in ("S1", "S2"):  # 2.0.1 transaction ids are only unique per station
        await services.transactions.event(
            EventRequest(sid, "Started", "T-1", 0, T0, "Authorized", 1, 1, "CARD")
        )
    batch = [
        MeterReport(
            "S1", 1, [_register(100.0), _register(400.0, T0 + timedelta(minutes=1))], transaction_uid="T-1"
        ),
        MeterReport("S2", 1, [_register(7000.0)], transaction_uid="T-1"),
    ]
    await _write(services, services.meters.writer, batch)
    windows = await _all(
        services,
        Transaction.station_id,
        Transaction.meter_start_wh,
        Transaction.meter_stop_wh,
        Transaction.energy_wh,
        order_by=Transaction.station_id,
    )
    assert windows == [("S1", 100.0, 400.0, 300.0), ("S2", 7000.0, 7000.0, 0.0)]
    async with services.uow.read() as session:
        query = select(MeterReading.station_id, Transaction.station_id).join(
            Transaction, MeterReading.transaction_pk == Transaction.id
        )
        links = list(await session.execute(query))
    assert sorted(tuple(r) for r in links) == [("S1", "S1"), ("S1", "S1"), ("S2", "S2")]


async def test_station_cannot_write_into_another_stations_transaction(services: Services) -> None:
    tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))
    report = MeterReport("S2", 1, [_register(5000.0)], transaction_id=tx_id)
    await _write(services, services.meters.writer, [report])
    assert await _tx(services, tx_id) == (1000.0, None, None)
    assert await _all(services, MeterReading.station_id, MeterReading.transaction_pk) == [("S2", None)]


async def test_windows_of_several_transactions_in_one_batch(services: Services) -> None:
    a, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 100.0, T0))
    b, _ = await services.transactions.start(StartRequest("S2", 1, "CARD", 200.0, T0))
    c, _ = await services.transactions.start(StartRequest("S3", 1, "CARD", 300.0, T0))
    batch = [
        MeterReport("S1", 1, [_register(150.0)], transaction_id=a),
        MeterReport("S2", 1, [_register(260.0)], transaction_id=b),
    ]
    await _write(services, services.meters.writer, batch)
    assert await _tx(services, a) == (100.0, 150.0, 50.0)
    assert await _tx(services, b) == (200.0, 260.0, 60.0)
    assert await _tx(services, c) == (300.0, None, None)


# -- status notifications ------------------------------------------------------------------------------
def _status(status: str, seconds: float, connector: int = 1, **kw: Any) -> StatusChange:
    return StatusChange(1, connector, status, T0 + timedelta(seconds=seconds), **kw)


async def _connectors(services: Services) -> dict[tuple[str, int, int], tuple[str, str | None, datetime]]:
    rows = await _all(
        services,
        Connector.station_id,
        Connector.evse_id,
        Connector.connector_id,
        Connector.status,
        Connector.error_code,
        Connector.updated_at,
    )
    return {(s, e, c): (status, err, at) for s, e, c, status, err, at in rows}


async def _history(services: Services) -> list[tuple[str, int, str, datetime]]:
    return await _all(
        services,
        StatusEvent.station_id,
        StatusEvent.connector_id,
        StatusEvent.status,
        StatusEvent.timestamp,
        order_by=StatusEvent.id,
    )


async def test_status_inserts_a_new_connector(services: Services) -> None:
    received = T0 + timedelta(seconds=1)
    await _write(services, StatusWriter(), [("S1", received, _status("Available", 0, info="boot"))])
    assert await _connectors(services) == {("S1", 1, 1): ("Available", None, T0)}
    assert await _history(services) == [("S1", 1, "Available", T0)]
    assert dict(await _all(services, Station.id, Station.last_seen_at))["S1"] == received


async def test_newer_status_overwrites_older_status_is_history_only(services: Services) -> None:
    writer = StatusWriter()
    await _write(services, writer, [("S1", T0, _status("Available", 0))])
    await _write(services, writer, [("S1", T0, _status("Charging", 10))])
    assert await _connectors(services) == {("S1", 1, 1): ("Charging", None, T0 + timedelta(seconds=10))}

    # Queued offline, delivered late: kept in the history, the current status stays.
    await _write(services, writer, [("S1", T0, _status("Faulted", 5, error_code="GroundFailure"))])
    assert await _connectors(services) == {("S1", 1, 1): ("Charging", None, T0 + timedelta(seconds=10))}
    assert [h[2] for h in await _history(services)] == ["Available", "Charging", "Faulted"]

    # The same timestamp again counts as current (>=).
    await _write(services, writer, [("S1", T0, _status("Finishing", 10))])
    assert (await _connectors(services))[("S1", 1, 1)][0] == "Finishing"


async def test_two_statuses_of_one_connector_in_a_batch_keep_the_latest(services: Services) -> None:
    batch = [
        ("S1", T0, _status("Occupied", 30)),  # the latest comes first in the batch
        ("S1", T0, _status("Available", 20)),
        ("S1", T0, _status("Unavailable", 25, connector=2)),
        ("S2", T0, _status("Faulted", 1, error_code="OverCurrentFailure")),
    ]
    await _write(services, StatusWriter(), batch)
    assert await _connectors(services) == {
        ("S1", 1, 1): ("Occupied", None, T0 + timedelta(seconds=30)),
        ("S1", 1, 2): ("Unavailable", None, T0 + timedelta(seconds=25)),
        ("S2", 1, 1): ("Faulted", "OverCurrentFailure", T0 + timedelta(seconds=1)),
    }
    assert sorted(h[2] for h in await _history(services)) == [
        "Available",
        "Faulted",
        "Occupied",
        "Unavailable",
    ]


async def test_status_item_without_a_change_is_a_heartbeat(services: Services) -> None:
    later = T0 + timedelta(minutes=5)
    await _write(
        services,
        StatusWriter(),
        [("S1", T0, _status("Available", 0)), ("S2", later, None), ("S1", later, None)],
    )
    assert await _connectors(services) == {("S1", 1, 1): ("Available", None, T0)}
    assert len(await _history(services)) == 1
    last_seen = dict(await _all(services, Station.id, Station.last_seen_at))
    assert (last_seen["S1"], last_seen["S2"], last_seen["S3"]) == (later, later, None)


async def test_status_batch_larger_than_one_statement(services: Services) -> None:
    n = _chunk(6) + 7  # history (8 values a row) and connectors (6) take more than one statement each
    stations = ("S1", "S2", "S3", "S4", "S5")
    batch = [
        (stations[i % 5], T0 + timedelta(seconds=i), _status("Available", i, connector=i // 5))
        for i in range(n)
    ]
    await _write(services, StatusWriter(), batch)
    connectors = await _connectors(services)
    assert len(connectors) == n
    assert connectors[(stations[(n - 1) % 5], 1, (n - 1) // 5)][2] == T0 + timedelta(seconds=n - 1)
    async with services.uow.read() as session:
        assert await session.scalar(select(func.count()).select_from(StatusEvent)) == n
    last_seen = dict(await _all(services, Station.id, Station.last_seen_at))
    assert last_seen == {
        sid: T0 + timedelta(seconds=max(i for i in range(n) if i % 5 == k)) for k, sid in enumerate(stations)
    }
