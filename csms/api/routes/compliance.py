"""The compliance routes of ``compliance.api``, mounted on the CSMS database, for inspectors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated

from fastapi import Depends

from compliance.api import create_router
from compliance.api.common import ChunkStore
from compliance.model import CarPark
from compliance.repository import CarParkRepository
from csms.api.deps import ServicesDep, allow
from csms.domain.access import Role
from csms.services.compliance import ComplianceUnit, LiveTelemetry


async def _unit(services: ServicesDep) -> AsyncIterator[ComplianceUnit]:
    async with services.compliance.unit() as unit:  # commits when the route returns, before the response
        yield unit


UnitDep = Annotated[ComplianceUnit, Depends(_unit, scope="function")]


def _repository(unit: UnitDep) -> CarParkRepository:
    return unit.car_parks


def _telemetry(unit: UnitDep) -> LiveTelemetry:
    return unit.telemetry


def _chunk_store(services: ServicesDep) -> ChunkStore:
    async def store(records: Sequence[CarPark]) -> None:
        async with services.compliance.unit() as unit:  # one short write transaction per chunk
            await unit.car_parks.upsert_car_parks(records)

    return store


router = create_router(
    _repository,
    get_telemetry=_telemetry,
    get_chunk_store=_chunk_store,
    prefix="/api/v1/compliance",
    dependencies=[Depends(allow(Role.inspector))],
)
