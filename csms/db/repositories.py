"""Queries over the CSMS tables. Repositories add and read; they never commit (services own the unit
of work)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Connector, IdToken, MeterReading, StatusEvent, Transaction
from csms.domain.paging import Page


async def connectors_of(session: AsyncSession, station_id: str) -> Sequence[Connector]:
    rows = await session.scalars(
        select(Connector)
        .where(Connector.station_id == station_id)
        .order_by(Connector.evse_id, Connector.connector_id)
    )
    return rows.all()


async def status_history(
    session: AsyncSession, station_id: str, page: Page
) -> tuple[Sequence[StatusEvent], int]:
    query = select(StatusEvent).where(StatusEvent.station_id == station_id)
    return await _paged(session, query.order_by(StatusEvent.timestamp.desc(), StatusEvent.id.desc()), page)


async def token(session: AsyncSession, id_token: str) -> IdToken | None:
    return await session.get(IdToken, id_token)


async def search_transactions(
    session: AsyncSession,
    page: Page,
    *,
    station_id: str | None = None,
    id_token: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    status: str | None = None,
) -> tuple[Sequence[Transaction], int]:
    query = _transactions(station_id, id_token, since, until, status)
    return await _paged(session, query.order_by(Transaction.started_at.desc(), Transaction.id.desc()), page)


async def transactions_after(
    session: AsyncSession,
    after: tuple[datetime, int] | None,
    limit: int,
    *,
    station_id: str | None = None,
    id_token: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    status: str | None = None,
) -> Sequence[Row]:
    """The next ``limit`` transactions of the search's order (newest first) after ``(started_at, id)``:
    keyset paging, for reading a whole filtered set (an export) without counting or skipping rows. Rows of
    the table's columns (named as the model's attributes), not ORM objects: many times cheaper to read."""
    query = _transactions(station_id, id_token, since, until, status, select(*Transaction.__table__.c))
    if after is not None:
        started, pk = after
        query = query.where(
            (Transaction.started_at < started) | ((Transaction.started_at == started) & (Transaction.id < pk))
        )
    order = query.order_by(Transaction.started_at.desc(), Transaction.id.desc()).limit(limit)
    return (await session.execute(order)).all()


def _transactions(
    station_id: str | None, id_token: str | None, since: datetime | None, until: datetime | None,
    status: str | None, query: Select | None = None,
) -> Select:
    query = select(Transaction) if query is None else query
    if status is not None:
        query = query.where(Transaction.status == status)
    if station_id is not None:
        query = query.where(Transaction.station_id == station_id)
    if id_token is not None:
        query = query.where(Transaction.id_token == id_token)
    if since is not None:
        query = query.where(Transaction.started_at >= since)
    if until is not None:
        query = query.where(Transaction.started_at < until)
    return query


async def meter_readings_of(session: AsyncSession, transaction_pk: int) -> Sequence[MeterReading]:
    rows = await session.scalars(
        select(MeterReading)
        .where(MeterReading.transaction_pk == transaction_pk)
        .order_by(MeterReading.timestamp, MeterReading.id)
    )
    return rows.all()


async def _paged(session: AsyncSession, query: Select, page: Page) -> tuple[Sequence, int]:
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = await session.scalars(query.limit(page.limit).offset(page.offset))
    return rows.all(), int(total or 0)


paged = _paged
"""A page of a query's rows and how many there are in all (for services' own listings)."""
