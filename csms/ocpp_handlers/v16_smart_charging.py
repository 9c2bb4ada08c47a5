"""OCPP 1.6 smart charging: the ClearChargingProfile shape (1.6 has no GetChargingProfiles or reports)."""

from __future__ import annotations

from typing import Any

from csms.ocpp_handlers.commands import Translator, optional

_PURPOSES = {"ChargingStationMaxProfile": "ChargePointMaxProfile"}
"""2.0.1 purpose names (the CSMS's) that 1.6 spells otherwise."""


def _clear(p: Any) -> tuple[str, dict[str, Any]]:
    purpose = p.get("purpose")
    return "ClearChargingProfile", optional(
        id=p.get("profile_id"), connectorId=p.get("evse_id"),
        chargingProfilePurpose=_PURPOSES.get(purpose, purpose), stackLevel=p.get("stack_level"),
    )  # fmt: skip


COMMANDS: dict[str, Translator] = {"clear-charging-profile": _clear}
"""Commands the smart-charging service sends (not operator commands of ``csms.domain.commands``)."""
