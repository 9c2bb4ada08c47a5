"""OCPP 2.0.1 ISO 15118 charging needs (K15-K17): NotifyEVChargingNeeds and NotifyEVChargingSchedule.

A mixin of :class:`~csms.ocpp_handlers.v201.V201Connection`. The needs are stored per session by
:class:`~csms.services.ev_needs.EvNeedsService`; the energy manager then plans the session (its energy by its
departure, out of peaks and demand-response windows) and sends it a TxProfile through SetChargingProfile.
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action


class EvNeedsMixin:
    """Handlers of the EV's charging needs and schedule (the payloads already checked against the schemas)."""

    id: str
    services: Any

    @on(Action.notify_ev_charging_needs)
    async def on_notify_ev_charging_needs(self, p: dict[str, Any]) -> dict[str, Any]:
        status = await self.services.ev_needs.notify_needs(
            self.id, p["evseId"], p["chargingNeeds"], p.get("maxScheduleTuples")
        )
        return {"status": status}

    @on(Action.notify_ev_charging_schedule)
    async def on_notify_ev_charging_schedule(self, p: dict[str, Any]) -> dict[str, Any]:
        schedule = {"timeBase": p["timeBase"], "chargingSchedule": p["chargingSchedule"]}
        return {"status": await self.services.ev_needs.notify_schedule(self.id, p["evseId"], schedule)}
