"""Tariff texts kept on the stations (OCPP 2.0.1 I04, I05): the ``TariffCostCtrlr`` variables a station shows
when it has nothing better.

I04: a station shows ``TariffFallbackMessage`` when no driver-specific tariff is available (offline, or an
Authorize answer without ``personalMessage``); I05: ``TotalCostFallbackMessage`` when it cannot get a
session's total cost at its end. Publishing sets, with SetVariables, ``TariffFallbackMessage`` to the text of
the tariff the station charges under (the text of the I01 ``personalMessage``), ``Currency`` to its
currency and, when given, ``TotalCostFallbackMessage``. A tariff's new prices reach stations when the
operator publishes it (sessions under way keep the tariff pinned at their start; I06 tells their drivers of
each change of time-of-use period).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Station
from csms.db.models_tariffs import Tariff
from csms.db.uow import UnitOfWork
from csms.domain.costing import tariff_text
from csms.domain.tariff import tariff_from_dict
from csms.errors import CsmsError, InvalidInput, NotFound, StationNotConnected
from csms.services.gateway import StationGateway
from csms.services.tariffs import applicable

COMPONENT = {"name": "TariffCostCtrlr"}


@dataclass(frozen=True)
class Published:
    """``outcome``: ``Accepted`` (every variable set), ``Rejected`` (some were not: see ``results``),
    ``NotConnected``, or ``Failed`` (the call failed: ``error``)."""

    station_id: str
    outcome: str
    tariff_id: int | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def variables(tariff_message: str, currency: str, total_cost_message: str | None) -> list[dict[str, Any]]:
    """The SetVariables data of the tariff texts (2.0.1 ``attributeValue`` at most 1000 characters)."""
    values = [("TariffFallbackMessage", tariff_message), ("Currency", currency)]
    if total_cost_message is not None:
        values.append(("TotalCostFallbackMessage", total_cost_message))
    return [
        {"component": COMPONENT, "variable": {"name": name}, "attributeValue": value[:1000]}
        for name, value in values
    ]


class TariffMessagePublisher:
    def __init__(self, uow: UnitOfWork, gateway: StationGateway) -> None:
        self._uow = uow
        self._gw = gateway

    async def publish_station(self, station_id: str, total_cost_message: str | None = None) -> Published:
        """Set the tariff texts on one connected 2.0.1 station (1.6 has no such variables: 422)."""
        if not self._gw.is_online(station_id):  # on any node
            raise StationNotConnected(f"station {station_id!r} is not connected")
        async with self._uow.read() as session:
            if await _speaks_16(session, station_id):
                raise InvalidInput("OCPP 1.6 has no tariff variables (TariffCostCtrlr)", field="station_id")
        return await self._publish(station_id, total_cost_message)

    async def publish_tariff(self, tariff_id: int, total_cost_message: str | None = None) -> list[Published]:
        """Set the tariff texts on every connected 2.0.1 station that charges under tariff ``tariff_id``."""
        async with self._uow.read() as session:
            if await session.get(Tariff, tariff_id) is None:
                raise NotFound(f"tariff {tariff_id} does not exist")
            targets = []
            for station_id in sorted(self._gw.online_ids()):  # of every node
                if await _speaks_16(session, station_id):
                    continue
                if (await applicable(session, station_id)).tariff_id == tariff_id:
                    targets.append(station_id)
        return [await self._publish(station_id, total_cost_message) for station_id in targets]

    async def _publish(self, station_id: str, total_cost_message: str | None) -> Published:
        async with self._uow.read() as session:
            chosen = await applicable(session, station_id)
        tariff = tariff_from_dict(chosen.definition)
        data = variables(tariff_text(tariff), tariff.currency, total_cost_message)
        try:
            _, answer = await self._gw.command(station_id, "set-variables", {"variables": data})
        except StationNotConnected:  # it went in the meantime
            return Published(station_id, "NotConnected", chosen.tariff_id)
        except CsmsError as exc:
            return Published(station_id, "Failed", chosen.tariff_id, error=str(exc)[:200])
        results = list(answer.get("setVariableResult") or [])
        accepted = len(results) == len(data) and all(r.get("attributeStatus") == "Accepted" for r in results)
        return Published(station_id, "Accepted" if accepted else "Rejected", chosen.tariff_id, results)


async def _speaks_16(session: AsyncSession, station_id: str) -> bool:
    version = await session.scalar(select(Station.ocpp_version).where(Station.id == station_id))
    return str(version).startswith("1.")
