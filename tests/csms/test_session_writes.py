"""Session use cases over the database: events published after the commit, and the read-decide-write of
the register window guarded against the group committer running concurrently (PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from csms.db.models import Transaction
from csms.db.session import create_engine, create_session_factory
from csms.domain.events import SessionEnded, SessionStarted
from csms.domain.metering import ENERGY_REGISTER, MeterReport, Sample
from csms.services import Services, build_services
from csms.services.transactions import EventRequest, StartRequest, StopRequest
from tests.csms.conftest import make_settings

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    engine = create_engine(database_url)
    services = build_services(make_settings(database_url), create_session_factory(engine), lambda: NOW)
    await services.stations.register("S1", None)
    await services.tokens.create("CARD")
    yield services
    await engine.dispose()


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _register(wh: float, minutes: float) -> Sample:
    return Sample(_at(minutes), ENERGY_REGISTER, wh, "Wh")


async def test_v16_session_events_once_each_after_the_commit(services: Services) -> None:
    seen: list[object] = []
    services.events.subscribe(SessionStarted, seen.append)
    services.events.subscribe(SessionEnded, seen.append)
    tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))
    await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))  # a repeat
    await services.transactions.stop(StopRequest("S1", tx_id, 4000.0, _at(30)))
    await services.transactions.stop(StopRequest("S1", tx_id, 4000.0, _at(30)))  # a repeat
    assert seen == [SessionStarted(NOW, "S1", tx_id, 1), SessionEnded(NOW, "S1", tx_id, 1, 3000.0)]


async def test_v201_session_events_and_statuses(services: Services) -> None:
    seen: list[object] = []
    services.events.subscribe(SessionStarted, seen.append)
    services.events.subscribe(SessionEnded, seen.append)

    async def event(kind: str, seq: int, state: str | None, wh: float | None = None) -> str:
        samples = [_register(wh, seq)] if wh is not None else []
        await services.transactions.event(
            EventRequest("S1", kind, "U1", seq, _at(seq), "Trigger", 1, 1, samples=samples,
                         charging_state=state)
        )
        async with services.uow.read() as session:
            return (await session.scalars(select(Transaction.status))).one()

    assert await event("Started", 0, "EVConnected") == "Pending"
    assert await event("Updated", 1, "Charging", 100.0) == "Active"
    assert await event("Updated", 2, "SuspendedEV", 300.0) == "Suspended"
    assert await event("Ended", 3, "EVConnected", 300.0) == "Completed"
    assert await event("Updated", 4, "Charging", 350.0) == "Completed"
    async with services.uow.read() as session:
        tx = (await session.scalars(select(Transaction))).one()
    assert (tx.meter_start_wh, tx.meter_stop_wh, tx.energy_wh) == (100.0, 300.0, 200.0)
    assert seen == [SessionStarted(NOW, "S1", tx.id, 1), SessionEnded(NOW, "S1", tx.id, 1, 200.0)]


async def test_a_stop_and_a_concurrent_meter_batch_keep_every_reading_before_the_end(
    services: Services, database_url: str
) -> None:
    """PostgreSQL: the committer's batch holds the transaction row; the stop waits for its commit and
    decides the final window on it (the last reading counts), never on a stale row."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time; the interleaving needs PostgreSQL")
    tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))
    batch_holds_the_row, release = asyncio.Event(), asyncio.Event()
    writer = services.meters.writer

    async def meter_batch() -> None:
        async with services.uow() as session:
            await session.run_sync(writer.write_many, [MeterReport("S1", 1, [_register(9000.0, 50)], tx_id)])
            batch_holds_the_row.set()
            await release.wait()  # the committer's transaction stays open while the stop arrives

    batch = asyncio.create_task(meter_batch())
    await batch_holds_the_row.wait()
    stop = asyncio.create_task(services.transactions.stop(StopRequest("S1", tx_id, 5000.0, _at(40))))
    await asyncio.sleep(0.2)  # bounded: the stop must be waiting on the row lock, not finished
    assert not stop.done()
    release.set()
    await asyncio.gather(batch, stop)
    async with services.uow.read() as session:
        tx = await session.get(Transaction, tx_id)
        assert tx is not None
        # meterStop at 40 min is older than the batch's 9000 Wh at 50 min: the window ends at the latter
        assert (tx.status, tx.meter_stop_wh, tx.energy_wh) == ("Completed", 9000.0, 8000.0)


async def _window(services: Services, tx_id: int) -> tuple[str, float | None, float | None]:
    async with services.uow.read() as session:
        tx = await session.get(Transaction, tx_id)
        assert tx is not None
        return tx.status, tx.meter_stop_wh, tx.energy_wh


async def test_a_session_ended_by_another_connection_is_not_metered_from_memory(
    services: Services, database_url: str
) -> None:
    """The meter writer keeps the sessions it wrote (SQLite); a stop committed by a unit of work of its own
    must reach its next batch, or the kept, still charging session would move the ended one's window."""
    services.committer.start(database_url)
    try:
        tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))
        await services.meters.write(MeterReport("S1", 1, [_register(3000.0, 10)], tx_id))
        await services.transactions.stop(StopRequest("S1", tx_id, 4000.0, _at(20)))
        await services.meters.write(MeterReport("S1", 1, [_register(6000.0, 30)], tx_id))
    finally:
        await services.committer.stop()
    assert await _window(services, tx_id) == ("Completed", 4000.0, 3000.0)


class _Failing:
    def write_many(self, session: object, items: Sequence[object]) -> None:
        raise ValueError("a bad write")


async def test_a_rolled_back_meter_batch_is_not_kept(services: Services, database_url: str) -> None:
    """A batch that fails is rolled back and its writes retried one by one: the retry must decide on the
    committed session, not on what the rolled-back batch had computed."""
    services.committer.start(database_url)
    try:
        tx_id, _ = await services.transactions.start(StartRequest("S1", 1, "CARD", 1000.0, T0))
        await services.meters.write(MeterReport("S1", 1, [_register(3000.0, 10)], tx_id))
        both = await asyncio.gather(
            services.meters.write(MeterReport("S1", 1, [_register(5000.0, 20)], tx_id)),
            services.committer.submit(_Failing(), "x"),
            return_exceptions=True,
        )
    finally:
        await services.committer.stop()
    assert both[0] is None and isinstance(both[1], ValueError)
    assert await _window(services, tx_id) == ("Active", 5000.0, 4000.0)
