"""OCPP 2.0.1 smart-charging reports and external limits (K09, K29-K36, K12, K13): handlers and commands."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action

from csms.ocpp_handlers.commands import Translator, need, optional


class V201SmartCharging:
    """Mixin of :class:`~csms.ocpp_handlers.v201.V201Connection`."""

    id: str
    services: Any

    @on(Action.report_charging_profiles)
    async def on_report_charging_profiles(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.smart_charging.report(self.id, p)
        return {}

    @on(Action.notify_charging_limit)
    async def on_notify_charging_limit(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.smart_charging.notify_limit(self.id, p)
        return {}

    @on(Action.cleared_charging_limit)
    async def on_cleared_charging_limit(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.smart_charging.cleared_limit(self.id, p["chargingLimitSource"], p.get("evseId"))
        return {}


COMMANDS: dict[str, Translator] = {
    "get-charging-profiles": lambda p: (
        "GetChargingProfiles",
        optional(
            requestId=need(p, "request_id"), evseId=p.get("evse_id"), chargingProfile=p.get("criteria") or {}
        ),
    ),
    "clear-charging-profile": lambda p: (
        "ClearChargingProfile",
        optional(
            chargingProfileId=p.get("profile_id"),
            chargingProfileCriteria=optional(
                evseId=p.get("evse_id"),
                chargingProfilePurpose=p.get("purpose"),
                stackLevel=p.get("stack_level"),
            )
            or None,
        ),
    ),
}
"""Commands the smart-charging service sends (not operator commands of ``csms.domain.commands``)."""
