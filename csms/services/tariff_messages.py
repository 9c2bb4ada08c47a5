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

from csms.db.models_tariffs import Tariff
from csms.db.uow import UnitOfWork
from csms.domain.costing import tariff_text
from csms.domain.tariff import tariff_from_dict
from csms.errors import CsmsError, InvalidInput, NotFound
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
        if _is_16(self._gw.get(station_id)):  # not connected: StationNotConnected (409)
            raise InvalidInput("OCPP 1.6 has no tariff variables (TariffCostCtrlr)", field="station_id")
        return await self._publish(station_id, total_cost_message)

    async def publish_tariff(self, tariff_id: int, total_cost_message: str | None = None) -> list[Published]:
        """Set the tariff texts on every connected 2.0.1 station that charges under tariff ``tariff_id``."""
        async with self._uow.read() as session:
            if await session.get(Tariff, tariff_id) is None:
                raise NotFound(f"tariff {tariff_id} does not exist")
            targets = []
            for station_id in sorted(self._gw.online_ids()):
                if (await applicable(session, station_id)).tariff_id == tariff_id:
                    targets.append(station_id)
        out = []
        for station_id in targets:
            try:
                if _is_16(self._gw.get(station_id)):
                    continue
            except CsmsError:
                out.append(Published(station_id, "NotConnected", tariff_id))
                continue
            out.append(await self._publish(station_id, total_cost_message))
        return out

    async def _publish(self, station_id: str, total_cost_message: str | None) -> Published:
        async with self._uow.read() as session:
            chosen = await applicable(session, station_id)
        tariff = tariff_from_dict(chosen.definition)
        data = variables(tariff_text(tariff), tariff.currency, total_cost_message)
        try:
            _, answer = await self._gw.command(station_id, "set-variables", {"variables": data})
        except CsmsError as exc:
            return Published(station_id, "Failed", chosen.tariff_id, error=str(exc)[:200])
        results = list(answer.get("setVariableResult") or [])
        accepted = len(results) == len(data) and all(r.get("attributeStatus") == "Accepted" for r in results)
        return Published(station_id, "Accepted" if accepted else "Rejected", chosen.tariff_id, results)


def _is_16(connection: Any) -> bool:
    return str(getattr(connection, "ocpp_version", "")).startswith("1.")
