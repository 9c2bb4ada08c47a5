"""Tariffs as data: CRUD, assignment to stations and sites, and which tariff a station charges under.

A station's tariff is the one assigned to the station, else the one assigned to its site, else the default
tariff (migration 0009 seeds the Hunan time-of-use tariff as the default; with no default row, the shipped
file :func:`csms.domain.tariff.hunan_default_tariff` reads). Definitions are checked by the domain
(:func:`~csms.domain.tariff.tariff_from_dict`) before anything is stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Station
from csms.db.models_tariffs import Tariff, TariffAssignment
from csms.db.sites import Site, SiteStation
from csms.db.uow import UnitOfWork
from csms.domain.tariff import TariffError, tariff_from_dict
from csms.domain.timeutil import Clock
from csms.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class TariffInput:
    name: str
    definition: dict[str, Any]
    is_default: bool = False
    station_ids: Sequence[str] = ()
    site_ids: Sequence[str] = ()


@dataclass(frozen=True)
class TariffView:
    id: int
    name: str
    definition: dict[str, Any]
    is_default: bool
    station_ids: list[str] = field(default_factory=list)
    site_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Applicable:
    """The tariff a station charges under: its row id (``None``: the shipped file), its definition, and
    where it came from (``station``, ``site``, ``default``, ``builtin``)."""

    tariff_id: int | None
    definition: dict[str, Any]
    source: str


def builtin_definition() -> dict[str, Any]:
    text = resources.files("csms.domain.data").joinpath("tariff_hunan.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def check_definition(definition: dict[str, Any]) -> None:
    try:
        tariff_from_dict(definition)
    except TariffError as exc:
        raise InvalidInput(f"definition: {exc}", field="definition") from None


class TariffService:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, data: TariffInput) -> TariffView:
        check_definition(data.definition)
        now = self._clock()
        async with self._uow() as session:
            if await session.scalar(select(Tariff.id).where(Tariff.name == data.name)) is not None:
                raise Conflict(f"tariff {data.name!r} already exists")
            row = Tariff(name=data.name, definition=data.definition, is_default=False, created_at=now,
                         updated_at=now)
            session.add(row)
            await session.flush()
            await self._apply(session, row, data)
            return await _view(session, row)

    async def replace(self, tariff_id: int, data: TariffInput) -> TariffView:
        check_definition(data.definition)
        async with self._uow() as session:
            row = await _get(session, tariff_id)
            same_name = select(Tariff.id).where(Tariff.name == data.name, Tariff.id != row.id)
            clash = await session.scalar(same_name)
            if clash is not None:
                raise Conflict(f"tariff {data.name!r} already exists")
            row.name, row.definition, row.updated_at = data.name, data.definition, self._clock()
            await session.execute(delete(TariffAssignment).where(TariffAssignment.tariff_id == row.id))
            await self._apply(session, row, data)
            return await _view(session, row)

    async def _apply(self, session: AsyncSession, row: Tariff, data: TariffInput) -> None:
        if data.is_default:
            await session.execute(update(Tariff).where(Tariff.id != row.id).values(is_default=False))
        row.is_default = data.is_default
        for scope, model, ids in (("station", Station, data.station_ids), ("site", Site, data.site_ids)):
            for i, target in enumerate(dict.fromkeys(ids)):
                if await session.get(model, target) is None:
                    raise InvalidInput(f"{scope} {target!r} does not exist", field=f"{scope}_ids[{i}]")
                # A station or site has one tariff: assigning it here takes it from any other tariff.
                await session.execute(delete(TariffAssignment).where(
                    TariffAssignment.scope == scope, TariffAssignment.target_id == target
                ))
                session.add(TariffAssignment(tariff_id=row.id, scope=scope, target_id=target))
        await session.flush()

    async def delete(self, tariff_id: int) -> None:
        async with self._uow() as session:
            await session.delete(await _get(session, tariff_id))

    async def get(self, tariff_id: int) -> TariffView:
        async with self._uow.read() as session:
            return await _view(session, await _get(session, tariff_id))

    async def list(self) -> list[TariffView]:
        async with self._uow.read() as session:
            rows = (await session.scalars(select(Tariff).order_by(Tariff.id))).all()
            return [await _view(session, row) for row in rows]

    async def for_station(self, station_id: str) -> Applicable:
        async with self._uow.read() as session:
            return await applicable(session, station_id)


async def applicable(session: AsyncSession, station_id: str) -> Applicable:
    """The tariff ``station_id`` charges under (see the module docstring)."""
    site_id = await session.scalar(select(SiteStation.site_id).where(SiteStation.station_id == station_id))
    for scope, target in (("station", station_id), ("site", site_id)):
        if target is None:
            continue
        row = await session.scalar(
            select(Tariff).join(TariffAssignment, TariffAssignment.tariff_id == Tariff.id)
            .where(TariffAssignment.scope == scope, TariffAssignment.target_id == target)
        )
        if row is not None:
            return Applicable(row.id, row.definition, scope)
    row = await session.scalar(select(Tariff).where(Tariff.is_default.is_(True)).order_by(Tariff.id).limit(1))
    if row is not None:
        return Applicable(row.id, row.definition, "default")
    return Applicable(None, builtin_definition(), "builtin")


async def _get(session: AsyncSession, tariff_id: int) -> Tariff:
    row = await session.get(Tariff, tariff_id)
    if row is None:
        raise NotFound(f"tariff {tariff_id} does not exist")
    return row


async def _view(session: AsyncSession, row: Tariff) -> TariffView:
    targets = (await session.execute(
        select(TariffAssignment.scope, TariffAssignment.target_id)
        .where(TariffAssignment.tariff_id == row.id).order_by(TariffAssignment.target_id)
    )).all()
    return TariffView(
        row.id, row.name, row.definition, row.is_default,
        station_ids=[t for s, t in targets if s == "station"],
        site_ids=[t for s, t in targets if s == "site"],
    )
