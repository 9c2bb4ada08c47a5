"""The compliance routes of ``compliance.api``, mounted on the CSMS database, for inspectors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.api import create_router
from csms.api.deps import ServicesDep, allow
from csms.db.compliance_store import SqlCarParkRepository, StationLastSeen
from csms.services.api_tokens import Role


async def _session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.uow() as session:  # commits when the route returns, before the response goes out
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


def _repository(session: SessionDep, services: ServicesDep) -> SqlCarParkRepository:
    return SqlCarParkRepository(session, services.clock)


def _telemetry(session: SessionDep) -> StationLastSeen:
    return StationLastSeen(session)


router = create_router(
    _repository,
    get_telemetry=_telemetry,
    prefix="/api/v1/compliance",
    dependencies=[Depends(allow(Role.inspector))],
)
